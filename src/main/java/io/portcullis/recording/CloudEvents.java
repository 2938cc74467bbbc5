package io.portcullis.recording;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds the structured-mode CloudEvents 1.0 JSON of a session event. The data is inserted as
 * the exact JSON text that was hashed.
 */
final class CloudEvents {

    static final String SPEC_VERSION = "1.0";

    private CloudEvents() {
    }

    /**
     * Builds the event, or when it is longer than {@code maxBytes}, the event with its data cut
     * down to metadata and {@code dataomitted} set. Such data no longer matches the hash.
     */
    static String of(SessionEvent event, String source, int maxBytes) {
        String full = of(event, source);
        if (utf8Length(full) <= maxBytes) {
            return full;
        }
        JsonObject reduced = RecordingJson.parseData(event.data) instanceof JsonObject data ? metadataOnly(data)
                : new JsonObject();
        String cut = withData(envelope(event, source).put("dataomitted", true), reduced.encode());
        if (utf8Length(cut) <= maxBytes) {
            return cut;
        }
        return withData(envelope(event, source).put("dataomitted", true), "{}");
    }

    /** Returns a copy of event data without the prompt and without the answer's text, arguments and chunks. */
    static JsonObject metadataOnly(JsonObject data) {
        JsonObject reduced = data.copy();
        reduced.remove("prompt");
        if (reduced.getValue("response") instanceof JsonObject response) {
            response.remove("chunks");
            if (response.getValue("choices") instanceof JsonArray choices) {
                for (Object choice : choices) {
                    if (choice instanceof JsonObject fields) {
                        fields.remove("content");
                        fields.remove("reasoning");
                        fields.remove("refusal");
                        if (fields.getValue("tool_calls") instanceof JsonArray calls) {
                            calls.forEach(call -> {
                                if (call instanceof JsonObject callFields) {
                                    callFields.remove("arguments");
                                }
                            });
                        }
                    }
                }
            }
        }
        return reduced;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    static String of(SessionEvent event, String source) {
        return withData(envelope(event, source), event.data);
    }

    private static JsonObject envelope(SessionEvent event, String source) {
        JsonObject envelope = new JsonObject()
                .put("specversion", SPEC_VERSION)
                .put("id", event.eventId.toString())
                .put("source", source)
                .put("type", event.type)
                .put("subject", event.sessionId)
                .put("time", EventHashes.formatTime(event.occurredAt.toInstant()))
                .put("datacontenttype", "application/json")
                .put("sessionid", event.sessionId)
                .put("sessionseq", event.sequence)
                .put("requestid", event.requestId)
                .put("hash", event.hash);
        if (event.previousHash != null) {
            envelope.put("previoushash", event.previousHash);
        }
        return envelope;
    }

    /** Appends "data" by hand, so that its text stays byte for byte the hashed one. */
    private static String withData(JsonObject envelope, String data) {
        String head = envelope.encode();
        return head.substring(0, head.length() - 1) + ",\"data\":" + data + "}";
    }

    /**
     * Builds the event that records a session's deletion. It is not part of the deleted chain,
     * so it has no sequence or hashes. Its data contains the chain's last hash instead.
     */
    static String deletion(UUID eventId, String sessionId, Instant time, JsonObject data, String source) {
        return new JsonObject()
                .put("specversion", SPEC_VERSION)
                .put("id", eventId.toString())
                .put("source", source)
                .put("type", EventType.SESSION_DELETED.cloudEventType())
                .put("subject", sessionId)
                .put("time", EventHashes.formatTime(time))
                .put("datacontenttype", "application/json")
                .put("sessionid", sessionId)
                .put("data", data)
                .encode();
    }
}
