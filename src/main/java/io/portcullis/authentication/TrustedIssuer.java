package io.portcullis.authentication;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One issuer whose tokens the gateway accepts, taken from one Quarkus OIDC tenant: what its
 * tokens must contain and where its keys are.
 *
 * <p>Without a configured JWKS URI the issuer's discovery document
 * ({@code <auth-server-url>/.well-known/openid-configuration}) is read on the first token, and
 * its {@code issuer} must equal the expected issuer (OpenID Connect Discovery 1.0 section 4.3).
 * A failed discovery is retried no sooner than the refresh interval; until it succeeds, tokens of
 * this issuer are rejected with {@link RejectionReason#KEYS_UNAVAILABLE}.
 */
public final class TrustedIssuer {

    private static final Logger LOG = Logger.getLogger(TrustedIssuer.class);
    private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private final Settings settings;
    private final ClaimVerifier.Expectations expectations;
    private final JsonFetcher fetcher;
    private final Duration refreshInterval;
    private final Duration maxAge;
    private final Clock clock;

    private final Object lock = new Object();
    private volatile JwksKeySource keySource;
    /** Guarded by {@link #lock}. */
    private Instant lastDiscoveryStart;
    /** Guarded by {@link #lock}. */
    private CompletableFuture<JwksKeySource> discovery;

    /**
     * One tenant's settings.
     *
     * @param tenant        the Quarkus OIDC tenant id, for logs and error messages
     * @param issuer        the exact {@code iss} of its tokens
     * @param authServerUrl base of the discovery document
     * @param jwksUri       the JWKS location, or null to read it from the discovery document
     * @param audiences     accepted {@code aud} values
     * @param skew          clock skew tolerated on the token's times
     * @param timeout       connect and idle timeout of each discovery and JWKS fetch
     */
    public record Settings(String tenant, String issuer, String authServerUrl, String jwksUri,
            Set<String> audiences, Duration skew, Duration timeout) {
    }

    TrustedIssuer(Settings settings, JsonFetcher fetcher, Duration refreshInterval, Duration maxAge, Clock clock) {
        this.settings = settings;
        this.expectations = new ClaimVerifier.Expectations(settings.issuer(), settings.audiences(), settings.skew());
        this.fetcher = fetcher;
        this.refreshInterval = refreshInterval;
        this.maxAge = maxAge;
        this.clock = clock;
        if (settings.jwksUri() != null) {
            this.keySource = newKeySource(settings.jwksUri());
        }
    }

    public String issuer() {
        return settings.issuer();
    }

    public String tenant() {
        return settings.tenant();
    }

    public ClaimVerifier.Expectations expectations() {
        return expectations;
    }

    /** Returns the issuer's keys for a token's key id (null when none); see {@link JwksKeySource#keysFor}. */
    public Uni<List<JsonWebKey>> keysFor(String keyId) {
        JwksKeySource source = keySource;
        if (source != null) {
            return source.keysFor(keyId);
        }
        CompletableFuture<JwksKeySource> pending = startDiscoveryIfDue();
        if (pending == null) {
            return keysUnavailable();
        }
        return Uni.createFrom().completionStage(pending)
                .onItem().transformToUni(discovered -> discovered == null ? keysUnavailable() : discovered.keysFor(keyId));
    }

    private static Uni<List<JsonWebKey>> keysUnavailable() {
        return Uni.createFrom().failure(new RejectedTokenException(RejectionReason.KEYS_UNAVAILABLE));
    }

    private CompletableFuture<JwksKeySource> startDiscoveryIfDue() {
        CompletableFuture<JwksKeySource> result;
        synchronized (lock) {
            if (discovery != null) {
                return discovery;
            }
            Instant now = clock.instant();
            if (lastDiscoveryStart != null && now.isBefore(lastDiscoveryStart.plus(refreshInterval))) {
                return null;
            }
            lastDiscoveryStart = now;
            result = new CompletableFuture<>();
            discovery = result;
        }
        String discoveryUri = stripTrailingSlash(settings.authServerUrl()) + DISCOVERY_PATH;
        CompletionStage<JsonObject> fetch;
        try {
            fetch = fetcher.fetch(discoveryUri, settings.timeout());
        } catch (RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        fetch.whenComplete((document, failure) -> {
            JwksKeySource discovered = failure == null ? fromDiscovery(discoveryUri, document) : null;
            if (failure != null) {
                LOG.warnf("OIDC discovery of tenant %s from %s failed: %s: %s; retrying no sooner than %s",
                        settings.tenant(), discoveryUri, failure.getClass().getSimpleName(), failure.getMessage(),
                        refreshInterval);
            }
            synchronized (lock) {
                keySource = discovered;
                discovery = null;
            }
            result.complete(discovered);
        });
        return result;
    }

    private JwksKeySource fromDiscovery(String discoveryUri, JsonObject document) {
        Object issuer = document.getValue("issuer");
        if (!settings.issuer().equals(issuer)) {
            LOG.errorf("OIDC discovery document %s of tenant %s names issuer %s, not the expected %s; tokens of this"
                    + " tenant are rejected. Set %stoken.issuer to the issuer its tokens carry.",
                    discoveryUri, settings.tenant(), issuer instanceof String s ? s : null, settings.issuer(),
                    configPrefix(settings.tenant()));
            return null;
        }
        if (!(document.getValue("jwks_uri") instanceof String jwksUri) || !isHttpUrl(jwksUri)) {
            LOG.errorf("OIDC discovery document %s of tenant %s has no http(s) jwks_uri; tokens of this tenant are"
                    + " rejected", discoveryUri, settings.tenant());
            return null;
        }
        LOG.infof("Tenant %s publishes its keys at %s", settings.tenant(), jwksUri);
        return newKeySource(jwksUri);
    }

    private JwksKeySource newKeySource(String jwksUri) {
        return new JwksKeySource(fetcher, jwksUri, refreshInterval, maxAge, settings.timeout(), clock);
    }

    /** Returns the configuration prefix of a Quarkus OIDC tenant, such as {@code quarkus.oidc.} for the default one. */
    static String configPrefix(String tenant) {
        return TrustedIssuers.DEFAULT_TENANT.equals(tenant) ? "quarkus.oidc." : "quarkus.oidc." + tenant + ".";
    }

    static boolean isHttpUrl(String url) {
        return url.startsWith("https://") || url.startsWith("http://");
    }

    static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
