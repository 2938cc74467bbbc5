package io.portcullis.api;

import io.portcullis.simulator.ReceivedRequest;
import io.portcullis.simulator.UpstreamSimulator;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.RawHttp;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

/** The chat completions proxy against the upstream simulator, with real Keycloak tokens and PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class ChatCompletionsTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @TestHTTPResource("/")
    URL gateway;

    @BeforeEach
    void clearSimulator() {
        simulator().clear();
    }

    @Test
    void nonStreamedCompletionIsRelayed() {
        post(Tokens.alice(), request(false, Map.of()))
                .then().statusCode(200)
                .header("Content-Type", matchesPattern("application/json.*"))
                .header("X-Request-Id", matchesPattern(UUID_PATTERN))
                .header("X-Session-Id", matchesPattern(UUID_PATTERN))
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"));
    }

    @Test
    void agentCanCallModel() {
        post(Tokens.buildAgent(), request(false, Map.of())).then().statusCode(200);
    }

    static Stream<Arguments> recordingsAndChunkings() {
        List<String> recordings = List.of("openai-chat_plain-text_usage-free", "openai-chat_agent-run.1",
                "openai-chat_agent-run.3", "openai-chat_n3-multi-choice", "openai-chat_parallel-tool-calls",
                "openai-chat_refusal-single-chunk", "azure-chat_4-tool-calls_async-filter", "vllm-style_crusoe.1",
                "hf-router-novita.1", "openai-chat_moderation.1", "openai-chat_tool-call-whitespace-args");
        List<String> chunkings = List.of("event", "bytes:7", "random:11");
        return recordings.stream().flatMap(r -> chunkings.stream().map(c -> Arguments.of(r, c)));
    }

    @ParameterizedTest(name = "{0} with {1} writes")
    @MethodSource("recordingsAndChunkings")
    void streamIsRelayedByteForByte(String recording, String chunking) throws IOException {
        String body = post(Tokens.alice(), request(true, Map.of("sim_recording", recording, "sim_chunking", chunking)))
                .then().statusCode(200)
                .header("Content-Type", matchesPattern("text/event-stream.*"))
                .extract().body().asString();
        assertThat(body).isEqualTo(recordingText(recording));
    }

    @Test
    void allowedToolCallsAreRelayedByteForByte() throws IOException {
        JsonArray tools = new JsonArray();
        for (String name : List.of("get_weather", "get_time")) {
            tools.add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)));
        }
        GatewayStackResource.policy.reset();
        JsonObject request = request(true, Map.of("sim_recording", "openai-chat_parallel-tool-calls"))
                .put("tools", tools);
        String body = post(Tokens.alice(), request).then().statusCode(200).extract().body().asString();
        assertThat(body).isEqualTo(recordingText("openai-chat_parallel-tool-calls"));
        assertThat(GatewayStackResource.policy.toolCallInputs()).hasSize(2);
    }

    @Test
    void usageChunkIsRelayed() {
        JsonObject request = request(true, Map.of("sim_recording", "openai-chat_agent-run.1"))
                .put("stream_options", new JsonObject().put("include_usage", true));
        String body = post(Tokens.alice(), request).then().statusCode(200).extract().body().asString();
        assertThat(body).contains("\"choices\":[],\"usage\":");
        assertThat(simulator().lastRequest().orElseThrow().bodyText()).contains("\"include_usage\":true");
    }

    @Test
    void multipleChoicesAreRelayed() {
        JsonObject request = request(true, Map.of()).put("n", 3);
        String body = post(Tokens.alice(), request).then().statusCode(200).extract().body().asString();
        assertThat(body).contains("\"index\":2");
        assertThat(body).endsWith("data: [DONE]\n\n");
    }

    @Test
    void nonStreamedToolCallsAreRelayed() {
        JsonObject request = request(false, Map.of("sim_recording", "openai-chat_parallel-tool-calls"))
                .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
                        .put("function", new JsonObject().put("name", "get_weather"))));
        post(Tokens.alice(), request).then().statusCode(200)
                .body("choices[0].message.tool_calls", hasSize(2));
    }

    @Test
    void callerCredentialsNeverReachUpstream() {
        String token = Tokens.alice();
        given().header("Authorization", "Bearer " + token)
                .header("Cookie", "session=caller-cookie-value")
                .header("X-Api-Key", "caller-api-key")
                .contentType("application/json")
                .body(request(false, Map.of()).encode())
                .when().post("/v1/chat/completions")
                .then().statusCode(200);
        ReceivedRequest received = simulator().lastRequest().orElseThrow();
        assertThat(received.bearerToken()).contains(GatewayStackResource.SIMULATOR_API_KEY);
        assertThat(received.header("Cookie")).isEmpty();
        assertThat(received.header("X-Api-Key")).isEmpty();
        assertThat(received.headers().toString()).doesNotContain(token);
        assertThat(received.headers().toString()).doesNotContain("caller-cookie-value");
    }

    @Test
    void upstreamKeyNeverReachesCaller() {
        Response response = post(Tokens.alice(), request(false, Map.of("sim_fault", "status:401")));
        response.then().statusCode(502).body("error.code", equalTo("upstream_auth_failed"));
        assertThat(response.asString()).doesNotContain(GatewayStackResource.SIMULATOR_API_KEY);
        assertThat(response.headers().toString()).doesNotContain(GatewayStackResource.SIMULATOR_API_KEY);
    }

    @Test
    void requestIdIsEchoed() {
        given().header("Authorization", "Bearer " + Tokens.alice()).header("X-Request-Id", "trace-42.a")
                .contentType("application/json").body(request(false, Map.of()).encode())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).header("X-Request-Id", "trace-42.a");
        // Only UUIDs go upstream: llama-cpp-python rejects other request ids.
        assertThat(simulator().lastRequest().orElseThrow().header("X-Request-Id")).isEmpty();
    }

    @Test
    void generatedRequestIdGoesUpstream() {
        String requestId = post(Tokens.alice(), request(false, Map.of())).then().statusCode(200)
                .extract().header("X-Request-Id");
        assertThat(simulator().lastRequest().orElseThrow().header("X-Request-Id")).contains(requestId);
    }

    @Test
    void unsafeRequestIdIsReplaced() {
        given().header("Authorization", "Bearer " + Tokens.alice()).header("X-Request-Id", "bad id\twith spaces")
                .contentType("application/json").body(request(false, Map.of()).encode())
                .when().post("/v1/chat/completions")
                .then().statusCode(200).header("X-Request-Id", matchesPattern(UUID_PATTERN));
    }

    @Test
    void ownSessionCanBeContinued() {
        String session = "review-" + UUID.randomUUID();
        postInSession(Tokens.alice(), session).then().statusCode(200).header("X-Session-Id", session);
        postInSession(Tokens.alice(), session).then().statusCode(200).header("X-Session-Id", session);
    }

    @Test
    void otherIdentityCannotJoinSession() {
        String session = "private-" + UUID.randomUUID();
        postInSession(Tokens.alice(), session).then().statusCode(200);
        int before = simulator().requests().size();
        postInSession(Tokens.bob(), session).then().statusCode(403)
                .body("error.code", equalTo("session_forbidden"));
        assertThat(simulator().requests()).hasSize(before);
    }

    @Test
    void invalidSessionIdIsRejected() {
        postInSession(Tokens.alice(), "has spaces and ;").then().statusCode(400)
                .body("error.code", equalTo("invalid_session_id"));
        postInSession(Tokens.alice(), "x".repeat(129)).then().statusCode(400);
    }

    @Test
    void invalidJsonIsRejected() {
        given().header("Authorization", "Bearer " + Tokens.alice()).contentType("application/json")
                .body("{\"model\": \"sim-gpt\", ").when().post("/v1/chat/completions")
                .then().statusCode(400)
                .header("X-Request-Id", notNullValue())
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_json"));
    }

    @Test
    void invalidFieldsAreRejected() {
        Map<String, JsonObject> cases = Map.of(
                "model", new JsonObject().put("messages", messages()),
                "messages", new JsonObject().put("model", "sim-gpt").put("messages", new JsonArray()),
                "messages[0].role", new JsonObject().put("model", "sim-gpt")
                        .put("messages", new JsonArray().add(new JsonObject().put("role", "robot"))),
                "stream", request(false, Map.of()).put("stream", "yes"),
                "n", request(false, Map.of()).put("n", 0),
                "max_tokens", request(false, Map.of()).put("max_tokens", -5),
                "stream_options", request(false, Map.of()).put("stream_options", new JsonObject()),
                "temperature", request(false, Map.of()).put("temperature", 7));
        cases.forEach((param, body) -> post(Tokens.alice(), body)
                .then().statusCode(400)
                .body("error.param", equalTo(param))
                .body("error.code", equalTo("invalid_request")));
        assertThat(simulator().requests()).isEmpty();
    }

    @Test
    void unknownModelIsNotFound() {
        post(Tokens.alice(), request(false, Map.of()).put("model", "gpt-unknown"))
                .then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"));
    }

    @Test
    void oversizedBodyIsRejected() {
        JsonObject request = request(false, Map.of());
        request.getJsonArray("messages").getJsonObject(0).put("content", "x".repeat(70_000));
        post(Tokens.alice(), request).then().statusCode(413)
                .body("error.code", equalTo("request_too_large"));
        assertThat(simulator().requests()).isEmpty();
    }

    @Test
    void oversizedHeadersAreRejected() {
        given().header("Authorization", "Bearer " + Tokens.alice()).header("X-Padding", "p".repeat(20_000))
                .contentType("application/json").body(request(false, Map.of()).encode())
                .when().post("/v1/chat/completions")
                .then().statusCode(431);
    }

    @Test
    void upstreamRateLimitPassesThrough() {
        post(Tokens.alice(), request(false, Map.of("sim_fault", "status:429")))
                .then().statusCode(429).header("Retry-After", "7").body("error", notNullValue());
        post(Tokens.alice(), request(true, Map.of("sim_fault", "status:429")))
                .then().statusCode(429).header("Retry-After", "7");
    }

    @Test
    void upstreamBadRequestPassesThrough() {
        post(Tokens.alice(), request(false, Map.of("sim_fault", "status:400")))
                .then().statusCode(400).body("error", notNullValue());
    }

    @Test
    void upstreamServerErrorIsBadGateway() {
        post(Tokens.alice(), request(false, Map.of("sim_fault", "status:500")))
                .then().statusCode(502).body("error.code", equalTo("upstream_error"));
        post(Tokens.alice(), request(false, Map.of("sim_fault", "status:503")))
                .then().statusCode(502).header("Retry-After", "7");
    }

    @Test
    void unreachableUpstreamIsBadGateway() {
        post(Tokens.alice(), request(false, Map.of()).put("model", "down-model"))
                .then().statusCode(502).body("error.code", equalTo("upstream_unavailable"));
    }

    @Test
    void slowFirstByteIsGatewayTimeout() {
        Instant start = Instant.now();
        post(Tokens.alice(), request(true, Map.of("sim_first_byte_delay_ms", "6000")))
                .then().statusCode(504).body("error.code", equalTo("upstream_timeout"));
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void hangingNonStreamIsGatewayTimeout() {
        post(Tokens.alice(), request(false, Map.of("sim_fault", "hang")))
                .then().statusCode(504).body("error.code", equalTo("upstream_timeout"));
    }

    @Test
    void hangingStreamEndsWithErrorEvent() {
        String body = streamBody(Map.of("sim_fault", "hang"));
        assertErrorEnd(body, "upstream_timeout");
    }

    @Test
    void midstreamErrorIsRelayedWithoutDone() {
        String body = streamBody(Map.of("sim_fault", "midstream_error"));
        assertThat(body).contains("data: {\"error\"");
        assertThat(body).doesNotContain("[DONE]");
    }

    @Test
    void recordedErrorEventEndsStream() {
        String body = streamBody(Map.of("sim_recording", "groq_error-event-midstream.1"));
        assertThat(body).contains("\"error\"");
        assertThat(body).doesNotContain("[DONE]");
    }

    @Test
    void truncatedStreamEndsWithErrorEvent() {
        assertErrorEnd(streamBody(Map.of("sim_fault", "truncate", "sim_chunking", "bytes:13")),
                "upstream_stream_truncated");
    }

    @Test
    void garbageEndsWithErrorEvent() {
        assertErrorEnd(streamBody(Map.of("sim_fault", "garbage")), "upstream_invalid_response");
    }

    @Test
    void resetEndsWithErrorEvent() {
        assertErrorEnd(streamBody(Map.of("sim_fault", "reset")), "upstream_stream_truncated");
    }

    @Test
    void clientDisconnectClosesUpstream() throws Exception {
        JsonObject request = request(true, Map.of("sim_repeat", "200", "sim_delay_ms", "20"));
        try (RawHttp connection = RawHttp.post(gateway.getPort(), "/v1/chat/completions", Tokens.alice(),
                request.encode())) {
            assertThat(connection.read(600)).startsWith("HTTP/1.1 200");
        }
        ReceivedRequest received = awaitUpstream(r -> r.clientClosedEarly() || r.completed());
        assertThat(received.clientClosedEarly()).isTrue();
        assertThat(received.completed()).isFalse();
    }

    @Test
    void slowReaderStallsUpstream() throws Exception {
        // About 200 MB if written in full: far more than socket buffers and write queues hold.
        JsonObject request = request(true, Map.of("sim_recording", "openai-chat_plain-text_usage-free",
                "sim_repeat", "1000000"));
        try (RawHttp connection = RawHttp.post(gateway.getPort(), "/v1/chat/completions", Tokens.alice(),
                request.encode())) {
            assertThat(connection.read(400)).startsWith("HTTP/1.1 200");
            // Socket buffers grow for a while after the reader stops, so wait until the
            // upstream's writes level off: less than 256 KiB more within one second.
            long previous;
            long current = simulator().lastRequest().orElseThrow().bytesWritten();
            Instant deadline = Instant.now().plusSeconds(15);
            do {
                Thread.sleep(1000);
                previous = current;
                current = simulator().lastRequest().orElseThrow().bytesWritten();
            } while (current - previous >= 256 * 1024 && Instant.now().isBefore(deadline));
            assertThat(current - previous).as("upstream writes level off").isLessThan(256L * 1024);
            assertThat(current).as("bytes written before the stall").isLessThan(32L * 1024 * 1024);
        }
        awaitUpstream(ReceivedRequest::clientClosedEarly);
    }

    private static ReceivedRequest awaitUpstream(java.util.function.Predicate<ReceivedRequest> condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            ReceivedRequest last = simulator().lastRequest().orElse(null);
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        return simulator().lastRequest().orElseThrow();
    }

    private static void assertErrorEnd(String body, String code) {
        assertThat(body).doesNotContain("[DONE]");
        String lastEvent = body.strip().substring(body.strip().lastIndexOf("data: "));
        JsonObject error = new JsonObject(lastEvent.substring("data: ".length())).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo(code);
        assertThat(error.getString("message")).isNotBlank();
    }

    private static String streamBody(Map<String, String> metadata) {
        return post(Tokens.alice(), request(true, metadata)).then().statusCode(200).extract().body().asString();
    }

    private static Response postInSession(String token, String session) {
        return given().header("Authorization", "Bearer " + token).header("X-Session-Id", session)
                .contentType("application/json").body(request(false, Map.of()).encode())
                .when().post("/v1/chat/completions");
    }

    static Response post(String token, JsonObject body) {
        return given().header("Authorization", "Bearer " + token)
                .contentType("application/json").body(body.encode())
                .when().post("/v1/chat/completions");
    }

    static JsonObject request(boolean stream, Map<String, String> metadata) {
        JsonObject request = new JsonObject().put("model", "sim-gpt").put("messages", messages());
        if (stream) {
            request.put("stream", true);
        }
        if (!metadata.isEmpty()) {
            request.put("metadata", new JsonObject(Map.copyOf(metadata)));
        }
        return request;
    }

    private static JsonArray messages() {
        return new JsonArray().add(new JsonObject().put("role", "user").put("content", "Say hello."));
    }

    private static String recordingText(String name) throws IOException {
        try (InputStream in = ChatCompletionsTest.class.getResourceAsStream("/sse/" + name + ".sse")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static UpstreamSimulator simulator() {
        return GatewayStackResource.simulator;
    }
}
