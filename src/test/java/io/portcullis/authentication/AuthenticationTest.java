package io.portcullis.authentication;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.KeycloakTokens;
import io.portcullis.testsupport.TestIssuer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * Bearer authentication against real issuers: Keycloak for valid person and agent tokens, and
 * the loopback test issuer for tokens crafted with a trusted key.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class AuthenticationTest {

    @Test
    void personTokenFromKeycloakIsAccepted() {
        String token = KeycloakTokens.person("alice");
        given().auth().oauth2(token)
                .when().get("/v1/models")
                .then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItem("sim-gpt"));
    }

    @Test
    void agentTokenFromKeycloakIsAccepted() {
        String token = KeycloakTokens.agent("build-agent", "build-agent-secret");
        given().auth().oauth2(token)
                .when().get("/v1/models")
                .then().statusCode(200);
    }

    @Test
    void tokenOfSecondIssuerIsAccepted() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        given().auth().oauth2(issuer.sign(issuer.validClaims("erin")))
                .when().get("/v1/models")
                .then().statusCode(200);
    }

    @Test
    void missingTokenIsRejected() {
        given().when().get("/v1/models")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("error.type", equalTo("authentication_error"))
                .body("error.code", equalTo("missing_token"));
    }

    @Test
    void expiredTokenIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        long now = Instant.now().getEpochSecond();
        JsonObject claims = issuer.validClaims("erin").put("iat", now - 600).put("nbf", now - 600)
                .put("exp", now - 120);
        assertUnauthorized(call(issuer.sign(claims)));
    }

    @Test
    void tokenWithinClockSkewIsAccepted() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        long now = Instant.now().getEpochSecond();
        JsonObject claims = issuer.validClaims("erin").put("iat", now - 600).put("exp", now - 5);
        call(issuer.sign(claims)).then().statusCode(200);
    }

    @Test
    void notYetValidTokenIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        long now = Instant.now().getEpochSecond();
        JsonObject claims = issuer.validClaims("erin").put("nbf", now + 600).put("exp", now + 900);
        assertUnauthorized(call(issuer.sign(claims)));
    }

    /**
     * The published key names alg RS256. A PS256 signature by the same key verifies, and Quarkus
     * OIDC accepts it, so only the gateway's own key check rejects this token.
     */
    @Test
    void keyAlgorithmMismatchIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        String token = TestIssuer.sign(issuer.validClaims("erin"), issuer.key(), AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                Map.of());
        assertUnauthorized(call(token));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("reason=\"unusable_key\"");
    }

    @Test
    void wrongAudienceIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        assertUnauthorized(call(issuer.sign(issuer.validClaims("erin").put("aud", "another-service"))));
    }

    @Test
    void missingAudienceIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        JsonObject claims = issuer.validClaims("erin");
        claims.remove("aud");
        assertUnauthorized(call(issuer.sign(claims)));
    }

    @Test
    void untrustedIssuerIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        JsonObject claims = issuer.validClaims("erin").put("iss", "http://127.0.0.1:9/untrusted");
        assertUnauthorized(call(issuer.sign(claims)));
    }

    @Test
    void keycloakIssuerWithTestIssuerKeyIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        JsonObject claims = issuer.validClaims("erin").put("iss", KeycloakTokens.ISSUER);
        assertUnauthorized(call(issuer.sign(claims)));
    }

    @Test
    void algorithmNoneIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = base64Url(issuer.validClaims("erin").encode());
        assertUnauthorized(call(header + "." + payload + "."));
    }

    @Test
    void hs256SignedWithPublicKeyIsRejected() throws Exception {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        RsaJsonWebKey key = issuer.key();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(issuer.validClaims("erin").encode());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setKey(new HmacKey(key.getPublicKey().getEncoded()));
        jws.setDoKeyValidation(false);
        assertUnauthorized(call(jws.getCompactSerialization()));
    }

    @Test
    void unknownKeyIdIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        RsaJsonWebKey unpublished = TestIssuer.newKey("never-published");
        String token = TestIssuer.sign(issuer.validClaims("erin"), unpublished, AlgorithmIdentifiers.RSA_USING_SHA256,
                Map.of());
        assertUnauthorized(call(token));
    }

    @Test
    void rotatedKeyIsFetchedOnUnknownKeyId() throws Exception {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        RsaJsonWebKey rotated = TestIssuer.newKey("rotated-" + System.nanoTime());
        issuer.publish(rotated);
        // The forced JWKS refresh is rate-limited to once a second in the test configuration.
        Thread.sleep(1100);
        String token = TestIssuer.sign(issuer.validClaims("erin"), rotated, AlgorithmIdentifiers.RSA_USING_SHA256,
                Map.of());
        call(token).then().statusCode(200);
    }

    @Test
    void embeddedJwkHeaderIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        String token = TestIssuer.sign(issuer.validClaims("erin"), issuer.key(), AlgorithmIdentifiers.RSA_USING_SHA256,
                Map.of("jwk", issuer.key().toParams(org.jose4j.jwk.JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
        assertUnauthorized(call(token));
    }

    @Test
    void tamperedPayloadIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        String[] parts = issuer.sign(issuer.validClaims("erin")).split("\\.");
        String forged = base64Url(issuer.validClaims("mallory").encode());
        assertUnauthorized(call(parts[0] + "." + forged + "." + parts[2]));
    }

    @Test
    void malformedTokensAreRejected() {
        for (String token : new String[] {"not-a-jwt", "a.b", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9..sig",
                "eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln", "\u00e9t\u00e9.x.y"}) {
            assertUnauthorized(call(token));
        }
    }

    @Test
    void encryptedTokenIsRejected() {
        String jwe = base64Url("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".a2V5.aXY.Y2lwaGVy.dGFn";
        assertUnauthorized(call(jwe));
    }

    @Test
    void oversizedTokenIsRejected() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        JsonObject claims = issuer.validClaims("erin").put("padding", "x".repeat(9000));
        assertUnauthorized(call(issuer.sign(claims)));
    }

    @Test
    void nonBearerSchemeIsRejected() {
        assertUnauthorized(given().header("Authorization", "Basic YWxpY2U6YWxpY2U=").when().get("/v1/models"));
    }

    @Test
    void rejectionBodyGivesNoDetail() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        long now = Instant.now().getEpochSecond();
        String expired = issuer.sign(issuer.validClaims("erin").put("exp", now - 120));
        String wrongAudience = issuer.sign(issuer.validClaims("erin").put("aud", "other"));
        String first = call(expired).then().extract().body().asString();
        String second = call(wrongAudience).then().extract().body().asString();
        assertThat(first).isEqualTo(second);
        assertThat(first).doesNotContain("exp", "aud", "erin");
    }

    private static Response call(String token) {
        return given().header("Authorization", "Bearer " + token).when().get("/v1/models");
    }

    private static void assertUnauthorized(Response response) {
        response.then()
                .statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .header("X-Request-Id", org.hamcrest.Matchers.notNullValue())
                .body("error.type", equalTo("authentication_error"))
                .body("error.code", equalTo("invalid_token"));
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
