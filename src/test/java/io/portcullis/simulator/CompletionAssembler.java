package io.portcullis.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the non-streamed {@code chat.completion} object that corresponds to a
 * recorded stream, the way client SDKs accumulate chunks: text deltas are
 * concatenated per choice index, tool calls are merged by their index, and the last
 * finish_reason and usage win. Per-token logprobs are not merged and come out as null.
 */
final class CompletionAssembler {

    /** Delta fields whose string fragments are concatenated into the message. */
    private static final List<String> TEXT_FIELDS = List.of("content", "refusal", "reasoning", "reasoning_content");

    private final Map<Integer, ChoiceBuilder> choices = new TreeMap<>();
    private final JsonObject completion = new JsonObject();
    private JsonObject usage;

    private CompletionAssembler() {
    }

    /** Assembles the recording into a {@code chat.completion} object. */
    static JsonObject assemble(Recording recording) {
        CompletionAssembler assembler = new CompletionAssembler();
        for (byte[] event : recording.events()) {
            JsonObject chunk = Recording.json(event);
            if (chunk != null) {
                assembler.add(chunk);
            }
        }
        return assembler.build();
    }

    /** Returns the first error object in the recording, or null. A non-streamed request gets this error instead of a completion. */
    static JsonObject findError(Recording recording) {
        for (byte[] event : recording.events()) {
            JsonObject chunk = Recording.json(event);
            if (chunk != null && chunk.getValue("error") instanceof JsonObject error) {
                return error;
            }
        }
        return null;
    }

    private void add(JsonObject chunk) {
        if (chunk.containsKey("error")) {
            return;
        }
        copyFirstNonEmpty(chunk, "id");
        copyFirstNonEmpty(chunk, "created");
        copyFirstNonEmpty(chunk, "model");
        copyFirstNonEmpty(chunk, "system_fingerprint");
        if (chunk.getValue("usage") instanceof JsonObject chunkUsage) {
            usage = chunkUsage;
        }
        for (Object choice : chunk.getJsonArray("choices", new JsonArray())) {
            if (choice instanceof JsonObject object) {
                int index = object.getInteger("index", 0);
                choices.computeIfAbsent(index, ChoiceBuilder::new).add(object);
            }
        }
    }

    /** Copies a top-level field from the first chunk where it is non-empty, because Azure's filter chunk has an empty id and model. */
    private void copyFirstNonEmpty(JsonObject chunk, String field) {
        Object value = chunk.getValue(field);
        boolean empty = value == null || "".equals(value) || Integer.valueOf(0).equals(value);
        if (!completion.containsKey(field) && !empty) {
            completion.put(field, value);
        }
    }

    private JsonObject build() {
        JsonObject result = new JsonObject()
                .put("id", completion.getValue("id"))
                .put("object", "chat.completion")
                .put("created", completion.getValue("created"))
                .put("model", completion.getValue("model"));
        if (completion.containsKey("system_fingerprint")) {
            result.put("system_fingerprint", completion.getValue("system_fingerprint"));
        }
        JsonArray builtChoices = new JsonArray();
        choices.values().forEach(choice -> builtChoices.add(choice.build()));
        result.put("choices", builtChoices);
        if (usage != null) {
            result.put("usage", usage);
        }
        return result;
    }

    /** Accumulates the deltas of one choice index. */
    private static final class ChoiceBuilder {
        private final int index;
        private final Map<String, StringBuilder> texts = new TreeMap<>();
        private final Map<Integer, ToolCallBuilder> toolCalls = new TreeMap<>();
        private String role;
        private Object finishReason;

        ChoiceBuilder(int index) {
            this.index = index;
        }

        void add(JsonObject choice) {
            if (choice.getValue("finish_reason") != null) {
                finishReason = choice.getValue("finish_reason");
            }
            if (!(choice.getValue("delta") instanceof JsonObject delta)) {
                return;
            }
            if (role == null && delta.getValue("role") instanceof String deltaRole) {
                role = deltaRole;
            }
            for (String field : TEXT_FIELDS) {
                if (delta.getValue(field) instanceof String fragment) {
                    texts.computeIfAbsent(field, key -> new StringBuilder()).append(fragment);
                }
            }
            if (delta.getValue("tool_calls") instanceof JsonArray calls) {
                addToolCalls(calls);
            }
        }

        /** Merges tool call fragments by their {@code index}, or by position when a provider omits it. */
        private void addToolCalls(JsonArray calls) {
            for (int position = 0; position < calls.size(); position++) {
                if (calls.getValue(position) instanceof JsonObject call) {
                    int callIndex = call.getInteger("index", position);
                    toolCalls.computeIfAbsent(callIndex, key -> new ToolCallBuilder()).add(call);
                }
            }
        }

        JsonObject build() {
            JsonObject message = new JsonObject()
                    .put("role", role == null ? "assistant" : role)
                    .put("content", text("content"))
                    .put("refusal", text("refusal"));
            for (String field : List.of("reasoning", "reasoning_content")) {
                if (texts.containsKey(field)) {
                    message.put(field, text(field));
                }
            }
            if (!toolCalls.isEmpty()) {
                JsonArray calls = new JsonArray();
                toolCalls.values().forEach(call -> calls.add(call.build()));
                message.put("tool_calls", calls);
            }
            return new JsonObject()
                    .put("index", index)
                    .put("message", message)
                    .put("logprobs", null)
                    .put("finish_reason", finishReason);
        }

        /** Returns the concatenated text, or null when no delta carried this field as a string. */
        private String text(String field) {
            StringBuilder text = texts.get(field);
            return text == null ? null : text.toString();
        }
    }

    /** Accumulates the fragments of one tool call. */
    private static final class ToolCallBuilder {
        private String id;
        private String type;
        private final StringBuilder name = new StringBuilder();
        private final StringBuilder arguments = new StringBuilder();

        void add(JsonObject call) {
            if (id == null && call.getValue("id") instanceof String callId && !callId.isEmpty()) {
                id = callId;
            }
            if (type == null && call.getValue("type") instanceof String callType) {
                type = callType;
            }
            if (call.getValue("function") instanceof JsonObject function) {
                if (function.getValue("name") instanceof String namePart) {
                    name.append(namePart);
                }
                if (function.getValue("arguments") instanceof String argumentsPart) {
                    arguments.append(argumentsPart);
                }
            }
        }

        JsonObject build() {
            return new JsonObject()
                    .put("id", id)
                    .put("type", type == null ? "function" : type)
                    .put("function", new JsonObject()
                            .put("name", name.toString())
                            .put("arguments", arguments.toString()));
        }
    }
}
