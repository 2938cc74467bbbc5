package io.portcullis.toolcall;

import io.portcullis.streaming.StreamStage;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Holds the tool calls of one streamed answer until their arguments are complete, has each
 * checked, and then releases the held chunks. Once a chunk carries a tool-call delta, it and
 * every later chunk are held until each choice with tool calls has its {@code finish_reason}
 * (or the stream ends), so the caller receives the answer in its original order.
 *
 * <p>Allowed calls pass with their deltas unchanged except for {@code index}, which is
 * renumbered when an earlier call was removed, because SDKs assemble calls by position. A
 * chunk that nothing changed is returned as the same object, so the relay sends its original
 * bytes. A
 * removed call disappears, the caller gets an assistant {@code content} delta that names the
 * call and the reason, and a choice left without calls finishes with {@code stop} instead of
 * {@code tool_calls}, so agents read the explanation instead of waiting for a tool result.
 */
public final class ToolCallGate implements StreamStage {

    private final ToolCallChecker checker;
    private final ToolCallChecker.Origin origin;
    private final List<JsonObject> held = new ArrayList<>();
    /** Calls by choice index, then by call index, as the deltas build them. */
    private final Map<Integer, TreeMap<Integer, CallBuilder>> calls = new TreeMap<>();
    /** Choices with tool calls that have no finish_reason yet. */
    private final Set<Integer> open = new HashSet<>();
    private final Set<UUID> opened = ToolCallChecker.newOpenedSet();

    ToolCallGate(ToolCallChecker checker, ToolCallChecker.Origin origin) {
        this.checker = checker;
        this.origin = origin;
    }

    @Override
    public Uni<List<JsonObject>> onChunk(JsonObject chunk) {
        boolean hasCalls = collect(chunk);
        if (!hasCalls && held.isEmpty()) {
            return Uni.createFrom().item(List.of(chunk));
        }
        held.add(chunk);
        return open.isEmpty() ? release() : Uni.createFrom().item(List.of());
    }

    @Override
    public Uni<List<JsonObject>> onEnd() {
        return held.isEmpty() ? Uni.createFrom().item(List.of()) : release();
    }

    @Override
    public void cancel() {
        checker.abandon(opened);
    }

    @Override
    public Duration keepAliveInterval() {
        return checker.keepAliveInterval();
    }

    /**
     * Checks the tool calls of a non-streamed completion in the same way, and removes or keeps
     * them in {@code choices[].message}. The completion is changed in place.
     */
    public Uni<JsonObject> checkCompletion(JsonObject completion) {
        List<ToolCall> complete = new ArrayList<>();
        for (JsonObject choice : choices(completion)) {
            JsonObject message = choice.getValue("message") instanceof JsonObject object ? object : null;
            JsonArray toolCalls = message == null ? null : message.getJsonArray("tool_calls");
            for (int i = 0; toolCalls != null && i < toolCalls.size(); i++) {
                JsonObject call = toolCalls.getJsonObject(i);
                JsonObject function = call.getJsonObject("function", new JsonObject());
                complete.add(new ToolCall(choice.getInteger("index", 0), i, call.getString("id"),
                        function.getString("name", ""), function.getString("arguments", "")));
            }
        }
        if (complete.isEmpty()) {
            return Uni.createFrom().item(completion);
        }
        List<Uni<Verdict>> checks = complete.stream().map(call -> checker.check(call, origin, opened)).toList();
        return Uni.join().all(checks).andFailFast().map(verdicts -> {
            for (JsonObject choice : choices(completion)) {
                int choiceIndex = choice.getInteger("index", 0);
                List<Verdict> ofChoice = new ArrayList<>();
                for (int i = 0; i < complete.size(); i++) {
                    if (complete.get(i).choice() == choiceIndex) {
                        ofChoice.add(verdicts.get(i));
                    }
                }
                if (!ofChoice.isEmpty()) {
                    applyToMessage(choice, ofChoice);
                }
            }
            return completion;
        });
    }

