package io.portcullis.recording;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Sends a recorded answer's events again as server-sent events, each at its recorded offset
 * divided by the speed factor. Stops when the caller disconnects.
 */
final class SseReplay {

    private final Vertx vertx;
    private final HttpServerResponse response;
    private final JsonArray chunks;
    private final double speed;
    private long timer = -1;
    private int next;

    SseReplay(Vertx vertx, HttpServerResponse response, JsonArray chunks, double speed) {
        this.vertx = vertx;
        this.response = response;
        this.chunks = chunks;
        this.speed = speed;
    }

    void start() {
        response.setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .setChunked(true);
        response.closeHandler(ignored -> cancel());
        response.writeHead();
        schedule(0);
    }

    /** Schedules the next chunk relative to the offset of the chunk just sent. */
    private void schedule(long previousOffset) {
        if (next >= chunks.size()) {
            response.end();
            return;
        }
        JsonObject chunk = chunks.getJsonObject(next);
        long delay = Math.round((chunk.getLong("offset_ms") - previousOffset) / speed);
        if (delay <= 0) {
            send(chunk);
        } else {
            timer = vertx.setTimer(delay, ignored -> send(chunk));
        }
    }

    private void send(JsonObject chunk) {
        timer = -1;
        if (response.closed()) {
            return;
        }
        response.write(event(chunk.getString("data")));
        next++;
        schedule(chunk.getLong("offset_ms"));
    }

    /** Formats one event; a data value with line breaks becomes several data lines, as SSE requires. */
    static String event(String data) {
        StringBuilder event = new StringBuilder();
        for (String line : data.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString();
    }

    private void cancel() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
