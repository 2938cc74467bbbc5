package io.portcullis.authentication;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.GatewayConfig;
import io.portcullis.api.RequestIds;
import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Bearer authentication in two independent passes. The gateway's own pass: {@link TokenScreen},
 * then the trusted issuer looked up by the token's unverified {@code iss}, the signature checked
 * against that issuer's JWKS ({@link JwsSignatureVerifier}), and the claims checked
 * ({@link ClaimVerifier}). Only a token that passes goes on to Quarkus OIDC, which picks the
 * tenant by the issuer and checks signature, {@code iss}, {@code aud}, {@code exp} and
 * {@code nbf} again with its own key cache, so a forged token has to get past both
 * implementations. Failures are logged with issuer, key id, algorithm and reason, never with the
 * token, and counted by reason. A token that passed both is remembered for a while
 * ({@link VerifiedTokens}), so the same token on later requests skips the signature checks.
 */
@Alternative
@Priority(1)
@Startup
@ApplicationScoped
public class ScreenedBearerAuthenticationMechanism implements HttpAuthenticationMechanism {

    private static final Logger LOG = Logger.getLogger(ScreenedBearerAuthenticationMechanism.class);
    private static final String BEARER_PREFIX = "bearer ";
    /** Path of the approver page, whose OIDC tenant {@code approver-page} uses the code flow. */
    public static final String APPROVER_PAGE = "/approvals";

    /** Routing-context key of the token's claims (a JSON object) once all checks passed. */
    public static final String VERIFIED_CLAIMS = "portcullis.verified-claims";

