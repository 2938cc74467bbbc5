package io.portcullis.masking;

import io.portcullis.policy.FakeOpaPolicyTest;
import io.portcullis.simulator.UpstreamSimulator;
import io.portcullis.testsupport.FakeOpa;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Masking end to end: the fake OPA decides how to mask, the upstream simulator records what it
 * receives and answers with known text, and PostgreSQL stores the session's pseudonyms.
 */
@QuarkusTest
@TestProfile(FakeOpaPolicyTest.FakeOpaProfile.class)
@QuarkusTestResource(GatewayStackResource.class)
class MaskingThroughGatewayTest {

    private static final String PROMPT = "Mail jane.doe@example.com about SSN 078-05-1120, please.";
    private static final String ANSWER = "Reach bob@example.org or +1 415-555-0132 today.";

    @Inject
    Pool database;

    @BeforeEach
    void reset() {
        opa().reset();
        simulator().clear();
    }

    @Test
    void redactedPromptAndAnswer() {
        opa().decide(mask("redact", List.of("EMAIL_ADDRESS", "US_SSN"), List.of("EMAIL_ADDRESS", "PHONE_NUMBER"),
                false));
        Response response = post(chat(PROMPT, answer(ANSWER)), null);
        response.then().statusCode(200);
        assertThat(upstreamContent()).isEqualTo("Mail [EMAIL_ADDRESS] about SSN [US_SSN], please.");
        assertThat(response.jsonPath().getString("choices[0].message.content"))
                .isEqualTo("Reach [EMAIL_ADDRESS] or [PHONE_NUMBER] today.");
    }

    @Test
    void streamedAnswerIsMaskedOnTheFly() {
        opa().decide(mask("redact", List.of(), List.of("EMAIL_ADDRESS", "PHONE_NUMBER"), false));
        for (String chunking : List.of("event", "bytes:1", "random:7", "random:99")) {
            JsonObject metadata = answer(ANSWER).put("sim_delta_chars", "2").put("sim_chunking", chunking);
            String body = post(chat(PROMPT, metadata).put("stream", true), null).then().statusCode(200)
                    .extract().asString();
            assertThat(streamedContent(body)).as(chunking).isEqualTo("Reach [EMAIL_ADDRESS] or [PHONE_NUMBER] today.");
            assertThat(body).as(chunking).doesNotContain("bob@").doesNotContain("0132").endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void entitySplitAcrossChunksIsMasked() {
        opa().decide(mask("redact", List.of(), List.of("EMAIL_ADDRESS"), false));
        // One character per delta: every prefix of the address arrives on its own.
        JsonObject metadata = answer("Contact jane.doe@example.com now").put("sim_delta_chars", "1");
        String body = post(chat("hi", metadata).put("stream", true), null).then().statusCode(200)
                .extract().asString();
        assertThat(streamedContent(body)).isEqualTo("Contact [EMAIL_ADDRESS] now");
        assertThat(body).doesNotContain("jane").doesNotContain("example.com");
    }

    @Test
    void pseudonymsHoldAcrossTurnsAndAreRestored() {
        String session = "mask-" + UUID.randomUUID();
        opa().decide(mask("pseudonymize", List.of("EMAIL_ADDRESS"), List.of("EMAIL_ADDRESS"), true));
        String first = "Write to jane.doe@example.com and ops@example.net";
        Response response = post(chat(first, new JsonObject().put("sim_echo", "true")), session);
        response.then().statusCode(200);
        assertThat(upstreamContent()).isEqualTo("Write to <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>");
        // The simulator echoes the placeholders; the caller gets its own addresses back.
        assertThat(response.jsonPath().getString("choices[0].message.content")).isEqualTo(first);

        String body = post(chat("Again ops@example.net", new JsonObject().put("sim_echo", "true")
                .put("sim_delta_chars", "3")).put("stream", true), session).then().statusCode(200)
                .extract().asString();
        assertThat(upstreamContent()).isEqualTo("Again <EMAIL_ADDRESS_2>");
        assertThat(streamedContent(body)).isEqualTo("Again ops@example.net");

        List<Row> rows = pseudonymRows(session);
        assertThat(rows).hasSize(2);
        for (Row row : rows) {
            String stored = new String(row.getBuffer("value_sealed").getBytes(), StandardCharsets.ISO_8859_1)
                    + new String(row.getBuffer("value_digest").getBytes(), StandardCharsets.ISO_8859_1);
            assertThat(stored).doesNotContain("jane.doe").doesNotContain("example.net");
        }
    }

    @Test
    void placeholdersStayWithoutRestore() {
        opa().decide(mask("pseudonymize", List.of("EMAIL_ADDRESS"), List.of("EMAIL_ADDRESS"), false));
        Response response = post(chat("Write to jane.doe@example.com", new JsonObject().put("sim_echo", "true")),
                null);
        response.then().statusCode(200);
        assertThat(response.jsonPath().getString("choices[0].message.content")).isEqualTo("Write to <EMAIL_ADDRESS_1>");
    }

    @Test
    void toolArgumentsAndResultsAreMasked() {
        opa().decide(mask("redact", List.of("EMAIL_ADDRESS"), List.of(), false));
        JsonObject call = new JsonObject().put("id", "call_1").put("type", "function").put("function",
                new JsonObject().put("name", "lookup_customer").put("arguments", "{\"email\":\"jane.doe@example.com\"}"));
        JsonArray messages = new JsonArray()
                .add(new JsonObject().put("role", "user").put("content", "Who is the customer?"))
                .add(new JsonObject().put("role", "assistant").putNull("content")
                        .put("tool_calls", new JsonArray().add(call)))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1")
                        .put("content", new JsonArray().add(new JsonObject().put("type", "text")
                                .put("text", "Found: ops@example.net"))));
        post(new JsonObject().put("model", "sim-gpt").put("messages", messages), null).then().statusCode(200);
        JsonObject received = new JsonObject(simulator().lastRequest().orElseThrow().bodyText());
        JsonArray forwarded = received.getJsonArray("messages");
        assertThat(forwarded.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
                .getString("arguments")).isEqualTo("{\"email\":\"[EMAIL_ADDRESS]\"}");
        assertThat(forwarded.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
                .getString("name")).isEqualTo("lookup_customer");
        assertThat(forwarded.getJsonObject(2).getJsonArray("content").getJsonObject(0).getString("text"))
                .isEqualTo("Found: [EMAIL_ADDRESS]");
    }

    private List<Row> pseudonymRows(String session) {
        List<Row> rows = new ArrayList<>();
        database.preparedQuery("SELECT value_sealed, value_digest FROM session_pseudonym WHERE session_id = $1")
                .execute(Tuple.of(session)).await().indefinitely().forEach(rows::add);
        return rows;
    }

    @Test
    void stopAndResponseFormatAreMasked() {
        opa().decide(mask("redact", List.of("EMAIL_ADDRESS"), List.of(), false));
        JsonObject body = chat("hi", new JsonObject())
                .put("stop", new JsonArray().add("stop.seq@example.com"))
                .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
                        new JsonObject().put("name", "x").put("schema", new JsonObject().put("type", "object")
                                .put("description", "Send to schema.desc@example.com"))));
        post(body, null).then().statusCode(200);