    private static void applyToMessage(JsonObject choice, List<Verdict> verdicts) {
        JsonObject message = choice.getJsonObject("message");
        JsonArray toolCalls = message.getJsonArray("tool_calls");
        JsonArray kept = new JsonArray();
        StringBuilder explanations = new StringBuilder();
        for (int i = 0; i < toolCalls.size(); i++) {
            if (verdicts.get(i).allowed()) {
                kept.add(toolCalls.getValue(i));
            } else {
                explanations.append(verdicts.get(i).explanation()).append('\n');
            }
        }
        if (explanations.isEmpty()) {
            return;
        }
        String content = message.getValue("content") instanceof String text ? text + "\n" : "";
        message.put("content", content + explanations);
        if (kept.isEmpty()) {
            message.remove("tool_calls");
            if ("tool_calls".equals(choice.getValue("finish_reason"))) {
                choice.put("finish_reason", "stop");
            }
        } else {
            message.put("tool_calls", kept);
        }
    }

    /** Adds the chunk's tool-call deltas to the calls; returns true when it has any. */
    private boolean collect(JsonObject chunk) {
        boolean hasCalls = false;
        for (JsonObject choice : choices(chunk)) {
            int choiceIndex = choice.getInteger("index", 0);
            JsonArray deltas = toolCalls(choice);
            if (deltas != null && !deltas.isEmpty()) {
                hasCalls = true;
                open.add(choiceIndex);
                for (int i = 0; i < deltas.size(); i++) {
                    JsonObject delta = deltas.getJsonObject(i);
                    calls.computeIfAbsent(choiceIndex, key -> new TreeMap<>())
                            .computeIfAbsent(delta.getInteger("index", 0), key -> new CallBuilder())
                            .add(delta);
                }
            }
            if (choice.getValue("finish_reason") != null) {
                open.remove(choiceIndex);
            }
        }
        return hasCalls;
    }

    /** Checks every collected call, all at once, and rewrites the held chunks by the verdicts. */
    private Uni<List<JsonObject>> release() {
        List<ToolCall> complete = new ArrayList<>();
        calls.forEach((choice, byIndex) -> byIndex.forEach((index, builder) -> complete.add(builder.build(choice,
                index))));
        List<Uni<Verdict>> checks = complete.stream().map(call -> checker.check(call, origin, opened)).toList();
        List<JsonObject> chunks = List.copyOf(held);
        held.clear();
        calls.clear();
        open.clear();
        return Uni.join().all(checks).andFailFast().map(verdicts -> {
            Map<Integer, Map<Integer, Verdict>> byCall = new HashMap<>();
            for (int i = 0; i < complete.size(); i++) {
                ToolCall call = complete.get(i);
                byCall.computeIfAbsent(call.choice(), key -> new HashMap<>()).put(call.index(), verdicts.get(i));
            }
            return rewrite(chunks, byCall);
        });
    }

    private static List<JsonObject> rewrite(List<JsonObject> chunks, Map<Integer, Map<Integer, Verdict>> verdicts) {
        Map<Integer, Map<Integer, Integer>> renumbered = renumber(verdicts);
        List<JsonObject> out = new ArrayList<>();
        for (JsonObject original : chunks) {
            JsonObject chunk = original.copy();
            boolean keep = false;
            for (JsonObject choice : choices(chunk)) {
                int choiceIndex = choice.getInteger("index", 0);
                Map<Integer, Integer> newIndex = renumbered.getOrDefault(choiceIndex, Map.of());
                filterCalls(choice, newIndex);
                if (choice.getValue("finish_reason") != null && verdicts.containsKey(choiceIndex)) {
                    out.addAll(explanations(chunk, choiceIndex, verdicts.get(choiceIndex)));
                    if (newIndex.isEmpty() && "tool_calls".equals(choice.getValue("finish_reason"))) {
                        choice.put("finish_reason", "stop");
                    }
                }
                keep |= carriesSomething(choice);
            }
            if (chunk.equals(original)) {
                // Unchanged chunks keep their identity, so the relay sends the upstream's bytes.
                out.add(original);
            } else if (keep || choices(chunk).isEmpty() || chunk.getValue("usage") != null) {
                out.add(chunk);
            }
        }
        return out;
    }

