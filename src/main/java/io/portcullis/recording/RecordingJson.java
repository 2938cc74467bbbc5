package io.portcullis.recording;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** JSON shapes of the replay API; docs/events.md describes them. */
final class RecordingJson {

    private RecordingJson() {
    }

    static JsonObject session(RecordedSession session) {
        return new JsonObject()
                .put("id", session.sessionId)
                .put("issuer", session.issuer)
                .put("subject", session.subject)
                .put("username", session.username)
                .put("created_at", EventHashes.formatTime(session.createdAt.toInstant()))
                .put("last_event_at", EventHashes.formatTime(session.lastEventAt.toInstant()))
                .put("event_count", session.eventCount);
    }

    static JsonObject timeline(SessionQueries.Timeline timeline) {
        JsonArray events = new JsonArray();
        for (SessionEvent event : timeline.events()) {
            events.add(new JsonObject()
                    .put("id", event.eventId.toString())
                    .put("sequence", event.sequence)
                    .put("type", event.type)
                    .put("request_id", event.requestId)
                    .put("time", EventHashes.formatTime(event.occurredAt.toInstant()))
                    .put("previous_hash", event.previousHash)
                    .put("hash", event.hash)
                    .put("data", parseData(event.data)));
        }
        return session(timeline.session()).put("events", events);
    }

    /**
     * Parses an event's stored data. Data that is no longer a JSON object, because someone
     * edited the row, comes back as the stored text, so that the timeline still shows it.
     */
    static Object parseData(String data) {
        try {
            return Json.decodeValue(data) instanceof JsonObject object ? object : data;
        } catch (DecodeException e) {
            return data;
        }
    }
}
