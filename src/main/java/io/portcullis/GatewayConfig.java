package io.portcullis;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of the gateway under the {@code portcullis} prefix. Every key is documented
 * here and in docs/configuration.md; an invalid value fails the boot with the full key.
 */
@ConfigMapping(prefix = "portcullis")
public interface GatewayConfig {

    /** Upstream model servers by name, for example {@code portcullis.upstreams.openai.base-url}. */
    Map<String, Upstream> upstreams();

    Limits limits();

    Identity identity();

    Authentication authentication();

    /** One OpenAI-compatible upstream and the models it serves. */
    interface Upstream {

        /** Base URL including the API version path, such as {@code https://api.openai.com/v1}. Required. */
        @WithName("base-url")
        String baseUrl();

        /** Model ids routed to this upstream. Required, at least one; a model may appear in one upstream only. */
        List<String> models();

        /** Environment variable that contains the upstream API key. At most one of this and api-key-file. */
        @WithName("api-key-env")
        Optional<String> apiKeyEnv();

        /** File that contains the upstream API key (such as a mounted Kubernetes Secret); re-read when it changes. */
        @WithName("api-key-file")
        Optional<String> apiKeyFile();

        /** Time allowed to open the TCP (and TLS) connection. Default 5 s. */
        @WithName("connect-timeout")
        @WithDefault("5s")
        Duration connectTimeout();

        /** Time allowed until the upstream sends its response headers. Default 60 s. */
        @WithName("response-timeout")
        @WithDefault("60s")
        Duration responseTimeout();

        /** Maximum silence between two parts of a response body. Default 60 s. */
        @WithName("idle-timeout")
        @WithDefault("60s")
        Duration idleTimeout();

        /** Maximum pooled keep-alive connections to this upstream. Default 64. */
        @WithName("max-connections")
        @WithDefault("64")
        int maxConnections();
    }

    /** Size limits on what callers send. */
    interface Limits {

        /** Largest accepted request body in bytes; larger bodies get 413. Default 4 MiB. */
        @WithName("max-request-body")
        @WithDefault("4194304")
        long maxRequestBody();
    }

    /** Claim paths of the identity fields. A path uses '/' between nested member names. */
    interface Identity {

        /** Claims tried in order for the username. */
        @WithName("username-claims")
        @WithDefault("preferred_username,upn,username")
        List<String> usernameClaims();

        @WithName("email-claim")
        @WithDefault("email")
        String emailClaim();

        /** Claim with the caller's groups: an array of strings or one string. */
        @WithName("groups-claim")
        @WithDefault("groups")
        String groupsClaim();

        /** Claims whose string arrays together form the caller's roles. */
        @WithName("roles-claims")
        @WithDefault("realm_access/roles,roles")
        List<String> rolesClaims();

        @WithName("purpose-claim")
        @WithDefault("purpose")
        String purposeClaim();

        /** Claims tried in order for the OAuth client id. */
        @WithName("client-id-claims")
        @WithDefault("client_id,azp")
        List<String> clientIdClaims();

        /**
         * Claim whose presence marks a non-human caller (an agent using client credentials).
         * Keycloak puts {@code client_id} in service-account tokens only.
         */
        @WithName("agent-claim")
        @WithDefault("client_id")
        String agentClaim();
    }

    /**
     * Checks applied to every bearer token before Quarkus OIDC checks it again: the token screen,
     * the signature against the issuer's JWKS, and the registered claims.
     */
    interface Authentication {

        /** JWS algorithms accepted; tokens signed with any other, HMAC and none included, are rejected. */
        @WithName("allowed-algorithms")
        @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA")
        List<String> allowedAlgorithms();

        /** Longest accepted bearer token, in characters. Default 8192. */
        @WithName("max-token-length")
        @WithDefault("8192")
        int maxTokenLength();

        /**
         * Minimum time between two fetches of one issuer's JWKS, and between two attempts at its
         * discovery document. A token naming an unknown key id triggers a JWKS refetch only once
         * this has passed since the previous fetch. Until then the token is rejected. Default 30 s.
         */
        @WithName("jwks-refresh-interval")
        @WithDefault("30s")
        Duration jwksRefreshInterval();

        /**
         * Age after which an issuer's cached keys are fetched again on its next token, so that
         * keys the issuer has withdrawn stop being trusted. A failed refetch keeps the cached keys.
         * Default 10 min.
         */
        @WithName("jwks-max-age")
        @WithDefault("10m")
        Duration jwksMaxAge();

        /** Tokens remembered after they passed every check; see {@code VerifiedTokenCache}. */
        @WithName("verified-token-cache")
        VerifiedTokenCache verifiedTokenCache();
    }

    /**
     * Bearer tokens remembered after both verification passes, so that repeated requests with one
     * token skip the signature checks. An entry is used until the token expires or its lifetime
     * ends, whichever comes first.
     */
    interface VerifiedTokenCache {

        /** Most tokens remembered at once; 0 turns the cache off. Default 10000. */
        @WithName("max-entries")
        @WithDefault("10000")
        int maxEntries();

        /**
         * Maximum time a remembered token is accepted without its signature being checked again.
         * A key that the issuer withdraws stops being trusted for new tokens after
         * {@code jwks-max-age}, and for remembered ones at most this long after that. Default 60 s.
         */
        @WithName("lifetime")
        @WithDefault("60s")
        Duration lifetime();
    }
}
