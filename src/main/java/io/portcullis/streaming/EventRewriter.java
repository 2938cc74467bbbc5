package io.portcullis.streaming;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Rewrites the JSON payloads of a relayed stream, for example to mask them. The relay calls it
 * on the event loop, in stream order. An exception ends the caller's stream with an error
 * event, so nothing the rewriter failed to handle reaches the caller.
 */
public interface EventRewriter {

    /**
     * Returns the payloads to send in place of one data event's payload, in order. An empty list
     * drops the event; the payload may be changed in place and returned.
     */
    List<JsonObject> rewrite(JsonObject payload);

    /** Returns the payloads to send before the stream's {@code [DONE]} or an upstream error event. */
    List<JsonObject> finish();
}
