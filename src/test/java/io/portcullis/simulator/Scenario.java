package io.portcullis.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the simulator does for one chat completion request, read from the request body's
 * {@code metadata} object. OpenAI defines metadata as a map of strings, so every value
 * is read as a string, but numbers and booleans are accepted too.
 *
 * @param recording base name of the recording to replay
 * @param stream whether the request asked for {@code stream: true}
 * @param chunking how the streamed body is cut into writes
 * @param delayMs pause between two writes, in milliseconds
 * @param firstByteDelayMs pause before the status line, in milliseconds
 * @param repeat how many times the content events are sent before the final events
 * @param fault the failure to inject
 * @param answer text to stream as the answer instead of the recording, or null
 * @param deltaChars characters per content delta of {@code answer}
 */
record Scenario(
        String recording,
        boolean stream,
        Chunking chunking,
        long delayMs,
        long firstByteDelayMs,
        int repeat,
        Fault fault,
        String answer,
        int deltaChars) {

    static final String RECORDING_KEY = "sim_recording";
    static final String CHUNKING_KEY = "sim_chunking";
    static final String DELAY_KEY = "sim_delay_ms";
    static final String FIRST_BYTE_DELAY_KEY = "sim_first_byte_delay_ms";
    static final String REPEAT_KEY = "sim_repeat";
    static final String FAULT_KEY = "sim_fault";

    /** Upper bound for both delays, so a typo cannot park a connection for days. */
    static final long MAX_DELAY_MS = 600_000;
    static final int MAX_REPEAT = 10_000_000;

    /** How the streamed body is cut into writes. */
    sealed interface Chunking {
        /** One write per SSE event, as most providers send them. */
        record PerEvent() implements Chunking {}

        /** Writes of exactly {@code size} bytes (the last may be shorter), cutting anywhere. */
        record FixedBytes(int size) implements Chunking {}

        /** Writes of random sizes drawn from a generator seeded with {@code seed}. */
        record RandomBytes(long seed) implements Chunking {}
    }

    /** The failure to inject. {@code status} is only used with {@link FaultKind#STATUS}. */
    record Fault(FaultKind kind, int status) {
        static final Fault NONE = new Fault(FaultKind.NONE, 0);
    }

    enum FaultKind { NONE, MIDSTREAM_ERROR, TRUNCATE, GARBAGE, RESET, STATUS, HANG }

    /**
     * Reads the scenario from a chat completion request body.
     *
     * @throws IllegalArgumentException naming the metadata key and value when a value is invalid
     */
    static Scenario fromRequest(JsonObject request, RecordingCatalog catalog) {
        JsonObject metadata = metadataOf(request);
        String recording = recordingOf(request, metadata, catalog);
        return new Scenario(
                recording,
                Boolean.TRUE.equals(request.getValue("stream")),
                parseChunking(stringValue(metadata, CHUNKING_KEY)),
                parseLong(metadata, DELAY_KEY, 0, MAX_DELAY_MS),
                parseLong(metadata, FIRST_BYTE_DELAY_KEY, 0, MAX_DELAY_MS),
                (int) parseLong(metadata, REPEAT_KEY, 1, MAX_REPEAT),
                parseFault(stringValue(metadata, FAULT_KEY)),
                SyntheticAnswer.answerOf(request, metadata),
                (int) parseLong(metadata, SyntheticAnswer.DELTA_CHARS_KEY, 1, 1_000_000));
    }

    private static JsonObject metadataOf(JsonObject request) {
        Object metadata = request.getValue("metadata");
        if (metadata == null) {
            return new JsonObject();
        }
        if (metadata instanceof JsonObject object) {
            return object;
        }
        throw new IllegalArgumentException("metadata must be a JSON object, got " + metadata);
    }

    private static String recordingOf(JsonObject request, JsonObject metadata, RecordingCatalog catalog) {
        String name = stringValue(metadata, RECORDING_KEY);
        if (name == null) {
            return defaultRecording(request);
        }
        if (catalog.find(name) == null) {
            throw new IllegalArgumentException("metadata." + RECORDING_KEY + " '" + name
                    + "' is not a known recording. Known recordings: " + String.join(", ", catalog.names()));
        }
        return name;
    }

    /** Picks the multi-choice recording for n > 1, else the tool-call one when tools are declared. */
    private static String defaultRecording(JsonObject request) {
        if (request.getValue("n") instanceof Number n && n.intValue() > 1) {
            return RecordingCatalog.DEFAULT_MULTI_CHOICE;
        }
        if (request.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
            return RecordingCatalog.DEFAULT_TOOL_CALL;
        }
        return RecordingCatalog.DEFAULT_TEXT;
    }

    static Chunking parseChunking(String value) {
        if (value == null || value.equals("event")) {
            return new Chunking.PerEvent();
        }
        if (value.startsWith("bytes:")) {
            long size = parseNumber(CHUNKING_KEY, value, value.substring(6));
            if (size < 1 || size > Integer.MAX_VALUE) {
                throw invalid(CHUNKING_KEY, value, "bytes:N needs N >= 1");
            }
            return new Chunking.FixedBytes((int) size);
        }
        if (value.startsWith("random:")) {
            return new Chunking.RandomBytes(parseNumber(CHUNKING_KEY, value, value.substring(7)));
        }
        throw invalid(CHUNKING_KEY, value, "expected event, bytes:N or random:SEED");
    }

    static Fault parseFault(String value) {
        if (value == null) {
            return Fault.NONE;
        }
        if (value.startsWith("status:")) {
            long status = parseNumber(FAULT_KEY, value, value.substring(7));
            if (status < 400 || status > 599) {
                throw invalid(FAULT_KEY, value, "status:NNN needs an error status from 400 to 599");
            }
            return new Fault(FaultKind.STATUS, (int) status);
        }
        return switch (value) {
            case "none" -> Fault.NONE;
            case "midstream_error" -> new Fault(FaultKind.MIDSTREAM_ERROR, 0);
            case "truncate" -> new Fault(FaultKind.TRUNCATE, 0);
            case "garbage" -> new Fault(FaultKind.GARBAGE, 0);
            case "reset" -> new Fault(FaultKind.RESET, 0);
            case "hang" -> new Fault(FaultKind.HANG, 0);
            default -> throw invalid(FAULT_KEY, value,
                    "expected none, midstream_error, truncate, garbage, reset, hang or status:NNN");
        };
    }

    private static long parseLong(JsonObject metadata, String key, long min, long max) {
        String value = stringValue(metadata, key);
        if (value == null) {
            return min;
        }
        long number = parseNumber(key, value, value);
        if (number < min || number > max) {
            throw invalid(key, value, "expected a whole number from " + min + " to " + max);
        }
        return number;
    }

    private static long parseNumber(String key, String value, String digits) {
        try {
            return Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, value, "'" + digits + "' is not a whole number");
        }
    }

    private static String stringValue(JsonObject metadata, String key) {
        Object value = metadata.getValue(key);
        return value == null ? null : String.valueOf(value);
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException("metadata." + key + " '" + value + "' is invalid: " + expected);
    }
}
