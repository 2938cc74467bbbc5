package io.portcullis.recording;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * An event to append to a session, before it has a place in the chain.
 *
 * @param type      what happened
 * @param requestId the request it belongs to
 * @param time      when it happened; stored to the microsecond
 * @param data      the event's data, already reduced to what the recording level allows
 */
record NewEvent(EventType type, String requestId, Instant time, JsonObject data) {
}
