package io.portcullis.policy;

import io.portcullis.simulator.UpstreamSimulator;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.KeycloakTokens;
import io.portcullis.testsupport.TestIssuer;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

/**
 * The gateway against the real OPA that stack/opa.sh runs with the policies and data in
 * opa-policies/, with real Keycloak tokens and the real model server. The expectations follow
 * the shipped data. Engineers (alice) may use smollm2-135m-instruct and gpt-4o-mini with up to
 * 4096 tokens, and support (bob) smollm2-135m-instruct with up to 1024. Auditors (dave) may
 * offer only the tool run_sql, in deny mode. No caller may use the simulator's models. Prompts
 * estimated above 4000 tokens, and agents acting for production purposes, wait for approval.
 */
@QuarkusTest
@TestProfile(RealOpaPolicyTest.RealOpa.class)
@QuarkusTestResource(GatewayStackResource.class)
class RealOpaPolicyTest {

    private static final String LOCAL_MODEL = "smollm2-135m-instruct";
    /** OPA returns decision ids only with decision logging on, which stack/opa.sh turns on. */
    private static final Matcher<String> DECISION_ID = anyOf(nullValue(),
            matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));

    /** Points the gateway at the OPA of the local stack. */
    public static class RealOpa implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.policy.url",
                    System.getenv().getOrDefault("PORTCULLIS_OPA_URL", "http://127.0.0.1:8181"));
        }
    }

    @BeforeEach
    void clearSimulator() {
        simulator().clear();
    }

    @Test
    void personalDataIsMaskedNotDenied() {
        // The shipped policy pseudonymizes an engineer's e-mail addresses instead of denying the request.
        JsonObject body = new JsonObject().put("model", LOCAL_MODEL).put("max_tokens", 8).put("messages",
                new JsonArray().add(new JsonObject().put("role", "user")
                        .put("content", "Write one word to jane.doe@example.com.")));
        post(Tokens.alice(), body).then().statusCode(200).body("object", equalTo("chat.completion"));
        post(Tokens.alice(), body.copy().put("stream", true)).then().statusCode(200);
    }

    @Test
    void engineerGetsCompletion() {
        post(Tokens.alice(), chat(LOCAL_MODEL).put("max_tokens", 8)).then().statusCode(200)
                .header("X-Portcullis-Decision-Id", DECISION_ID)
                .header("X-Portcullis-Max-Tokens", "4096")
                .body("object", equalTo("chat.completion"));
    }

    @Test
    void supportAndAgentGetCompletions() {
        post(Tokens.bob(), chat(LOCAL_MODEL).put("max_tokens", 8)).then().statusCode(200)
                .header("X-Portcullis-Max-Tokens", "1024");
        post(Tokens.buildAgent(), chat(LOCAL_MODEL).put("max_tokens", 8)).then().statusCode(200)
                .header("X-Portcullis-Max-Tokens", "2048");
    }

    @Test
    void modelOutsideRightsIsDenied() {
        post(Tokens.alice(), chat("sim-gpt")).then().statusCode(403)
                .header("X-Portcullis-Decision-Id", DECISION_ID)
                .body("error.code", equalTo("policy_denied"))
                .body("error.message", equalTo("model sim-gpt is not allowed for this caller"));
        assertThat(simulator().requests()).isEmpty();
    }

    @Test
    void toolOutsideRightsIsDenied() {
        JsonObject request = chat(LOCAL_MODEL).put("tools", new JsonArray().add(new JsonObject()
                .put("type", "function").put("function", new JsonObject().put("name", "get_weather"))));
        post(KeycloakTokens.person("dave"), request).then().statusCode(403)
                .body("error.code", equalTo("policy_denied"))
                .body("error.param", equalTo("tools"))
                .body("error.message", equalTo("The policy does not allow these tools: get_weather."));
    }

    @Test
    void largePromptNeedsApproval() {
        JsonObject request = chat(LOCAL_MODEL);
        // 16 004 characters give an estimate of 4001 tokens, above the shipped limit of 4000.
        request.getJsonArray("messages").getJsonObject(0).put("content", "x".repeat(16_004));
        heldAsynchronously(Tokens.bob(), request)
                .body("reason", equalTo("the prompt is estimated at 4001 tokens, above the limit of 4000 per request"));
    }

    @Test
    void productionPurposeNeedsApproval() {
        heldAsynchronously(Tokens.delegatingAgent(), chat(LOCAL_MODEL))
                .body("reason", equalTo("purpose release-automation changes production"));
    }

    /** Sends a request with Prefer: respond-async and checks that the gateway holds it. */
    private static ValidatableResponse heldAsynchronously(String token, JsonObject request) {
        ValidatableResponse held = given().auth().oauth2(token).contentType("application/json")
                .header("Prefer", "respond-async").body(request.encode())
                .when().post("/v1/chat/completions")
                .then().statusCode(202)
                .body("object", equalTo("portcullis.approval"))
                .body("status", equalTo("pending"));
        assertThat(simulator().requests()).isEmpty();
        return held;
    }

    @Test
    void modelListShowsRoutedRights() {
        assertThat(models(Tokens.alice())).containsExactly(LOCAL_MODEL);
        assertThat(models(Tokens.bob())).containsExactly(LOCAL_MODEL);
        assertThat(models(Tokens.buildAgent())).containsExactly(LOCAL_MODEL);
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models/sim-gpt").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"));
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models/" + LOCAL_MODEL).then().statusCode(200);
    }

    @Test
    void callerWithoutRightsIsDenied() {
        TestIssuer issuer = GatewayStackResource.testIssuer;
        JsonObject claims = issuer.validClaims("erin").put("groups", new JsonArray().add("contractors"));
        given().auth().oauth2(issuer.sign(claims)).when().get("/v1/models").then()
                .statusCode(403)
                .body("error.code", equalTo("policy_denied"))
                .body("error.message", equalTo("none of the caller's groups has rights in the policy data"));
    }

    private static List<String> models(String token) {
        return given().auth().oauth2(token).when().get("/v1/models").then().statusCode(200)
                .header("X-Portcullis-Decision-Id", DECISION_ID)
                .extract().jsonPath().getList("data.id", String.class);
    }

    private static Response post(String token, JsonObject body) {
        return given().auth().oauth2(token).contentType("application/json").body(body.encode())
                .when().post("/v1/chat/completions");
    }

    private static JsonObject chat(String model) {
        return new JsonObject().put("model", model).put("messages",
                new JsonArray().add(new JsonObject().put("role", "user").put("content", "Say hello.")));
    }

    private static UpstreamSimulator simulator() {
        return GatewayStackResource.simulator;
    }
}
