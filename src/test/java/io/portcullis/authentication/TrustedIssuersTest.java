package io.portcullis.authentication;

import io.portcullis.testsupport.JwksServer;
import io.portcullis.testsupport.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issuer lookup by exact iss, lazy OIDC discovery and its failure handling, against a loopback server. */
class TrustedIssuersTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static Vertx vertx;
    private static HttpClient client;
    private static JwksServer server;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    @BeforeAll
    static void startServer() {
        vertx = Vertx.vertx();
        client = vertx.createHttpClient();
        server = new JwksServer(vertx).start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void issuerIsFoundByExactIss() {
        String issuer = server.url("/lookup");
        TrustedIssuers issuers = trustedIssuers(settings("main", issuer, null));

        assertThat(issuers.find(issuer)).as("exact").isNotNull();
        assertThat(issuers.find(issuer + "/")).as("trailing slash").isNull();
        assertThat(issuers.find(issuer.toUpperCase())).as("other case").isNull();
        assertThat(issuers.find(null)).as("no iss").isNull();
        assertThat(server.requests("/lookup/.well-known/openid-configuration")).as("no fetch for lookups").isZero();
    }

    @Test
    void discoveryIsReadOnceOnFirstToken() {
        String issuer = server.url("/disco");
        server.publish("/disco/.well-known/openid-configuration", discovery(issuer, server.url("/disco/keys")));
        server.publishKeys("/disco/keys", publicJwk("k1"));
        TrustedIssuer trusted = trustedIssuers(settings("main", issuer, null)).find(issuer);

        assertThat(keyIds(trusted, "k1")).containsExactly("k1");
        assertThat(keyIds(trusted, "k1")).containsExactly("k1");
        assertThat(server.requests("/disco/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(server.requests("/disco/keys")).isEqualTo(1);
    }

    @Test
    void discoveryNamingAnotherIssuerIsRejected() {
        String issuer = server.url("/mismatch");
        server.publish("/mismatch/.well-known/openid-configuration",
                discovery("https://elsewhere.example", server.url("/mismatch/keys")));
        server.publishKeys("/mismatch/keys", publicJwk("k1"));
        TrustedIssuer trusted = trustedIssuers(settings("main", issuer, null)).find(issuer);

        assertKeysUnavailable(trusted);
        assertThat(server.requests("/mismatch/keys")).as("JWKS never fetched").isZero();
    }

    @Test
    void failedDiscoveryIsRetriedAfterTheInterval() {
        String issuer = server.url("/retry");
        server.respond("/retry/.well-known/openid-configuration", 503, "{}");
        TrustedIssuer trusted = trustedIssuers(settings("main", issuer, null)).find(issuer);

        assertKeysUnavailable(trusted);
        assertKeysUnavailable(trusted);
        assertThat(server.requests("/retry/.well-known/openid-configuration")).as("within the interval").isEqualTo(1);

        server.publish("/retry/.well-known/openid-configuration", discovery(issuer, server.url("/retry/keys")));
        server.publishKeys("/retry/keys", publicJwk("k1"));
        clock.advance(INTERVAL);
        assertThat(keyIds(trusted, "k1")).containsExactly("k1");
    }

    @Test
    void configuredJwksUriSkipsDiscovery() {
        String issuer = server.url("/static");
        server.publishKeys("/static/certs", publicJwk("k1"));
        TrustedIssuer trusted = trustedIssuers(settings("main", issuer, server.url("/static/certs"))).find(issuer);

        assertThat(keyIds(trusted, "k1")).containsExactly("k1");
        assertThat(server.requests("/static/.well-known/openid-configuration")).isZero();
    }

    @Test
    void twoTenantsForOneIssuerFailTheBoot() {
        String issuer = server.url("/twice");

        assertThatThrownBy(() -> trustedIssuers(settings("first", issuer, null), settings("second", issuer, null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("first")
                .hasMessageContaining("second");
    }

    private TrustedIssuers trustedIssuers(TrustedIssuer.Settings... tenants) {
        return new TrustedIssuers(List.of(tenants), client, INTERVAL, Duration.ofMinutes(10), clock);
    }

    private static TrustedIssuer.Settings settings(String tenant, String issuer, String jwksUri) {
        return new TrustedIssuer.Settings(tenant, issuer, issuer, jwksUri, Set.of("portcullis"), Duration.ofSeconds(30),
                TIMEOUT);
    }

    private static JsonObject discovery(String issuer, String jwksUri) {
        return new JsonObject().put("issuer", issuer).put("jwks_uri", jwksUri);
    }

    private static JsonObject publicJwk(String keyId) {
        try {
            JsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId(keyId);
            return new JsonObject(key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> keyIds(TrustedIssuer issuer, String keyId) {
        return issuer.keysFor(keyId).await().atMost(TIMEOUT.multipliedBy(2)).stream().map(JsonWebKey::getKeyId).toList();
    }

    private static void assertKeysUnavailable(TrustedIssuer issuer) {
        assertThatThrownBy(() -> issuer.keysFor("k1").await().atMost(TIMEOUT.multipliedBy(2)))
                .isInstanceOf(RejectedTokenException.class)
                .extracting(e -> ((RejectedTokenException) e).reason())
                .isEqualTo(RejectionReason.KEYS_UNAVAILABLE);
    }
}