    private final OidcAuthenticationMechanism oidc;
    private final TokenScreen screen;
    private final TrustedIssuers trustedIssuers;
    private final JwsSignatureVerifier signatureVerifier;
    private final ClaimVerifier claimVerifier;
    private final MeterRegistry meters;
    private final VerifiedTokens verifiedTokens;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public ScreenedBearerAuthenticationMechanism(OidcAuthenticationMechanism oidc, GatewayConfig config,
            TrustedIssuers trustedIssuers, MeterRegistry meters) {
        this.oidc = oidc;
        this.screen = new TokenScreen(new HashSet<>(config.authentication().allowedAlgorithms()),
                config.authentication().maxTokenLength());
        this.trustedIssuers = trustedIssuers;
        this.signatureVerifier = new JwsSignatureVerifier(config.authentication().allowedAlgorithms());
        this.claimVerifier = new ClaimVerifier(clock);
        this.meters = meters;
        GatewayConfig.VerifiedTokenCache cache = config.authentication().verifiedTokenCache();
        this.verifiedTokens = new VerifiedTokens(cache.maxEntries(), cache.lifetime());
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null) {
            // The approver page signs people in with the code flow of its own OIDC tenant.
            return isApproverPage(context) ? oidc.authenticate(context, identityProviderManager)
                    : Uni.createFrom().nullItem();
        }
        RequestIds.assign(context);
        if (!authorization.regionMatches(true, 0, BEARER_PREFIX, 0, BEARER_PREFIX.length())) {
            return reject(context, null, RejectionReason.MALFORMED);
        }
        String token = authorization.substring(BEARER_PREFIX.length()).trim();
        // RFC 6750 allows several spaces after the scheme; Quarkus OIDC reads exactly one.
        context.request().headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        JsonObject header;
        try {
            header = screen.check(token);
        } catch (RejectedTokenException e) {
            return reject(context, token, e.reason());
        }
        VerifiedTokens.Entry remembered = verifiedTokens.find(token, clock.millis());
        if (remembered != null) {
            context.put(VERIFIED_CLAIMS, remembered.claims().copy());
            return Uni.createFrom().item(remembered.identityFor(context));
        }
        return verifyOwnChecks(context, token, header)
                .emitOn(resumeOn(Vertx.currentContext()))
                .onItem().transformToUni(verified -> oidc.authenticate(context, identityProviderManager))
                .invoke(identity -> verifiedTokens.remember(token, identity,
                        context.<JsonObject>get(VERIFIED_CLAIMS), clock.millis()))
                .onFailure().transform(failure -> logFailure(token, header, FailureClassifier.classify(failure)))
                .onItem().ifNull().failWith(() -> logFailure(token, header, RejectionReason.FAILED));
    }

    /**
     * Runs the gateway's own issuer, signature and claim checks on a screened token, and stores
     * the claims under {@link #VERIFIED_CLAIMS} for the route. The payload is parsed once: the
     * signature covers the same base64url segment, so after it verifies, these claims are verified.
     */
    private Uni<JwsSignatureVerifier.VerifiedJws> verifyOwnChecks(RoutingContext context, String token,
            JsonObject header) {
        JsonObject unverifiedClaims = decodeUnverified(token, 1);
        Object iss = unverifiedClaims == null ? null : unverifiedClaims.getValue("iss");
        TrustedIssuer issuer = trustedIssuers.find(iss instanceof String s ? s : null);
        if (issuer == null) {
            return Uni.createFrom().failure(new RejectedTokenException(RejectionReason.UNTRUSTED_ISSUER));
        }
        String keyId = header.getValue("kid") instanceof String kid ? kid : null;
        return issuer.keysFor(keyId)
                .map(keys -> signatureVerifier.verify(token, keys))
                .invoke(verified -> {
                    claimVerifier.verify(unverifiedClaims, issuer.expectations());
                    context.put(VERIFIED_CLAIMS, unverifiedClaims);
                });
    }

    /**
     * Returns an executor that continues on the request's Vert.x context. A JWKS fetch shared by
     * several requests completes on whichever event loop ran the fetch, while Quarkus OIDC and
     * the route handlers expect the context of their own request.
     */
    private static Executor resumeOn(Context requestContext) {
        if (requestContext == null) {
            return Runnable::run;
        }
        return task -> {
            if (Vertx.currentContext() == requestContext) {
                task.run();
            } else {
                requestContext.runOnContext(ignored -> task.run());
            }
        };
    }

    private Uni<SecurityIdentity> reject(RoutingContext context, String token, RejectionReason reason) {
        JsonObject header = null;
        if (token != null && reason != RejectionReason.TOO_LARGE) {
            header = decodeUnverified(token, 0);
        }
        return Uni.createFrom().failure(logFailure(token, header, reason));
    }

    private AuthenticationFailedException logFailure(String token, JsonObject header, RejectionReason reason) {
        meters.counter("portcullis.authentication.failures", "reason", reason.label()).increment();
        String issuer = null;
        if (token != null && reason != RejectionReason.TOO_LARGE) {
            JsonObject claims = decodeUnverified(token, 1);
            issuer = claims == null ? null : printable(claims.getValue("iss"));
        }
        String kid = header == null ? null : printable(header.getValue("kid"));
        String alg = header == null ? null : printable(header.getValue("alg"));
        LOG.warnf("Bearer token rejected: reason=%s issuer=%s kid=%s alg=%s", reason.label(), issuer, kid, alg);
        return new AuthenticationFailedException(new RejectedTokenException(reason));
    }

    /** Decodes one segment without verifying it, only to name the issuer and key id in a log line. */
    private static JsonObject decodeUnverified(String token, int segment) {
        String[] parts = token.split("\\.", -1);
        if (parts.length <= segment) {
            return null;
        }
        try {
            return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[segment]), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Returns true for the paths of the approver page, {@code /approvals} and below. */
    static boolean isApproverPage(RoutingContext context) {
        String path = context.normalizedPath();
        return path.equals(APPROVER_PAGE) || path.startsWith(APPROVER_PAGE + "/");
    }

    /** Keeps an attacker-chosen header value short and on one line before it reaches a log. */
    private static String printable(Object value) {
        if (!(value instanceof String s)) {
            return null;
        }
        String cleaned = s.replaceAll("[^\\x20-\\x7e]", "?");
        return cleaned.length() > 120 ? cleaned.substring(0, 120) + "..." : cleaned;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        if (isApproverPage(context) && context.request().getHeader(HttpHeaders.AUTHORIZATION) == null) {
            // A redirect to the identity provider's sign-in page.
            return oidc.getChallenge(context);
        }
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate",
                "Bearer realm=\"portcullis\", error=\"invalid_token\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return oidc.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return oidc.getCredentialTransport(context);
    }

    @Override
    public int getPriority() {
        return oidc.getPriority() + 1;
    }
}
