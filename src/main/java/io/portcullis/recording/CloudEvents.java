package io.portcullis.recording;

import io.vertx.core.json.JsonObject;

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

    static String of(SessionEvent event, String source) {
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
        String head = envelope.encode();
        // Append "data" by hand so that its text stays byte for byte the hashed one.
        return head.substring(0, head.length() - 1) + ",\"data\":" + event.data + "}";
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
