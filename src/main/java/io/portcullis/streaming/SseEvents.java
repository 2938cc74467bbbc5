package io.portcullis.streaming;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** Builds server-sent events to send to the caller. */
final class SseEvents {

    private SseEvents() {
    }

    /** Returns an event with only a {@code data} field. */
    static Buffer data(String data) {
        return Buffer.buffer("data: " + data + "\n\n", StandardCharsets.UTF_8.name());
    }

    /**
     * Returns the event with its data replaced. Its other fields ({@code id}, {@code event},
     * {@code retry}) and comment lines keep their order; the new data takes the place of the
     * first data line.
     */
    static Buffer withData(SseEvent event, String data) {
        String raw = event.raw().toString(StandardCharsets.UTF_8);
        StringBuilder rebuilt = new StringBuilder(raw.length() + data.length());
        boolean dataWritten = false;
        for (String line : raw.split("\r\n|\r|\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("data") || line.startsWith("data:")) {
                if (!dataWritten) {
                    rebuilt.append("data: ").append(data).append('\n');
                    dataWritten = true;
                }
                continue;
            }
            rebuilt.append(line).append('\n');
        }
        if (!dataWritten) {
            rebuilt.append("data: ").append(data).append('\n');
        }
        return Buffer.buffer(rebuilt.append('\n').toString(), StandardCharsets.UTF_8.name());
    }

    /** Returns the data of one raw event: its data lines joined by LF, each without the field name and one space. */
    static String dataOf(Buffer raw) {
        StringBuilder data = new StringBuilder();
        boolean first = true;
        for (String line : raw.toString(StandardCharsets.UTF_8).split("\r\n|\r|\n")) {
            if (line.equals("data") || line.startsWith("data:")) {
                String value = line.length() <= 5 ? "" : line.substring(5);
                if (!first) {
                    data.append('\n');
                }
                data.append(value.startsWith(" ") ? value.substring(1) : value);
                first = false;
            }
        }
        return data.toString();
    }
}
