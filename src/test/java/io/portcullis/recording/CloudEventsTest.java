package io.portcullis.recording;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The structured-mode CloudEvent of a session event, and how an event too large for Kafka is cut. */
class CloudEventsTest {

    @Test
    void dataTextIsKeptByteForByte() {
        SessionEvent event = event("{\"b\":1,  \"a\":\"x\"}");
        String payload = CloudEvents.of(event, "/portcullis", 1_000_000);
        assertThat(payload).endsWith(",\"data\":{\"b\":1,  \"a\":\"x\"}}");
        JsonObject parsed = new JsonObject(payload);
        assertThat(parsed.getString("specversion")).isEqualTo("1.0");
        assertThat(parsed.getString("id")).isEqualTo(event.eventId.toString());
        assertThat(parsed.getString("hash")).isEqualTo(event.hash);
        assertThat(parsed.getString("previoushash")).isEqualTo(event.previousHash);
        assertThat(parsed.getLong("sessionseq")).isEqualTo(7L);
        assertThat(parsed.containsKey("dataomitted")).isFalse();
    }

    @Test
    void oversizedEventKeepsMetadataOnly() {
        String text = "x".repeat(5000);
        JsonObject data = new JsonObject()
                .put("status", 200)
                .put("prompt", new JsonObject().put("messages", new JsonArray().add(text)))
                .put("response", new JsonObject()
                        .put("usage", new JsonObject().put("total_tokens", 12))
                        .put("chunks", new JsonArray().add(new JsonObject().put("offset_ms", 3).put("data", text)))
                        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("content", text)
                                .put("finish_reason", "stop")
                                .put("tool_calls", new JsonArray().add(new JsonObject().put("name", "get_weather")
                                        .put("arguments", text))))));
        String payload = CloudEvents.of(event(data.encode()), "/portcullis", 4000);

        assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4000);
        JsonObject parsed = new JsonObject(payload);
        assertThat(parsed.getBoolean("dataomitted")).isTrue();
        JsonObject cut = parsed.getJsonObject("data");
        assertThat(cut.containsKey("prompt")).isFalse();
        assertThat(cut.getInteger("status")).isEqualTo(200);
        JsonObject response = cut.getJsonObject("response");
        assertThat(response.containsKey("chunks")).isFalse();
        assertThat(response.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(12);
        JsonObject choice = response.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.containsKey("content")).isFalse();
        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        assertThat(choice.getJsonArray("tool_calls").getJsonObject(0).getString("name")).isEqualTo("get_weather");
        assertThat(choice.getJsonArray("tool_calls").getJsonObject(0).containsKey("arguments")).isFalse();
    }

    @Test
    void eventTooLargeEvenAsMetadataHasEmptyData() {
        JsonObject data = new JsonObject().put("reasons", new JsonArray().add("r".repeat(5000)));
        JsonObject parsed = new JsonObject(CloudEvents.of(event(data.encode()), "/portcullis", 2000));
        assertThat(parsed.getBoolean("dataomitted")).isTrue();
        assertThat(parsed.getJsonObject("data").isEmpty()).isTrue();
        assertThat(parsed.getString("hash")).isNotBlank();
    }

    private static SessionEvent event(String data) {
        SessionEvent event = new SessionEvent();
        event.eventId = UUID.randomUUID();
        event.sessionId = "session-1";
        event.sequence = 7;
        event.type = EventType.RESPONSE_COMPLETED.cloudEventType();
        event.requestId = "request-1";
        event.occurredAt = Instant.parse("2026-12-04T18:55:33.859098Z").atOffset(ZoneOffset.UTC);
        event.data = data;
        event.previousHash = "a".repeat(64);
        event.hash = EventHashes.compute(event);
        return event;
    }
}
