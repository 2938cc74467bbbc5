package io.portcullis.authentication;

import io.portcullis.testsupport.JwksServer;
import io.portcullis.testsupport.MutableClock;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JWKS fetching, caching and the refresh rate limit, against a loopback JWKS server and a clock the test moves. */
class JwksKeySourceTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Duration MAX_AGE = Duration.ofMinutes(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger PATHS = new AtomicInteger();

    private static Vertx vertx;
    private static HttpClient client;
    private static JwksServer server;

    private MutableClock clock;
    private String path;

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

    @BeforeEach
    void freshPathAndClock() {
        clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        path = "/jwks-" + PATHS.incrementAndGet();
    }

    @Test
    void firstRequestFetchesOnceAndCaches() {
        server.publishKeys(path, publicJwk("k1"));
        JwksKeySource source = newSource();

        assertThat(keyIds(await(source.keysFor("k1")))).containsExactly("k1");
        assertThat(keyIds(await(source.keysFor("k1")))).containsExactly("k1");
        assertThat(keyIds(await(source.keysFor(null)))).containsExactly("k1");
        assertThat(server.requests(path)).isEqualTo(1);
    }

    /** One step of a scenario: move the clock, ask for a key id, then check fetch count and result. */
    private record Step(String label, Duration advance, String keyId, int fetchesAfter, boolean found) {
    }

    @Test
    void unknownKidRefetchRateLimited() {
        server.publishKeys(path, publicJwk("k1"));
        JwksKeySource source = newSource();
        await(source.keysFor("k1"));
        server.publishKeys(path, publicJwk("k1"), publicJwk("k2"));

        List<Step> steps = List.of(
                new Step("unknown kid right after the first fetch", Duration.ZERO, "k2", 1, false),
                new Step("unknown kid 1 s before the interval ends", Duration.ofSeconds(29), "k2", 1, false),
                new Step("unknown kid once the interval has passed", Duration.ofSeconds(1), "k2", 2, true),
                new Step("the refetched kid is cached", Duration.ZERO, "k2", 2, true),
                new Step("another unknown kid within the new interval", Duration.ofSeconds(10), "k9", 2, false),
                new Step("the same unknown kid after the next interval", Duration.ofSeconds(20), "k9", 3, false),
                new Step("a known kid never refetches", Duration.ofSeconds(45), "k1", 3, true));
        for (Step step : steps) {
            clock.advance(step.advance());
            List<String> keyIds = keyIds(await(source.keysFor(step.keyId())));
            assertThat(server.requests(path)).as(step.label() + ": fetches").isEqualTo(step.fetchesAfter());
            assertThat(keyIds.contains(step.keyId())).as(step.label() + ": key found").isEqualTo(step.found());
        }
    }

    private record Failure(String label, int status, String body) {
    }

    @Test
    void failedRefetchKeepsLastGoodKeys() {
        List<Failure> failures = List.of(
                new Failure("server error", 500, "{}"),
                new Failure("not found", 404, ""),
                new Failure("body is not JSON", 200, "<html>maintenance</html>"),
                new Failure("body is a JSON array", 200, "[]"),
                new Failure("keys is not an array", 200, "{\"keys\":{}}"),
                new Failure("body larger than the limit", 200,
                        "{\"keys\":[],\"padding\":\"" + "x".repeat(JsonFetcher.MAX_DOCUMENT_BYTES) + "\"}"));
        for (Failure failure : failures) {
            String failurePath = "/jwks-" + PATHS.incrementAndGet();
            server.publishKeys(failurePath, publicJwk("k1"));
            JwksKeySource source = newSource(failurePath);
            await(source.keysFor("k1"));
            server.respond(failurePath, failure.status(), failure.body());
            clock.advance(INTERVAL);

            List<String> keyIds = keyIds(await(source.keysFor("k2")));

            assertThat(server.requests(failurePath)).as(failure.label() + ": fetches").isEqualTo(2);
            assertThat(keyIds).as(failure.label() + ": keys kept").containsExactly("k1");
        }
    }

    @Test
    void withoutAnyGoodFetchKeysAreUnavailable() {
        server.respond(path, 503, "{}");
        JwksKeySource source = newSource();

        assertKeysUnavailable(source.keysFor("k1"));
        assertKeysUnavailable(source.keysFor("k1"));
        assertThat(server.requests(path)).as("second request within the interval does not fetch").isEqualTo(1);

        server.publishKeys(path, publicJwk("k1"));
        clock.advance(INTERVAL);
        assertThat(keyIds(await(source.keysFor("k1")))).containsExactly("k1");
        assertThat(server.requests(path)).isEqualTo(2);
    }

    @Test
    void unreachableJwksMakesKeysUnavailable() {
        JwksKeySource source = new JwksKeySource(client, "http://127.0.0.1:1/jwks", INTERVAL, MAX_AGE, TIMEOUT, clock);

        assertKeysUnavailable(source.keysFor("k1"));
    }

    @Test
    void concurrentRequestsShareOneFetch() {
        server.publishKeys(path, publicJwk("k1"));
        JwksKeySource source = newSource();

        List<Uni<List<JsonWebKey>>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pending.add(source.keysFor("k1"));
        }
        for (Uni<List<JsonWebKey>> keys : pending) {
            assertThat(keyIds(await(keys))).containsExactly("k1");
        }
        assertThat(server.requests(path)).isEqualTo(1);
    }

    @Test
    void keysOlderThanMaxAgeAreRefetched() {
        server.publishKeys(path, publicJwk("k1"));
        JwksKeySource source = newSource();
        await(source.keysFor("k1"));
        server.publishKeys(path, publicJwk("k3"));

        clock.advance(MAX_AGE.minusSeconds(1));
        assertThat(keyIds(await(source.keysFor(null)))).as("before max age").containsExactly("k1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(keyIds(await(source.keysFor(null)))).as("at max age").containsExactly("k3");
        assertThat(server.requests(path)).isEqualTo(2);
    }

    @Test
    void symmetricAndInvalidEntriesAreDropped() {
        JsonObject hmac = new JsonObject().put("kty", "oct").put("kid", "hmac").put("k", "c2VjcmV0LWtleS1ieXRlcw");
        JsonObject unknownType = new JsonObject().put("kty", "XYZ").put("kid", "odd");
        JsonObject brokenEc = new JsonObject().put("kty", "EC").put("kid", "broken").put("crv", "P-256");
        server.publish(path, new JsonObject().put("keys", new io.vertx.core.json.JsonArray()
                .add(hmac).add(unknownType).add(brokenEc).add("not an object").add(publicJwk("k1"))));
        JwksKeySource source = newSource();

        assertThat(keyIds(await(source.keysFor(null)))).containsExactly("k1");
    }

    private JwksKeySource newSource() {
        return newSource(path);
    }

    private JwksKeySource newSource(String jwksPath) {
        return new JwksKeySource(client, server.url(jwksPath), INTERVAL, MAX_AGE, TIMEOUT, clock);
    }

    private static JsonObject publicJwk(String keyId) {
        try {
            EllipticCurveJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId(keyId);
            return new JsonObject(key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonWebKey> await(Uni<List<JsonWebKey>> keys) {
        return keys.await().atMost(TIMEOUT.multipliedBy(2));
    }

    private static List<String> keyIds(List<JsonWebKey> keys) {
        return keys.stream().map(JsonWebKey::getKeyId).toList();
    }

    private static void assertKeysUnavailable(Uni<List<JsonWebKey>> keys) {
        assertThatThrownBy(() -> await(keys))
                .isInstanceOf(RejectedTokenException.class)
                .extracting(e -> ((RejectedTokenException) e).reason())
                .isEqualTo(RejectionReason.KEYS_UNAVAILABLE);
    }
}
