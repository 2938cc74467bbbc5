package io.portcullis.authentication;

import io.portcullis.GatewayConfig;
import io.quarkus.oidc.runtime.OidcConfig;
import io.quarkus.oidc.runtime.OidcTenantConfig;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The issuers whose tokens the gateway accepts, one per enabled Quarkus OIDC tenant with an
 * {@code auth-server-url}: the default tenant ({@code quarkus.oidc.*}) and every named one
 * ({@code quarkus.oidc.<tenant>.*}). A token is matched by its unverified {@code iss} before any
 * key is fetched, so tokens of unknown issuers cost no network call.
 *
 * <p>Read per tenant: {@code auth-server-url}; {@code token.issuer} (default: the
 * {@code auth-server-url}); {@code token.audience} (required); {@code token.lifespan-grace}
 * (seconds, default 0); {@code connection-timeout}; and, when {@code discovery-enabled=false},
 * {@code jwks-path}. A tenant the gateway cannot check fails the boot with the key to fix.
 *
 * <p>NOTE: the tenant's {@code tls.*} and {@code proxy.*} settings are not applied to the
 * gateway's own discovery and JWKS fetches, which use the Vert.x client defaults. An issuer
 * behind a private CA or a proxy then gets {@code keys_unavailable}; only http issuers on
 * 127.0.0.1 are covered by tests.
 */
@Startup
@Singleton
public class TrustedIssuers {

    /** The key under which Quarkus OIDC lists the default tenant. */
    static final String DEFAULT_TENANT = OidcConfig.DEFAULT_TENANT_KEY;

    private final Map<String, TrustedIssuer> byIssuer = new HashMap<>();

    @Inject
    public TrustedIssuers(OidcConfig oidc, GatewayConfig config, Vertx vertx) {
        this(fromOidcConfig(oidc), vertx.createHttpClient(), config.authentication().jwksRefreshInterval(),
                config.authentication().jwksMaxAge(), Clock.systemUTC());
    }

    /**
     * @param refreshInterval shortest time between two discovery or two JWKS fetches of one issuer
     * @param maxAge          age after which an issuer's keys are refetched on its next token
     */
    public TrustedIssuers(List<TrustedIssuer.Settings> tenants, HttpClient client, Duration refreshInterval,
            Duration maxAge, Clock clock) {
        JsonFetcher fetcher = new JsonFetcher(client);
        for (TrustedIssuer.Settings tenant : tenants) {
            TrustedIssuer previous = byIssuer.put(tenant.issuer(),
                    new TrustedIssuer(tenant, fetcher, refreshInterval, maxAge, clock));
            if (previous != null) {
                throw new IllegalStateException("OIDC tenants " + previous.tenant() + " and " + tenant.tenant()
                        + " both trust issuer " + tenant.issuer() + "; give each issuer one tenant");
            }
        }
    }

    /** Returns the trusted issuer whose identifier equals {@code issuer} exactly, or null. */
    public TrustedIssuer find(String issuer) {
        return issuer == null ? null : byIssuer.get(issuer);
    }

    static List<TrustedIssuer.Settings> fromOidcConfig(OidcConfig oidc) {
        List<TrustedIssuer.Settings> tenants = new ArrayList<>();
        for (Map.Entry<String, OidcTenantConfig> entry : oidc.namedTenants().entrySet()) {
            OidcTenantConfig tenant = entry.getValue();
            // A web-app tenant (the approver page) signs people in with the code flow and
            // never accepts bearer tokens, so it trusts no issuer for them.
            boolean webApp = tenant.applicationType().orElse(OidcTenantConfig.ApplicationType.SERVICE)
                    == OidcTenantConfig.ApplicationType.WEB_APP;
            if (tenant.tenantEnabled() && tenant.authServerUrl().isPresent() && !webApp) {
                tenants.add(settings(entry.getKey(), tenant));
            }
        }
        return tenants;
    }

    private static TrustedIssuer.Settings settings(String name, OidcTenantConfig tenant) {
        String prefix = TrustedIssuer.configPrefix(name);
        String authServerUrl = TrustedIssuer.stripTrailingSlash(tenant.authServerUrl().orElseThrow());
        String issuer = tenant.token().issuer().orElse(authServerUrl);
        if ("any".equals(issuer)) {
            throw new IllegalStateException(prefix + "token.issuer=any is not supported: the gateway accepts tokens"
                    + " only from an exact issuer. Set it to the iss value of the tenant's tokens.");
        }
        Set<String> audiences = new LinkedHashSet<>(tenant.token().audience().orElse(List.of()));
        if (audiences.isEmpty()) {
            throw new IllegalStateException(prefix + "token.audience is missing: the gateway accepts only tokens"
                    + " addressed to it. Set it to the audience the issuer puts in tokens for the gateway.");
        }
        if (tenant.publicKey().isPresent()) {
            throw new IllegalStateException(prefix + "public-key is not supported by the gateway's own signature"
                    + " check. Publish the key in a JWKS and remove " + prefix + "public-key.");
        }
        Duration skew = Duration.ofSeconds(tenant.token().lifespanGrace().orElse(0));
        return new TrustedIssuer.Settings(name, issuer, authServerUrl, jwksUri(prefix, authServerUrl, tenant),
                audiences, skew, tenant.connectionTimeout());
    }

    /** Returns the configured JWKS location when discovery is off, or null to read it from discovery. */
    private static String jwksUri(String prefix, String authServerUrl, OidcTenantConfig tenant) {
        if (tenant.discoveryEnabled().orElse(true)) {
            return null;
        }
        String path = tenant.jwksPath().orElseThrow(() -> new IllegalStateException(prefix + "jwks-path is missing:"
                + " with " + prefix + "discovery-enabled=false the gateway needs it to find the issuer's keys."));
        if (TrustedIssuer.isHttpUrl(path)) {
            return path;
        }
        return authServerUrl + (path.startsWith("/") ? path : "/" + path);
    }
}
