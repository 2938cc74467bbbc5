package io.portcullis.streaming;

import io.vertx.core.buffer.Buffer;

/**
 * One complete server-sent event as it arrived from the upstream.
 *
 * @param raw       the exact bytes of the event, including the blank line that ends it
 * @param data      the {@code data} field (lines joined by LF), or null when the event has none
 * @param eventType the {@code event} field, or null
 * @param wellFormed false when a line is neither a known field nor a comment
 */
public record SseEvent(Buffer raw, String data, String eventType, boolean wellFormed) {

    /** The OpenAI end-of-stream marker. */
    public static final String DONE = "[DONE]";

    public boolean isDone() {
        return DONE.equals(data == null ? null : data.strip());
    }

    /** True for an event that has no data, such as a keep-alive comment. */
    public boolean isCommentOnly() {
        return data == null && eventType == null;
    }
}
