package io.portcullis.authentication;

import java.time.Instant;
import java.util.List;

/**
 * The authenticated caller of one request, built from a verified token. Later stages
 * (policy, recording) read only this, never the raw token.
 *
 * @param issuer    the token's {@code iss}
 * @param subject   the token's {@code sub}
 * @param username  the first configured username claim present, or null
 * @param email     the email claim, or null
 * @param groups    group names, empty when the claim is absent
 * @param roles     role names gathered from all configured role claims, without duplicates
 * @param clientId  the OAuth client that obtained the token ({@code client_id} or {@code azp}), or null
 * @param agent     true for a non-human caller (a client-credentials token)
 * @param purpose   the purpose claim, or null
 * @param actor     the acting party of a delegated token ({@code act}), or null
 * @param expiresAt the token's {@code exp}
 */
public record CallerIdentity(
        String issuer,
        String subject,
        String username,
        String email,
        List<String> groups,
        List<String> roles,
        String clientId,
        boolean agent,
        String purpose,
        Actor actor,
        Instant expiresAt) {

    public CallerIdentity {
        groups = List.copyOf(groups);
        roles = List.copyOf(roles);
    }

    /**
     * The party acting on the subject's behalf (RFC 8693 section 4.1). A nested {@code act}
     * names an earlier actor in the delegation chain.
     */
    public record Actor(String subject, String clientId, Actor actor) {
    }
}