    /** Maps the index of each allowed call to its position among the allowed calls of its choice. */
    private static Map<Integer, Map<Integer, Integer>> renumber(Map<Integer, Map<Integer, Verdict>> verdicts) {
        Map<Integer, Map<Integer, Integer>> result = new HashMap<>();
        verdicts.forEach((choice, byIndex) -> {
            Map<Integer, Integer> positions = new HashMap<>();
            new TreeMap<>(byIndex).forEach((index, verdict) -> {
                if (verdict.allowed()) {
                    positions.put(index, positions.size());
                }
            });
            result.put(choice, positions);
        });
        return result;
    }

    private static void filterCalls(JsonObject choice, Map<Integer, Integer> newIndex) {
        JsonArray deltas = toolCalls(choice);
        if (deltas == null) {
            return;
        }
        JsonArray kept = new JsonArray();
        for (int i = 0; i < deltas.size(); i++) {
            JsonObject delta = deltas.getJsonObject(i);
            Integer position = newIndex.get(delta.getInteger("index", 0));
            if (position != null) {
                kept.add(delta.copy().put("index", position));
            }
        }
        JsonObject message = choice.getJsonObject("delta");
        if (kept.isEmpty()) {
            message.remove("tool_calls");
        } else {
            message.put("tool_calls", kept);
        }
    }

    /** Builds one content delta per removed call of the choice, in the envelope of the given chunk. */
    private static List<JsonObject> explanations(JsonObject envelope, int choiceIndex, Map<Integer, Verdict> verdicts) {
        List<JsonObject> out = new ArrayList<>();
        new TreeMap<>(verdicts).forEach((index, verdict) -> {
            if (!verdict.allowed()) {
                JsonObject chunk = envelope.copy();
                chunk.remove("usage");
                chunk.put("choices", new JsonArray().add(new JsonObject()
                        .put("index", choiceIndex)
                        .put("delta", new JsonObject().put("content", verdict.explanation() + "\n"))
                        .put("finish_reason", null)));
                out.add(chunk);
            }
        });
        return out;
    }

    private static boolean carriesSomething(JsonObject choice) {
        if (choice.getValue("finish_reason") != null) {
            return true;
        }
        JsonObject delta = choice.getJsonObject("delta");
        if (delta == null) {
            return false;
        }
        return delta.getValue("content") != null || delta.getValue("tool_calls") != null
                || delta.getValue("role") != null || delta.getValue("refusal") != null
                || delta.getValue("reasoning_content") != null;
    }

    private static List<JsonObject> choices(JsonObject chunk) {
        JsonArray choices = chunk.getJsonArray("choices");
        List<JsonObject> list = new ArrayList<>();
        if (choices != null) {
            for (Object choice : choices) {
                if (choice instanceof JsonObject object) {
                    list.add(object);
                }
            }
        }
        return list;
    }

    private static JsonArray toolCalls(JsonObject choice) {
        JsonObject delta = choice.getJsonObject("delta");
        return delta == null ? null : delta.getJsonArray("tool_calls");
    }

    /** Accumulates the deltas of one call: the id and name arrive first, the arguments in pieces. */
    private static final class CallBuilder {
        private String id;
        private final StringBuilder name = new StringBuilder();
        private final StringBuilder arguments = new StringBuilder();

        void add(JsonObject delta) {
            if (delta.getValue("id") instanceof String value) {
                id = value;
            }
            JsonObject function = delta.getJsonObject("function");
            if (function != null) {
                if (function.getValue("name") instanceof String value) {
                    name.append(value);
                }
                if (function.getValue("arguments") instanceof String value) {
                    arguments.append(value);
                }
            }
        }

        ToolCall build(int choice, int index) {
            return new ToolCall(choice, index, id, name.toString(), arguments.toString());
        }
    }
}
