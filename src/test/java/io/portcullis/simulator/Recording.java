package io.portcullis.simulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One recorded streaming response, split into SSE events.
 *
 * <p>Each event keeps its exact bytes, including the blank line that ends it, so the
 * events concatenated in order are the recorded body. The events are divided into
 * content events and the final events at the end of the stream (finish chunks, usage
 * chunk, error event, {@code [DONE]}), which lets a stream repeat its content while
 * still ending the way the provider ended it.
 */
record Recording(String name, List<byte[]> events, int contentEventCount) {

    private static final byte[] DONE_EVENT = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    /** Splits an exact SSE body at each blank line ({@code \n\n}), keeping every byte. */
    static Recording fromSse(String name, byte[] body) {
        List<byte[]> events = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 1 < body.length; i++) {
            if (body[i] == '\n' && body[i + 1] == '\n') {
                events.add(slice(body, start, i + 2));
                start = i + 2;
                i++;
            }
        }
        if (start < body.length) {
            events.add(slice(body, start, body.length));
        }
        return new Recording(name, List.copyOf(events), countContentEvents(events));
    }

    /**
     * Frames one JSON chunk per non-empty line as {@code data: LINE} events and appends
     * {@code data: [DONE]}, the way OpenAI frames its streams.
     */
    static Recording fromJsonLines(String name, byte[] jsonLines) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String line : new String(jsonLines, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            body.writeBytes(("data: " + line + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(DONE_EVENT);
        return fromSse(name, body.toByteArray());
    }

    /** Returns the number of events in a stream whose content events are sent {@code repeat} times. */
    long eventCount(int repeat) {
        return (long) contentEventCount * repeat + finalEventCount();
    }

    /** Returns event {@code index} of a stream whose content events are sent {@code repeat} times. */
    byte[] event(long index, int repeat) {
        long repeatedContent = (long) contentEventCount * repeat;
        if (index < repeatedContent) {
            return events.get((int) (index % contentEventCount));
        }
        return events.get(contentEventCount + (int) (index - repeatedContent));
    }

    /** Returns the body size in bytes of a stream whose content events are sent {@code repeat} times. */
    long bodyLength(int repeat) {
        long content = 0;
        long finals = 0;
        for (int i = 0; i < events.size(); i++) {
            if (i < contentEventCount) {
                content += events.get(i).length;
            } else {
                finals += events.get(i).length;
            }
        }
        return content * repeat + finals;
    }

    /** Returns the recorded body, the events concatenated. */
    byte[] body() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        events.forEach(body::writeBytes);
        return body.toByteArray();
    }

    /**
     * Returns the payload of the event's {@code data:} lines, joined with newlines as the
     * SSE event stream format defines, or null when the event has no data line.
     */
    static String data(byte[] event) {
        StringBuilder data = null;
        for (String line : new String(event, StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("data:")) {
                continue;
            }
            String value = line.substring(5);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        }
        return data == null ? null : data.toString();
    }

    /** Parses the event's data as a JSON object, or returns null for {@code [DONE]} and non-JSON data. */
    static JsonObject json(byte[] event) {
        String data = data(event);
        if (data == null || !data.startsWith("{")) {
            return null;
        }
        try {
            return new JsonObject(data);
        } catch (DecodeException e) {
            return null;
        }
    }

    private int finalEventCount() {
        return events.size() - contentEventCount;
    }

    private static byte[] slice(byte[] body, int from, int to) {
        byte[] part = new byte[to - from];
        System.arraycopy(body, from, part, 0, part.length);
        return part;
    }

    /**
     * Counts the events before the trailing run of final events. If every event is
     * final, the first one still counts as content, so that a repeat has something to
     * repeat.
     */
    private static int countContentEvents(List<byte[]> events) {
        int count = events.size();
        while (count > 1 && isFinalEvent(events.get(count - 1))) {
            count--;
        }
        return count;
    }

    /**
     * Tells whether an event belongs to the end of a stream: {@code [DONE]}, an error,
     * a chunk without choices (the usage chunk), or a chunk whose choices all carry a
     * finish_reason.
     */
    private static boolean isFinalEvent(byte[] event) {
        if ("[DONE]".equals(data(event))) {
            return true;
        }
        JsonObject chunk = json(event);
        if (chunk == null) {
            return false;
        }
        if (chunk.containsKey("error")) {
            return true;
        }
        JsonArray choices = chunk.getJsonArray("choices", new JsonArray());
        if (choices.isEmpty()) {
            return true;
        }
        for (Object choice : choices) {
            if (!(choice instanceof JsonObject object) || object.getValue("finish_reason") == null) {
                return false;
            }
        }
        return true;
    }
}
