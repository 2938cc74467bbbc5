package io.portcullis.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A second, loopback OIDC issuer for tests: discovery document and JWKS served on 127.0.0.1
 * from RSA keys generated at start. It signs any claims the test chooses, so that expired,
 * not-yet-valid, wrong-audience and otherwise crafted tokens can be made with a trusted key.
 */
public final class TestIssuer {

    private final Vertx vertx = Vertx.vertx();
    private final List<RsaJsonWebKey> publishedKeys = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private HttpServer server;
    private String issuer;

    public TestIssuer() {
        publishedKeys.add(newKey("test-key-1"));
    }

    public void start() {
        try {
            server = vertx.createHttpServer()
                    .requestHandler(request -> {
                        String path = request.path();
                        if (path.endsWith("/.well-known/openid-configuration")) {
                            request.response().putHeader("Content-Type", "application/json").end(discovery().encode());
                        } else if (path.endsWith("/jwks")) {
                            jwksFetches.incrementAndGet();
                            request.response().putHeader("Content-Type", "application/json").end(jwks().encode());
                        } else {
                            request.response().setStatusCode(404).end();
                        }
                    })
                    .listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Test issuer failed to start", e);
        }
        issuer = "http://127.0.0.1:" + server.actualPort() + "/issuer";
    }

    public void stop() {
        vertx.close();
    }

    public String issuer() {
        return issuer;
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** Returns the first published signing key. */
    public RsaJsonWebKey key() {
        return publishedKeys.get(0);
    }

    /** Creates a key that is not published, so that tokens it signs name an unknown key id. */
    public static RsaJsonWebKey newKey(String kid) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(kid);
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts publishing another key, as an issuer does when it rotates keys. */
    public void publish(RsaJsonWebKey key) {
        publishedKeys.add(key);
    }

    /** Claims of a valid token for this issuer, audience portcullis, valid for five minutes. */
    public JsonObject validClaims(String subject) {
        long now = Instant.now().getEpochSecond();
        return new JsonObject()
                .put("iss", issuer)
                .put("sub", subject)
                .put("aud", "portcullis")
                .put("iat", now)
                .put("nbf", now - 5)
                .put("exp", now + 300)
                .put("preferred_username", subject)
                .put("groups", new JsonArray().add("engineers"));
    }

    public String sign(JsonObject claims) {
        return sign(claims, key(), AlgorithmIdentifiers.RSA_USING_SHA256, Map.of());
    }

    /** Signs claims with a key and algorithm; extra header parameters are added as given. */
    public static String sign(JsonObject claims, RsaJsonWebKey key, String algorithm, Map<String, Object> header) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.encode());
            jws.setAlgorithmHeaderValue(algorithm);
            jws.setKey(key.getPrivateKey());
            jws.setKeyIdHeaderValue(key.getKeyId());
            header.forEach((name, value) -> jws.getHeaders().setObjectHeaderValue(name, value));
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonObject discovery() {
        return new JsonObject()
                .put("issuer", issuer)
                .put("jwks_uri", issuer + "/jwks")
                .put("token_endpoint", issuer + "/token")
                .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"));
    }

    private JsonObject jwks() {
        JsonArray keys = new JsonArray();
        for (RsaJsonWebKey key : publishedKeys) {
            keys.add(new JsonObject(key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
        }
        return new JsonObject().put("keys", keys);
    }
}
