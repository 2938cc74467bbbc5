package io.portcullis.policy;

import io.portcullis.simulator.UpstreamSimulator;
import io.portcullis.testsupport.FakeOpa;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.portcullis.upstream.UpstreamRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * The decide and enforce stages against a fake OPA whose responses each test sets, with real
 * Keycloak tokens, PostgreSQL and the upstream simulator. Whatever goes wrong with the policy,
 * the simulator must receive nothing.
 */
@QuarkusTest
@TestProfile(FakeOpaPolicyTest.FakeOpaProfile.class)
@QuarkusTestResource(GatewayStackResource.class)
public class FakeOpaPolicyTest {

    private static final String WEATHER = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}";
    private static final String SHELL = "{\"type\":\"function\",\"function\":{\"name\":\"run_shell\"}}";

    /**
     * Keeps the gateway on the fake OPA of {@link GatewayStackResource}, with a 250 ms policy
     * timeout and 127.0.0.1 as a trusted proxy, so that tests can send {@code X-Forwarded-For}.
     */
    public static class FakeOpaProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "portcullis.policy.timeout", "250ms",
                    "portcullis.policy.trusted-proxies", "127.0.0.1");
        }
    }

    @Inject
    UpstreamRegistry registry;

    @BeforeEach
    void reset() {
        opa().reset();
        simulator().clear();
    }

    @Test
    void allowedRequestIsForwardedByteForByte() {
        String body = "{ \"model\" : \"sim-gpt\",\n \"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}] }";
        post(body).then().statusCode(200)
                .header("X-Portcullis-Decision-Id", opa().lastDecisionId())
                .header("X-Portcullis-Max-Tokens", nullValue());
        assertThat(simulator().lastRequest().orElseThrow().bodyText()).isEqualTo(body);
        assertThat(opa().paths()).containsExactly("/v1/data/portcullis/decision");
    }

    @Test
    void inputFollowsContract() {
        String body = new JsonObject().put("model", "sim-gpt").put("max_tokens", 77).put("n", 2)
                .put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
                        .add(new JsonObject().put("role", "user").put("content", "Weather in Oslo?")))
                .put("tools", new JsonArray().add(new JsonObject(WEATHER))).encode();
        Instant before = Instant.now().minusSeconds(1);
        given().auth().oauth2(Tokens.alice()).header("User-Agent", "contract-test/1.0")
                .contentType("application/json").body(body)
                .when().post("/v1/chat/completions").then().statusCode(200);

        JsonObject input = opa().lastInput();
        assertThat(input.getString("version")).isEqualTo("portcullis.policy.input/v1");
        JsonObject identity = input.getJsonObject("identity");
        assertThat(identity.getString("username")).isEqualTo("alice");
        assertThat(identity.getString("email")).isEqualTo("alice@example.com");
        assertThat(identity.getJsonArray("groups")).containsExactly("engineers");
        assertThat(identity.getString("client_id")).isEqualTo("portcullis-cli");
        assertThat(identity.getBoolean("agent")).isFalse();
        assertThat(identity.getString("purpose")).isEqualTo("code-review");
        assertThat(identity.getValue("actor")).isNull();
        assertThat(Instant.parse(identity.getString("expires_at"))).isAfter(before);
        // 25 characters of content and 11 of the tool name make 36, so 9 estimated tokens.
        assertThat(input.getJsonObject("request")).isEqualTo(new JsonObject()
                .put("api", "chat.completions").put("model", "sim-gpt").put("stream", false).put("max_tokens", 77)
                .put("n", 2).put("tools", new JsonArray().add("get_weather")).put("message_count", 2)
                .put("estimated_prompt_tokens", 9));
        assertThat(input.getJsonObject("findings")).isEmpty();
        assertThat(input.getJsonObject("source")).isEqualTo(new JsonObject()
                .put("address", "127.0.0.1").put("user_agent", "contract-test/1.0"));
        assertThat(Instant.parse(input.getString("time"))).isBetween(before, Instant.now());
        assertThat(input.encode()).doesNotContain("Weather in Oslo").doesNotContain(Tokens.alice());
    }

    @Test
    void findingsReachPolicy() {
        String body = new JsonObject().put("model", "sim-gpt").put("messages", new JsonArray()
                .add(new JsonObject().put("role", "user").put("content", "Mail jane.doe@example.com the key."))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "c1")
                        .put("content", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"))).encode();
        post(body).then().statusCode(200);

        assertThat(opa().lastInput().getJsonObject("findings"))
                .isEqualTo(new JsonObject().put("AWS_ACCESS_KEY", 1).put("EMAIL_ADDRESS", 1));
        assertThat(opa().lastInput().encode()).doesNotContain("jane.doe").doesNotContain("AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void sessionTurnIsCounted() {
        String session = "turns-" + UUID.randomUUID();
        for (int turn = 1; turn <= 3; turn++) {
            given().auth().oauth2(Tokens.alice()).header("X-Session-Id", session).contentType("application/json")
                    .body(chat(Map.of()).encode()).when().post("/v1/chat/completions").then().statusCode(200);
            assertThat(opa().lastInput().getJsonObject("session"))
                    .isEqualTo(new JsonObject().put("id", session).put("turn", turn));
        }
        post(chat(Map.of()).encode()).then().statusCode(200);
        assertThat(opa().lastInput().getJsonObject("session").getInteger("turn")).isEqualTo(1);
    }

    @Test
    void forwardedForCountsFromTrustedProxy() {
        given().auth().oauth2(Tokens.alice()).header("X-Forwarded-For", "203.0.113.7, 10.9.8.7")
                .contentType("application/json").body(chat(Map.of()).encode())
                .when().post("/v1/chat/completions").then().statusCode(200);
        assertThat(opa().lastInput().getJsonObject("source").getString("address")).isEqualTo("203.0.113.7");
    }

    @Test
    void denyShowsReasons() {
        opa().decide(FakeOpa.decision(false).put("reasons", new JsonArray().add("outside office hours")
                .add("purpose code-review does not cover sim-gpt")));
        post(chat(Map.of()).encode()).then().statusCode(403)
                .header("X-Portcullis-Decision-Id", opa().lastDecisionId())
                .body("error.type", equalTo("permission_error"))
                .body("error.code", equalTo("policy_denied"))
                .body("error.message", equalTo("outside office hours; purpose code-review does not cover sim-gpt"));
        assertThat(simulator().requests()).isEmpty();
    }

    @Test
    void denialIsLoggedWithDecisionId() {
        List<ExtLogRecord> records = new CopyOnWriteArrayList<>();
        opa().decide(FakeOpa.decision(false).put("reasons", new JsonArray().add("no budget left")));
        withLogs(records::add, () -> post(chat(Map.of()).encode()).then().statusCode(403));
        String decisionId = opa().lastDecisionId();
        assertThat(records).anySatisfy(record -> {
            assertThat(record.getFormattedMessage()).contains("denied").contains("no budget left");
            assertThat(record.getMdc("decisionId")).isEqualTo(decisionId);
        });
    }

    /**
     * Lists the cases, each with a label, the request body's extra members, the decision's constraints, the
     * expected status, and a check of what the upstream received (for 200) or of the error
     * message (for 403).
     */
    static Stream<Arguments> constraints() {
        return Stream.of(
                Arguments.of("model outside the list", "", "{\"models\":[\"sim-gpt-mini\"]}", 403,
                        "The policy does not allow the model 'sim-gpt'."),
                Arguments.of("model on the list", "", "{\"models\":[\"sim-gpt\"]}", 200, "{}"),
                Arguments.of("cap lowers max_tokens", ",\"max_tokens\":4096", "{\"max_tokens\":256}", 200,
                        "{\"max_tokens\":256}"),
                Arguments.of("cap lowers max_completion_tokens", ",\"max_completion_tokens\":4096",
                        "{\"max_tokens\":256}", 200, "{\"max_completion_tokens\":256}"),
                Arguments.of("cap set when absent", "", "{\"max_tokens\":256}", 200,
                        "{\"max_completion_tokens\":256}"),
                Arguments.of("cap above the request", ",\"max_tokens\":10", "{\"max_tokens\":256}", 200, "{}"),
                Arguments.of("tool removed with its tool_choice", ",\"tools\":[" + WEATHER + "," + SHELL
                        + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"run_shell\"}}",
                        "{\"tools\":[\"get_weather\"]}", 200, "{\"tools\":[" + WEATHER + "]}"),
                Arguments.of("tool denied", ",\"tools\":[" + WEATHER + "," + SHELL + "]",
                        "{\"tools\":[\"get_weather\"],\"tools_mode\":\"deny\"}", 403,
                        "The policy does not allow these tools: run_shell."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constraints")
    void constraintsAreEnforced(String label, String members, String constraints, int status, String expected) {
        opa().decide(FakeOpa.decision(true).put("constraints", new JsonObject(constraints)));
        String body = "{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + members + "}";
        Response response = post(body);
        response.then().statusCode(status).header("X-Portcullis-Decision-Id", opa().lastDecisionId());
        if (status == 403) {
            response.then().body("error.code", equalTo("policy_denied")).body("error.message", equalTo(expected));
            assertThat(simulator().requests()).isEmpty();
            return;
        }
        String forwarded = simulator().lastRequest().orElseThrow().bodyText();
        Integer cap = new JsonObject(constraints).getInteger("max_tokens");
        response.then().header("X-Portcullis-Max-Tokens", cap == null ? nullValue() : equalTo(cap.toString()));
        JsonObject changes = new JsonObject(expected);
        if (changes.isEmpty()) {
            assertThat(forwarded).isEqualTo(body);
            return;
        }
        JsonObject sent = new JsonObject(forwarded);
        changes.forEach(entry -> assertThat(sent.getValue(entry.getKey())).as(entry.getKey())
                .isEqualTo(entry.getValue()));
        assertThat(sent.containsKey("tool_choice")).isFalse();
    }

    @Test
    void streamedRequestIsCapped() {
        opa().decide(FakeOpa.decision(true).put("constraints", new JsonObject().put("max_tokens", 16)));
        String body = post(chat(Map.of()).put("stream", true).encode()).then().statusCode(200)
                .header("X-Portcullis-Max-Tokens", "16").extract().asString();
        assertThat(body).endsWith("data: [DONE]\n\n");
        JsonObject sent = new JsonObject(simulator().lastRequest().orElseThrow().bodyText());
        assertThat(sent.getInteger("max_completion_tokens")).isEqualTo(16);
        assertThat(sent.getBoolean("stream")).isTrue();
    }

    @Test
    void maskingDecisionIsApplied() {
        opa().decide(FakeOpa.decision(true).put("mask", new JsonObject()
                .put("prompt", new JsonArray().add("EMAIL_ADDRESS")).put("mode", "redact")));
        String body = "{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Mail jane@example.com\"}]}";
        post(body).then().statusCode(200);
        assertThat(simulator().lastRequest().orElseThrow().bodyText()).contains("Mail [EMAIL_ADDRESS]")
                .doesNotContain("jane@example.com");
    }

    @Test
    void restoreWithRedactionIsInvalid() {
        opa().decide(FakeOpa.decision(true).put("mask", new JsonObject()
                .put("prompt", new JsonArray().add("EMAIL_ADDRESS")).put("mode", "redact").put("restore", true)));
        post(chat(Map.of()).encode()).then().statusCode(503).body("error.code", equalTo("policy_invalid"));
        assertThat(simulator().requests()).isEmpty();
    }

    @Test
    void approvalHoldsRequest() {
        opa().decide(FakeOpa.decision(true).put("approval", new JsonObject().put("required", true)
                .put("approver_groups", new JsonArray().add("approvers")).put("ttl_seconds", 60)
                .put("reason", "held by the fake policy")));
        given().auth().oauth2(Tokens.alice()).contentType("application/json").header("Prefer", "respond-async")
                .body(chat(Map.of("marker", java.util.UUID.randomUUID().toString())).encode())
                .when().post("/v1/chat/completions")
                .then().statusCode(202)
                .header("Location", org.hamcrest.Matchers.startsWith("/v1/approvals/"))
                .body("status", equalTo("pending"))
                .body("reason", equalTo("held by the fake policy"));
        assertThat(simulator().requests()).isEmpty();
    }

    /** Lists the cases, each with a label, how the fake OPA misbehaves, and the expected error code. */
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("malformed: allow a string", (Consumer<FakeOpa>) opa -> opa.decide(
                        FakeOpa.decision(true).put("allow", "true")), "policy_invalid"),
                Arguments.of("malformed: version missing", (Consumer<FakeOpa>) opa -> opa.decide(
                        new JsonObject().put("allow", true)), "policy_invalid"),
                Arguments.of("malformed: unknown member", (Consumer<FakeOpa>) opa -> opa.decide(
                        FakeOpa.decision(true).put("constraint", new JsonObject())), "policy_invalid"),
                Arguments.of("malformed: result not an object", (Consumer<FakeOpa>) opa -> opa.answer(200,
                        "{\"result\": true}"), "policy_invalid"),
                Arguments.of("undefined result", (Consumer<FakeOpa>) opa -> opa.answer(200, "{}"), "policy_invalid"),
                Arguments.of("garbage body", (Consumer<FakeOpa>) opa -> opa.answer(200, "<html>oops"),
                        "policy_invalid"),
                Arguments.of("JSON array body", (Consumer<FakeOpa>) opa -> opa.answer(200, "[]"), "policy_invalid"),
                Arguments.of("slow past the timeout", (Consumer<FakeOpa>) opa -> opa.delay(2000),
                        "policy_unavailable"),
                Arguments.of("HTTP 500", (Consumer<FakeOpa>) opa -> opa.answer(500,
                        "{\"code\": \"internal_error\", \"message\": \"eval_conflict_error\"}"), "policy_unavailable"),
                Arguments.of("HTTP 400", (Consumer<FakeOpa>) opa -> opa.answer(400,
                        "{\"code\": \"invalid_parameter\"}"), "policy_unavailable"),
                Arguments.of("connection closed without an answer", (Consumer<FakeOpa>) FakeOpa::closeConnections,
                        "policy_unavailable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void policyFailureRejectsRequest(String label, Consumer<FakeOpa> misbehave, String code) {
        misbehave.accept(opa());
        Instant start = Instant.now();
        post(chat(Map.of()).encode()).then().statusCode(503)
                .body("error.type", equalTo("server_error"))
                .body("error.code", equalTo(code));
        post(chat(Map.of()).put("stream", true).encode()).then().statusCode(503)
                .body("error.code", equalTo(code));
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofMillis(1800));
        assertThat(simulator().requests()).isEmpty();
    }

    @Test
    void refusedConnectionRejectsRequest() {
        opa().stopListening();
        try {
            post(chat(Map.of()).encode()).then().statusCode(503)
                    .body("error.code", equalTo("policy_unavailable"));
            given().auth().oauth2(Tokens.alice()).when().get("/v1/models").then().statusCode(503)
                    .body("error.code", equalTo("policy_unavailable"));
        } finally {
            opa().resumeListening();
        }
        assertThat(simulator().requests()).isEmpty();
        post(chat(Map.of()).encode()).then().statusCode(200);
    }

    @Test
    void outcomesAreCounted() {
        post(chat(Map.of()).encode()).then().statusCode(200);
        opa().decide(FakeOpa.decision(false));
        post(chat(Map.of()).encode()).then().statusCode(403);
        opa().answer(200, "{}");
        post(chat(Map.of()).encode()).then().statusCode(503);
        opa().answer(503, "");
        post(chat(Map.of()).encode()).then().statusCode(503);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String outcome : List.of("allow", "deny", "invalid", "unavailable")) {
            assertThat(metrics).containsPattern("portcullis_policy_decisions_total\\{outcome=\"" + outcome
                    + "\"\\} [1-9]");
            assertThat(metrics).containsPattern("portcullis_policy_round_trip_seconds_count\\{outcome=\"" + outcome
                    + "\"\\} [1-9]");
        }
    }

    @Test
    void modelListFollowsConstraints() {
        opa().decide(FakeOpa.decision(true).put("constraints", new JsonObject()
                .put("models", new JsonArray().add("sim-gpt-mini"))));
        List<String> ids = given().auth().oauth2(Tokens.alice()).when().get("/v1/models").then().statusCode(200)
                .header("X-Portcullis-Decision-Id", opa().lastDecisionId())
                .extract().jsonPath().getList("data.id", String.class);
        assertThat(ids).containsExactly("sim-gpt-mini");
        assertThat(opa().lastInput().getJsonObject("request")).isEqualTo(new JsonObject().put("api", "models.list"));
        assertThat(opa().lastInput().getValue("session")).isNull();
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models/sim-gpt-mini").then().statusCode(200);
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models/sim-gpt").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"));
    }

    @Test
    void modelListWithoutConstraintsShowsAll() {
        List<String> ids = given().auth().oauth2(Tokens.alice()).when().get("/v1/models").then().statusCode(200)
                .extract().jsonPath().getList("data.id", String.class);
        assertThat(ids).containsExactlyElementsOf(registry.models().keySet());
        assertThat(ids).contains("down-model", "sim-gpt", "sim-gpt-mini");
    }

    @Test
    void deniedModelListIsForbidden() {
        opa().decide(FakeOpa.decision(false).put("reasons", new JsonArray().add("auditors list nothing")));
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models").then().statusCode(403)
                .body("error.code", equalTo("policy_denied"))
                .body("error.message", equalTo("auditors list nothing"));
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models/sim-gpt").then().statusCode(403);
    }

    @Test
    void invalidModelListDecisionFails() {
        opa().answer(200, "{}");
        given().auth().oauth2(Tokens.alice()).when().get("/v1/models").then().statusCode(503)
                .body("error.code", equalTo("policy_invalid"));
    }

    private static void withLogs(Consumer<ExtLogRecord> sink, Runnable action) {
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record instanceof ExtLogRecord extended) {
                    extended.copyMdc();
                    sink.accept(extended);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
        try {
            action.run();
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
    }

    private static Response post(String body) {
        return given().auth().oauth2(Tokens.alice()).contentType("application/json").body(body)
                .when().post("/v1/chat/completions");
    }

    private static JsonObject chat(Map<String, String> metadata) {
        JsonObject request = new JsonObject().put("model", "sim-gpt").put("messages",
                new JsonArray().add(new JsonObject().put("role", "user").put("content", "Say hello.")));
        if (!metadata.isEmpty()) {
            request.put("metadata", new JsonObject(Map.copyOf(metadata)));
        }
        return request;
    }

    private static FakeOpa opa() {
        return GatewayStackResource.policy;
    }

    private static UpstreamSimulator simulator() {
        return GatewayStackResource.simulator;
    }
}