        String received = simulator().lastRequest().orElseThrow().bodyText();
        assertThat(received).doesNotContain("@example.com");
        JsonObject forwarded = new JsonObject(received);
        assertThat(forwarded.getJsonArray("stop").getString(0)).isEqualTo("[EMAIL_ADDRESS]");
        assertThat(forwarded.getJsonObject("response_format").getJsonObject("json_schema").getJsonObject("schema")
                .getString("description")).isEqualTo("Send to [EMAIL_ADDRESS]");
    }

    @Test
    void entityWhereMaskingCannotReachIsRejected() {
        opa().decide(mask("pseudonymize", List.of("EMAIL_ADDRESS"), List.of(), false));
        JsonObject namedMessage = new JsonObject().put("model", "sim-gpt").put("messages", new JsonArray()
                .add(new JsonObject().put("role", "user").put("name", "jane.doe@example.com").put("content", "hi")));
        JsonObject metadataKey = chat("hi", new JsonObject().put("key.email@example.com", "v"));
        for (JsonObject body : List.of(namedMessage, metadataKey)) {
            post(body, null).then().statusCode(400)
                    .body("error.code", equalTo("unmaskable_sensitive_data"))
                    .body("error.message", containsString("EMAIL_ADDRESS"))
                    .body("error.message", not(containsString("example.com")));
        }
        assertThat(simulator().requests()).isEmpty();
    }

    private static JsonObject mask(String mode, List<String> prompt, List<String> response, boolean restore) {
        return FakeOpa.decision(true).put("mask", new JsonObject().put("prompt", new JsonArray(prompt))
                .put("response", new JsonArray(response)).put("mode", mode).put("restore", restore));
    }

    private static JsonObject answer(String text) {
        return new JsonObject().put("sim_answer_b64",
                Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonObject chat(String content, JsonObject metadata) {
        return new JsonObject().put("model", "sim-gpt").put("metadata", metadata).put("messages",
                new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    }

    private static Response post(JsonObject body, String session) {
        var request = given().auth().oauth2(Tokens.alice()).contentType("application/json").body(body.encode());
        if (session != null) {
            request = request.header("X-Session-Id", session);
        }
        return request.when().post("/v1/chat/completions");
    }

    private static String upstreamContent() {
        JsonObject received = new JsonObject(simulator().lastRequest().orElseThrow().bodyText());
        return received.getJsonArray("messages").getJsonObject(0).getString("content");
    }

    /** Joins the content deltas of choice 0 of an SSE body. */
    static String streamedContent(String body) {
        StringBuilder content = new StringBuilder();
        for (String event : body.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                    JsonObject chunk = new JsonObject(line.substring(6));
                    for (Object choice : chunk.getJsonArray("choices", new JsonArray())) {
                        JsonObject delta = ((JsonObject) choice).getJsonObject("delta");
                        if (delta != null && delta.getValue("content") instanceof String text) {
                            content.append(text);
                        }
                    }
                }
            }
        }
        return content.toString();
    }

    private static FakeOpa opa() {
        return GatewayStackResource.policy;
    }

    private static UpstreamSimulator simulator() {
        return GatewayStackResource.simulator;
    }
}
