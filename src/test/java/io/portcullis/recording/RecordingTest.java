package io.portcullis.recording;

import io.portcullis.simulator.UpstreamSimulator;
import io.portcullis.testsupport.FakeOpa;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.KeycloakTokens;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Session recording through the gateway, with real Keycloak tokens and PostgreSQL: what each
 * request leaves in its session, the replay API, and tamper detection.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class RecordingTest {

    private static final List<String> COMPLETED_REQUEST = List.of("io.portcullis.request.received",
            "io.portcullis.decision.made", "io.portcullis.upstream.started", "io.portcullis.response.completed");

    @Inject
    RetentionJob retention;

    @BeforeEach
    void allowEverything() {
        GatewayStackResource.policy.reset();
        GatewayStackResource.simulator.clear();
    }

    @AfterEach
    void resetPolicy() {
        GatewayStackResource.policy.reset();
    }

    @Test
    void streamedAnswerIsRecordedAndReplayed() {
        String token = Tokens.alice();
        Response response = chat(token, null, request(true, Map.of("sim_delay_ms", "20")));
        response.then().statusCode(200);
        String sessionId = response.header("X-Session-Id");
        JsonObject timeline = awaitEvents(token, sessionId, 4);

        assertThat(types(timeline)).isEqualTo(COMPLETED_REQUEST);
        assertThat(timeline.encode()).doesNotContain(token);
        JsonObject received = event(timeline, 0).getJsonObject("data");
        assertThat(received.getJsonObject("identity").getString("username")).isEqualTo("alice");
        assertThat(received.getString("record")).isEqualTo("full");
        assertThat(received.getJsonObject("prompt").encode()).contains("Say hello.");
        JsonObject decision = event(timeline, 1).getJsonObject("data");
        assertThat(decision.getString("decision_id")).isEqualTo(response.header("X-Portcullis-Decision-Id"));
        assertThat(event(timeline, 2).getJsonObject("data").getString("upstream")).isEqualTo("sim");

        JsonObject completed = event(timeline, 3).getJsonObject("data");
        JsonObject answer = completed.getJsonObject("response");
        assertThat(completed.getInteger("status")).isEqualTo(200);
        assertThat(answer.getJsonArray("choices").getJsonObject(0).getString("content")).isNotEmpty();
        assertThat(dataLines(response.asString())).isEqualTo(chunkData(answer));

        String eventId = event(timeline, 3).getString("id");
        String replayed = given().header("Authorization", "Bearer " + token)
                .queryParam("speed", "1000")
                .when().get("/v1/sessions/" + sessionId + "/events/" + eventId + "/replay")
                .then().statusCode(200).header("Content-Type", "text/event-stream; charset=utf-8")
                .extract().asString();
        assertThat(dataLines(replayed)).isEqualTo(chunkData(answer));
    }

    @Test
    void replayKeepsRecordedOffsets() {
        String token = Tokens.alice();
        Response response = chat(token, null, request(true, Map.of("sim_delay_ms", "40")));
        String sessionId = response.header("X-Session-Id");
        JsonObject timeline = awaitEvents(token, sessionId, 4);
        JsonArray chunks = event(timeline, 3).getJsonObject("data").getJsonObject("response").getJsonArray("chunks");
        long lastOffset = chunks.getJsonObject(chunks.size() - 1).getLong("offset_ms");
        List<Long> offsets = chunks.stream().map(chunk -> ((JsonObject) chunk).getLong("offset_ms")).toList();
        assertThat(offsets).isSorted();
        // The simulator paused 40 ms between writes, so the recorded offsets span at least that much.
        assertThat(lastOffset).isGreaterThanOrEqualTo(40L * (chunks.size() - 2));

        long started = System.nanoTime();
        given().header("Authorization", "Bearer " + token).queryParam("speed", "2")
                .when().get("/v1/sessions/" + sessionId + "/events/" + event(timeline, 3).getString("id") + "/replay")
                .then().statusCode(200);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        // Timers never fire early, so a replay at speed 2 cannot end before half the recorded span.
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(lastOffset / 2);
    }

    @Test
    void maskedTextIsRecordedAsRelayed() {
        GatewayStackResource.policy.decide(FakeOpa.decision(true).put("mask", new JsonObject()
                .put("prompt", new JsonArray().add("EMAIL_ADDRESS"))
                .put("response", new JsonArray().add("EMAIL_ADDRESS"))
                .put("mode", "redact")));
        String token = Tokens.alice();
        String answer = "Write to carol.smith@example.org today.";
        JsonObject body = request(true, Map.of("sim_answer_b64",
                Base64.getEncoder().encodeToString(answer.getBytes(StandardCharsets.UTF_8))));
        body.getJsonArray("messages").getJsonObject(0).put("content", "My address is dan.jones@example.net.");
        Response response = chat(token, null, body);
        response.then().statusCode(200);
        JsonObject timeline = awaitEvents(token, response.header("X-Session-Id"), 4);

        String recorded = timeline.encode();
        assertThat(recorded).doesNotContain("dan.jones@example.net");
        assertThat(recorded).doesNotContain("carol.smith@example.org");
        JsonObject completed = event(timeline, 3).getJsonObject("data").getJsonObject("response");
        assertThat(chunkData(completed)).isEqualTo(dataLines(response.asString()));
        assertThat(completed.getJsonArray("choices").getJsonObject(0).getString("content")).startsWith("Write to ");
    }

    @Test
    void nonStreamedAnswerIsRecorded() {
        String token = Tokens.alice();
        Response response = chat(token, null, request(false, Map.of("sim_recording", "openai-chat_parallel-tool-calls"))
                .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
                        .put("function", new JsonObject().put("name", "get_weather")))));
        response.then().statusCode(200);
        JsonObject timeline = awaitEvents(token, response.header("X-Session-Id"), 4);
        JsonObject answer = event(timeline, 3).getJsonObject("data").getJsonObject("response");
        JsonArray toolCalls = answer.getJsonArray("choices").getJsonObject(0).getJsonArray("tool_calls");
        // The tool-call check may remove calls; the recording has the ones the caller got.
        List<String> sentNames = response.jsonPath().getList("choices[0].message.tool_calls.function.name");
        List<String> recordedNames = toolCalls.stream().map(call -> ((JsonObject) call).getString("name")).toList();
        assertThat(recordedNames).isEqualTo(sentNames == null ? List.of() : sentNames);
        assertThat(answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
                .isEqualTo(response.jsonPath().getString("choices[0].finish_reason"));
        assertThat(answer.getString("upstream_id")).isEqualTo(response.jsonPath().getString("id"));
    }

    @Test
    void metadataRecordingKeepsNoText() {
        GatewayStackResource.policy.decide(FakeOpa.decision(true).put("record", "metadata"));
        String token = Tokens.alice();
        Response response = chat(token, null, request(true, Map.of()));
        response.then().statusCode(200);
        String sessionId = response.header("X-Session-Id");
        JsonObject timeline = awaitEvents(token, sessionId, 4);
        assertThat(event(timeline, 0).getJsonObject("data").getString("record")).isEqualTo("metadata");
        assertThat(timeline.encode()).doesNotContain("Say hello.");
        JsonObject answer = event(timeline, 3).getJsonObject("data").getJsonObject("response");
        assertThat(answer.containsKey("chunks")).isFalse();
        assertThat(answer.getJsonArray("chunk_offsets_ms")).isNotEmpty();
        given().header("Authorization", "Bearer " + token)
                .when().get("/v1/sessions/" + sessionId + "/events/" + event(timeline, 3).getString("id") + "/replay")
                .then().statusCode(404).body("error.code", equalTo("event_not_found"));
    }

    @Test
    void deniedRequestIsRecordedWithoutPrompt() {
        GatewayStackResource.policy.decide(FakeOpa.decision(false).put("reasons", new JsonArray().add("not today")));
        String token = Tokens.alice();
        Response response = chat(token, null, request(false, Map.of()));
        response.then().statusCode(403);
        JsonObject timeline = awaitEvents(token, response.header("X-Session-Id"), 3);
        assertThat(types(timeline)).containsExactly("io.portcullis.request.received", "io.portcullis.decision.made",
                "io.portcullis.request.failed");
        assertThat(timeline.encode()).doesNotContain("Say hello.");
        assertThat(event(timeline, 1).getJsonObject("data").getJsonArray("reasons").getString(0)).isEqualTo("not today");
        JsonObject failed = event(timeline, 2).getJsonObject("data");
        assertThat(failed.getString("outcome")).isEqualTo("denied");
        assertThat(failed.getString("error_code")).isEqualTo("policy_denied");
        assertThat(failed.getInteger("status")).isEqualTo(403);
    }

    @Test
    void upstreamFailuresAreRecordedHonestly() {
        String token = Tokens.alice();
        String sessionId = "rec-failures-" + UUID.randomUUID();
        Response status500 = chat(token, sessionId, request(false, Map.of("sim_fault", "status:500")));
        status500.then().statusCode(502);
        Response errorEvent = chat(token, sessionId, request(true, Map.of("sim_fault", "midstream_error")));
        errorEvent.then().statusCode(200);
        Response truncated = chat(token, sessionId, request(true, Map.of("sim_fault", "truncate")));
        truncated.then().statusCode(200);
        JsonObject timeline = awaitEvents(token, sessionId, 12);

        JsonObject failed500 = outcome(timeline, status500);
        assertThat(failed500.getString("type")).isEqualTo("io.portcullis.request.failed");
        assertThat(failed500.getJsonObject("data").getString("outcome")).isEqualTo("upstream_failed");
        assertThat(failed500.getJsonObject("data").getInteger("status")).isEqualTo(502);
        assertThat(failed500.getJsonObject("data").getString("error_code")).isEqualTo("upstream_error");
        JsonObject failedEvent = outcome(timeline, errorEvent).getJsonObject("data");
        assertThat(failedEvent.getString("outcome")).isEqualTo("upstream_error_event");
        JsonObject failedTruncated = outcome(timeline, truncated).getJsonObject("data");
        assertThat(failedTruncated.getString("outcome")).isEqualTo("stream_failed");
        assertThat(failedTruncated.getString("error_code")).isEqualTo("upstream_stream_truncated");
        JsonArray chunks = failedTruncated.getJsonObject("response").getJsonArray("chunks");
        assertThat(chunks.getJsonObject(chunks.size() - 1).getString("data")).contains("upstream_stream_truncated");
    }

    /** Returns the last event of the request that got this response; the requests of a session may interleave. */
    private static JsonObject outcome(JsonObject timeline, Response response) {
        String requestId = response.header("X-Request-Id");
        List<JsonObject> events = timeline.getJsonArray("events").stream().map(JsonObject.class::cast)
                .filter(event -> requestId.equals(event.getString("request_id"))).toList();
        assertThat(events).hasSize(4);
        return events.get(3);
    }

    @Test
    void clientAbortIsRecorded() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-abort-" + UUID.randomUUID();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("X-Session-Id", sessionId)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request(true, Map.of("sim_fault", "hang")).encode()))
                .build();
        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        response.body().close();
        client.shutdownNow();
        JsonObject timeline = awaitEvents(token, sessionId, 4);
        JsonObject aborted = event(timeline, 3).getJsonObject("data");
        assertThat(aborted.getString("outcome")).isEqualTo("client_aborted");
        assertThat(aborted.getInteger("status")).isEqualTo(499);
    }

    @Test
    void concurrentRequestsFormOneChain() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-concurrent-" + UUID.randomUUID();
        int requests = 8;
        var pool = Executors.newFixedThreadPool(requests);
        List<CompletableFuture<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            statuses.add(CompletableFuture.supplyAsync(
                    () -> chat(token, sessionId, request(true, Map.of())).statusCode(), pool));
        }
        for (CompletableFuture<Integer> status : statuses) {
            assertThat(status.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        }
        pool.shutdown();
        JsonObject timeline = awaitEvents(token, sessionId, 4 * requests);
        JsonArray events = timeline.getJsonArray("events");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.getJsonObject(i).getLong("sequence")).isEqualTo(i + 1L);
        }
        verify(token, sessionId).then().statusCode(200).body("valid", equalTo(true))
                .body("event_count", equalTo(4 * requests));
    }

    @Test
    void verifyNamesFirstTamperedEvent() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-tamper-" + UUID.randomUUID();
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        JsonObject timeline = awaitEvents(token, sessionId, 8);
        verify(token, sessionId).then().statusCode(200).body("valid", equalTo(true))
                .body("first_invalid", equalTo(null));

        // The fifth event is the second request's request.received, which contains the prompt.
        String fifth = event(timeline, 4).getString("id");
        assertThat(RecordingDatabase.update("UPDATE session_event SET data = replace(data, 'Say hello.', 'Say bye.')"
                + " WHERE event_id = ?::uuid AND data LIKE '%Say hello.%'", fifth)).isEqualTo(1);
        verify(token, sessionId).then().statusCode(200)
                .body("valid", equalTo(false))
                .body("first_invalid.sequence", equalTo(5))
                .body("first_invalid.event_id", equalTo(fifth))
                .body("first_invalid.reason", equalTo("hash_mismatch"));
    }

    @Test
    void timelineShowsDataThatIsNoLongerJson() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-garbled-" + UUID.randomUUID();
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        awaitEvents(token, sessionId, 4);
        RecordingDatabase.update("UPDATE session_event SET data = 'garbled {' WHERE session_id = ? AND sequence = 2",
                sessionId);
        given().header("Authorization", "Bearer " + token).when().get("/v1/sessions/" + sessionId)
                .then().statusCode(200).body("events[1].data", equalTo("garbled {"));
        verify(token, sessionId).then().statusCode(200)
                .body("first_invalid.sequence", equalTo(2))
                .body("first_invalid.reason", equalTo("hash_mismatch"));
    }

    @Test
    void verifyDetectsRemovedEvents() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-removed-" + UUID.randomUUID();
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        awaitEvents(token, sessionId, 8);
        RecordingDatabase.update("DELETE FROM session_event WHERE session_id = ? AND sequence = 3", sessionId);
        verify(token, sessionId).then().statusCode(200)
                .body("valid", equalTo(false))
                .body("first_invalid.sequence", equalTo(3))
                .body("first_invalid.reason", equalTo("sequence_gap"));
        RecordingDatabase.update("DELETE FROM session_event WHERE session_id = ? AND sequence >= 3", sessionId);
        verify(token, sessionId).then().statusCode(200)
                .body("first_invalid.sequence", equalTo(3))
                .body("first_invalid.reason", equalTo("head_mismatch"));
    }

    @Test
    void sessionsAreVisibleToOwnerAndAuditors() {
        String alice = Tokens.alice();
        Response response = chat(alice, null, request(false, Map.of()));
        String sessionId = response.header("X-Session-Id");
        awaitEvents(alice, sessionId, 4);

        given().header("Authorization", "Bearer " + Tokens.bob())
                .when().get("/v1/sessions/" + sessionId)
                .then().statusCode(404).body("error.code", equalTo("session_not_found"));
        verify(Tokens.bob(), sessionId).then().statusCode(404);
        List<String> bobSees = given().header("Authorization", "Bearer " + Tokens.bob())
                .when().get("/v1/sessions?limit=500").then().statusCode(200).extract().jsonPath().getList("data.id");
        assertThat(bobSees).doesNotContain(sessionId);

        String dave = KeycloakTokens.person("dave");
        given().header("Authorization", "Bearer " + dave)
                .when().get("/v1/sessions/" + sessionId)
                .then().statusCode(200).body("username", equalTo("alice"));
        List<String> aliceSees = given().header("Authorization", "Bearer " + alice)
                .when().get("/v1/sessions?limit=500").then().statusCode(200).extract().jsonPath().getList("data.id");
        assertThat(aliceSees).contains(sessionId);
    }

    @Test
    void replayRejectsInvalidSpeed() {
        String token = Tokens.alice();
        String sessionId = chat(token, null, request(false, Map.of())).header("X-Session-Id");
        for (String speed : List.of("0", "-1", "fast", "1001")) {
            given().header("Authorization", "Bearer " + token).queryParam("speed", speed)
                    .when().get("/v1/sessions/" + sessionId + "/events/" + UUID.randomUUID() + "/replay")
                    .then().statusCode(400).body("error.param", equalTo("speed"));
        }
    }

    @Test
    void requestFailsClosedWhenRecordCannotBeStored() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-locked-" + UUID.randomUUID();
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        awaitEvents(token, sessionId, 4);
        int before = GatewayStackResource.simulator.requests().size();
        try (Connection connection = RecordingDatabase.connect()) {
            connection.setAutoCommit(false);
            // Holding the session row lock longer than portcullis.recording.write-timeout makes the write fail.
            try (var lock = connection.prepareStatement(
                    "SELECT 1 FROM recorded_session WHERE session_id = ? FOR UPDATE")) {
                lock.setString(1, sessionId);
                lock.executeQuery();
            }
            chat(token, sessionId, request(true, Map.of())).then().statusCode(503)
                    .body("error.code", equalTo("recording_unavailable"));
            connection.rollback();
        }
        // The upstream call ran alongside the failed write, but its response never reached the caller.
        assertThat(GatewayStackResource.simulator.requests()).hasSize(before + 1);
    }

    @Test
    void retentionDeletesOldSessionsAndRecordsIt() throws Exception {
        String token = Tokens.alice();
        String sessionId = "rec-retention-" + UUID.randomUUID();
        chat(token, sessionId, request(false, Map.of())).then().statusCode(200);
        awaitEvents(token, sessionId, 4);
        RecordingDatabase.update("UPDATE recorded_session SET last_event_at = now() - interval '400 days'"
                + " WHERE session_id = ?", sessionId);

        int deleted = retention.purge(Instant.now().minus(Duration.ofDays(365))).await().atMost(Duration.ofSeconds(30));
        assertThat(deleted).isGreaterThanOrEqualTo(1);
        given().header("Authorization", "Bearer " + token).when().get("/v1/sessions/" + sessionId)
                .then().statusCode(404);
        assertThat(RecordingDatabase.count("SELECT count(*) FROM session_event WHERE session_id = ?", sessionId))
                .isZero();
        assertThat(RecordingDatabase.count("SELECT count(*) FROM session_deletion WHERE session_id = ?"
                + " AND reason = 'retention' AND event_count = 4", sessionId)).isEqualTo(1);
        String payload = RecordingDatabase.text("SELECT payload FROM event_outbox WHERE session_id = ?"
                + " AND payload LIKE '%io.portcullis.session.deleted%'", sessionId);
        JsonObject event = new JsonObject(payload);
        assertThat(event.getString("type")).isEqualTo("io.portcullis.session.deleted");
        assertThat(event.getJsonObject("data").getLong("event_count")).isEqualTo(4L);
        assertThat(event.getJsonObject("data").getString("subject")).isNotBlank();
    }

    private static JsonObject awaitEvents(String token, String sessionId, int count) {
        JsonObject[] timeline = new JsonObject[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response response = given().header("Authorization", "Bearer " + token)
                    .when().get("/v1/sessions/" + sessionId);
            if (response.statusCode() != 200) {
                return false;
            }
            timeline[0] = new JsonObject(response.asString());
            return timeline[0].getJsonArray("events").size() >= count;
        });
        return timeline[0];
    }

    private static Response verify(String token, String sessionId) {
        return given().header("Authorization", "Bearer " + token).when().get("/v1/sessions/" + sessionId + "/verify");
    }

    private static List<String> types(JsonObject timeline) {
        return timeline.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("type")).toList();
    }

    private static JsonObject event(JsonObject timeline, int index) {
        return timeline.getJsonArray("events").getJsonObject(index);
    }

    private static List<String> chunkData(JsonObject answer) {
        return answer.getJsonArray("chunks").stream().map(c -> ((JsonObject) c).getString("data")).toList();
    }

    /** Returns the data of each event of an SSE body, one entry per event. */
    static List<String> dataLines(String body) {
        List<String> data = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            StringBuilder joined = new StringBuilder();
            for (String line : event.split("\n")) {
                if (line.startsWith("data:")) {
                    if (!joined.isEmpty()) {
                        joined.append('\n');
                    }
                    joined.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
            }
            if (!joined.isEmpty()) {
                data.add(joined.toString());
            }
        }
        return data;
    }

    private static String gatewayUrl() {
        return "http://127.0.0.1:" + io.restassured.RestAssured.port;
    }

    static Response chat(String token, String sessionId, JsonObject body) {
        var request = given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body.encode());
        if (sessionId != null) {
            request.header("X-Session-Id", sessionId);
        }
        return request.when().post("/v1/chat/completions");
    }

    static JsonObject request(boolean stream, Map<String, String> metadata) {
        JsonObject request = new JsonObject().put("model", "sim-gpt")
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Say hello.")));
        if (stream) {
            request.put("stream", true);
        }
        if (!metadata.isEmpty()) {
            request.put("metadata", new JsonObject(Map.copyOf(metadata)));
        }
        return request;
    }

    private static UpstreamSimulator simulator() {
        return GatewayStackResource.simulator;
    }
}
