package io.portcullis.recording;

import io.portcullis.streaming.SseEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * The answer as the caller received it: each streamed event's data with its time offset, or a
 * whole JSON body, assembled per choice into text, reasoning, refusal and tool calls, with the
 * usage and the upstream's completion id.
 */
final class ResponseCapture {

    private final long startNanos;
    private final JsonArray chunks = new JsonArray();
    private final Map<Integer, ChoiceText> choices = new TreeMap<>();
    private long firstByteMillis = -1;
    private long bytes;
    private String upstreamId;
    private String model;
    private JsonObject usage;

    ResponseCapture(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Adds the data of a streamed event as the caller received it. */
    void addEvent(String data, int size) {
        long offset = elapsedMillis();
        if (firstByteMillis < 0) {
            firstByteMillis = offset;
        }
        bytes += size;
        chunks.add(new JsonObject().put("offset_ms", offset).put("data", data));
        if (!SseEvent.DONE.equals(data.strip())) {
            readCompletion(parse(data), true);
        }
    }

    /** Adds the gateway's own error event that ended a stream. */
    void addErrorEvent(JsonObject error) {
        chunks.add(new JsonObject().put("offset_ms", elapsedMillis()).put("data", error.encode()));
    }

    /** Adds a complete JSON body sent to the caller. */
    void addBody(String body) {
        firstByteMillis = elapsedMillis();
        bytes += body.length();
        readCompletion(parse(body), false);
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * Returns the response part of an event's data. Metadata recording keeps timing, sizes,
     * finish reasons, tool names and usage, and drops every text, argument and chunk payload.
     */
    JsonObject toJson(boolean full) {
        JsonArray assembled = new JsonArray();
        choices.forEach((index, choice) -> assembled.add(choice.toJson(index, full)));
        JsonObject response = new JsonObject()
                .put("upstream_id", upstreamId)
                .put("model", model)
                .put("usage", usage)
                .put("first_byte_ms", firstByteMillis < 0 ? null : firstByteMillis)
                .put("bytes", bytes)
                .put("chunk_count", chunks.size())
                .put("choices", assembled);
        if (full) {
            response.put("chunks", chunks);
        } else {
            JsonArray timing = new JsonArray();
            chunks.forEach(chunk -> timing.add(((JsonObject) chunk).getLong("offset_ms")));
            response.put("chunk_offsets_ms", timing);
        }
        return response;
    }

    private void readCompletion(JsonObject completion, boolean streamed) {
        if (completion == null) {
            return;
        }
        if (upstreamId == null && completion.getValue("id") instanceof String id) {
            upstreamId = id;
        }
        if (model == null && completion.getValue("model") instanceof String name) {
            model = name;
        }
        if (completion.getValue("usage") instanceof JsonObject reported) {
            usage = reported;
        }
        if (!(completion.getValue("choices") instanceof JsonArray list)) {
            return;
        }
        for (Object item : list) {
            if (item instanceof JsonObject choice) {
                int index = choice.getValue("index") instanceof Number number ? number.intValue() : 0;
                Object part = choice.getValue(streamed ? "delta" : "message");
                ChoiceText text = choices.computeIfAbsent(index, ignored -> new ChoiceText());
                text.add(part instanceof JsonObject object ? object : null, choice.getValue("finish_reason"));
            }
        }
    }

    private static JsonObject parse(String text) {
        try {
            return Json.decodeValue(text) instanceof JsonObject object ? object : null;
        } catch (DecodeException e) {
            return null;
        }
    }

    /** One choice's text, reasoning, refusal and tool calls, put together from deltas or a message. */
    private static final class ChoiceText {

        private final StringBuilder content = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final StringBuilder refusal = new StringBuilder();
        private final Map<Integer, JsonObject> toolCalls = new TreeMap<>();
        private String finishReason;

        void add(JsonObject part, Object finish) {
            if (finish instanceof String reason) {
                finishReason = reason;
            }
            if (part == null) {
                return;
            }
            append(content, part.getValue("content"));
            append(reasoning, part.getValue("reasoning_content"));
            append(reasoning, part.getValue("reasoning"));
            append(refusal, part.getValue("refusal"));
            if (part.getValue("tool_calls") instanceof JsonArray calls) {
                for (int i = 0; i < calls.size(); i++) {
                    if (calls.getValue(i) instanceof JsonObject call) {
                        addToolCall(call, i);
                    }
                }
            }
        }

        private void addToolCall(JsonObject call, int position) {
            int index = call.getValue("index") instanceof Number number ? number.intValue() : position;
            JsonObject merged = toolCalls.computeIfAbsent(index,
                    ignored -> new JsonObject().put("id", null).put("name", null).put("arguments", ""));
            if (call.getValue("id") instanceof String id) {
                merged.put("id", id);
            }
            if (call.getValue("function") instanceof JsonObject function) {
                if (function.getValue("name") instanceof String name) {
                    merged.put("name", name);
                }
                if (function.getValue("arguments") instanceof String arguments) {
                    merged.put("arguments", merged.getString("arguments") + arguments);
                }
            }
        }

        private static void append(StringBuilder target, Object value) {
            if (value instanceof String text) {
                target.append(text);
            }
        }

        JsonObject toJson(int index, boolean full) {
            JsonArray calls = new JsonArray();
            toolCalls.values().forEach(call -> calls.add(full ? call.copy()
                    : new JsonObject().put("id", call.getString("id")).put("name", call.getString("name"))));
            JsonObject choice = new JsonObject().put("index", index).put("finish_reason", finishReason)
                    .put("tool_calls", calls);
            if (full) {
                choice.put("content", content.toString())
                        .put("reasoning", reasoning.isEmpty() ? null : reasoning.toString())
                        .put("refusal", refusal.isEmpty() ? null : refusal.toString());
            } else {
                choice.put("content_chars", content.length()).put("reasoning_chars", reasoning.length());
            }
            return choice;
        }
    }
}
