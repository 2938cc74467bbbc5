package io.portcullis.streaming;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an SSE byte stream into complete events, whatever the chunking: a chunk may end
 * inside a line, between CR and LF, or inside a multi-byte UTF-8 character, because a line
 * is decoded only once its terminator has arrived. Line terminators are CRLF, LF or CR, as
 * the event-stream format of the HTML Living Standard allows.
 *
 * <p>Not thread-safe: feed it from one event loop.
 */
public final class SseEventParser {

    private final int maxEventBytes;
    private final List<String> lines = new ArrayList<>();
    private Buffer pending = Buffer.buffer();
    /** Offset of the first byte of the event being assembled. */
    private int eventStart;
    /** Offset of the first byte of the line being assembled. */
    private int lineStart;
    /** True when the last byte seen was a CR, so that an LF right after it belongs to the same terminator. */
    private boolean afterCr;

    /** @param maxEventBytes largest event accepted; a longer one raises {@link EventTooLargeException} */
    public SseEventParser(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** Adds bytes and returns the events they complete, in order. */
    public List<SseEvent> feed(Buffer chunk) {
        int scanFrom = pending.length();
        pending.appendBuffer(chunk);
        List<SseEvent> events = new ArrayList<>(2);
        for (int i = scanFrom; i < pending.length(); i++) {
            byte b = pending.getByte(i);
            if (afterCr && b == '\n') {
                afterCr = false;
                lineStart = i + 1;
                if (pendingEventEnd) {
                    events.add(complete(i + 1));
                    pendingEventEnd = false;
                }
                continue;
            }
            if (pendingEventEnd) {
                // A blank line that ended with a lone CR: the event ended at that CR.
                events.add(complete(i));
                pendingEventEnd = false;
            }
            afterCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine(i, b, events);
            }
        }
        if (pending.length() - eventStart > maxEventBytes) {
            throw new EventTooLargeException(maxEventBytes);
        }
        compact();
        return events;
    }

    /** True when the end of the event waits only on a possible LF after a final CR. */
    private boolean pendingEventEnd;

    private void endLine(int terminatorAt, byte terminator, List<SseEvent> events) {
        boolean blank = terminatorAt == lineStart;
        if (!blank) {
            lines.add(pending.getString(lineStart, terminatorAt, StandardCharsets.UTF_8.name()));
        }
        lineStart = terminatorAt + 1;
        if (!blank) {
            return;
        }
        if (terminator == '\r') {
            // Wait for the next byte: an LF there is part of this terminator and of this event.
            pendingEventEnd = true;
        } else {
            events.add(complete(terminatorAt + 1));
        }
    }

    /**
     * Completes the stream: returns the last event when its lines are all terminated but the
     * blank line after them is missing. Some servers end with {@code data: [DONE]} and a single
     * LF; the bytes are kept as received. An unterminated last line stays a partial event.
     */
    public List<SseEvent> finish() {
        List<SseEvent> events = new ArrayList<>(1);
        if (pendingEventEnd) {
            events.add(complete(pending.length()));
            pendingEventEnd = false;
        } else if (!lines.isEmpty() && lineStart == pending.length()) {
            events.add(complete(pending.length()));
        }
        return events;
    }

    /** True when bytes of an unfinished event are buffered (whitespace-only remainders excluded). */
    public boolean hasPartialEvent() {
        if (!lines.isEmpty()) {
            return true;
        }
        for (int i = eventStart; i < pending.length(); i++) {
            byte b = pending.getByte(i);
            if (b != '\n' && b != '\r' && b != ' ' && b != '\t') {
                return true;
            }
        }
        return false;
    }

    private SseEvent complete(int end) {
        Buffer raw = pending.getBuffer(eventStart, end);
        eventStart = end;
        StringBuilder data = null;
        String eventType = null;
        boolean wellFormed = true;
        for (String line : lines) {
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                case "event" -> eventType = value;
                case "id", "retry" -> {
                    // Valid SSE fields that carry nothing the gateway acts on.
                }
                default -> wellFormed = false;
            }
        }
        lines.clear();
        return new SseEvent(raw, data == null ? null : data.toString(), eventType, wellFormed);
    }

    /** Drops consumed bytes so that a long stream does not accumulate in memory. */
    private void compact() {
        if (eventStart == 0) {
            return;
        }
        int shift = eventStart;
        pending = pending.getBuffer(shift, pending.length());
        eventStart = 0;
        lineStart -= shift;
    }

    /** Raised when one event exceeds the configured size. */
    public static final class EventTooLargeException extends RuntimeException {
        EventTooLargeException(int limit) {
            super("An SSE event exceeded " + limit + " bytes", null, false, false);
        }
    }
}
