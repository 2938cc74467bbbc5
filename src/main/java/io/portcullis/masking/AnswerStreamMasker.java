package io.portcullis.masking;

import io.portcullis.streaming.EventRewriter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Masks a streamed chat completion chunk by chunk. Every text string of a choice's delta
 * (content, reasoning under any member name, refusal, tool-call and function-call arguments,
 * audio transcript) is a separate text with its own {@link StreamingTextMasker}, per choice
 * index and per tool-call index. Held-back text is released with a later delta of the same
 * text, at the latest in the chunk that carries the choice's {@code finish_reason}, or in a
 * chunk of its own before {@code [DONE]}. A chunk whose only text was held back is dropped.
 * Log probabilities are removed, because their tokens repeat the text in clear.
 */
public final class AnswerStreamMasker implements EventRewriter {

    private static final String TOOL_CALLS = "tool_calls";

    private final TextMasker masker;
    private final int maxHold;
    /** Per choice index, the texts seen so far, by their path in the delta. */
    private final Map<Integer, Map<List<Object>, StreamingTextMasker>> choices = new TreeMap<>();
    private JsonObject lastChunk;

    public AnswerStreamMasker(TextMasker masker, int maxHold) {
        this.masker = masker;
        this.maxHold = maxHold;
    }

    @Override
    public List<JsonObject> rewrite(JsonObject payload) {
        lastChunk = payload;
        if (!(payload.getValue("choices") instanceof JsonArray array)) {
            return List.of(payload);
        }
        boolean heldBack = false;
        for (int position = 0; position < array.size(); position++) {
            if (!(array.getValue(position) instanceof JsonObject choice)) {
                continue;
            }
            int index = choice.getValue("index") instanceof Number number ? number.intValue() : position;
            if (choice.getValue("logprobs") != null) {
                choice.putNull("logprobs");
            }
            JsonObject delta = choice.getValue("delta") instanceof JsonObject object ? object : null;
            if (delta != null) {
                heldBack |= maskObject(index, delta, List.of());
            }
            if (choice.getValue("finish_reason") != null) {
                if (delta == null) {
                    delta = new JsonObject();
                    choice.put("delta", delta);
                }
                release(index, delta);
            }
        }
        return heldBack && emptyHanded(payload) ? List.of() : List.of(payload);
    }

    @Override
    public List<JsonObject> finish() {
        JsonArray released = new JsonArray();
        for (Integer index : List.copyOf(choices.keySet())) {
            JsonObject delta = new JsonObject();
            release(index, delta);
            if (!delta.isEmpty()) {
                released.add(new JsonObject().put("index", index).put("delta", delta).putNull("finish_reason"));
            }
        }
        if (released.isEmpty()) {
            return List.of();
        }
        JsonObject chunk = new JsonObject();
        if (lastChunk != null) {
            for (String member : List.of("id", "object", "created", "model", "system_fingerprint")) {
                if (lastChunk.containsKey(member)) {
                    chunk.put(member, lastChunk.getValue(member));
                }
            }
        }
        return List.of(chunk.put("choices", released));
    }

    /** Returns how many entities of each type were masked so far. */
    public TreeMap<String, Integer> maskedCounts() {
        return masker.maskedCounts();
    }

    /**
     * Masks the text strings of a delta object in place.
     *
     * @return true when text was held back and removed from the delta
     */
    private boolean maskObject(int choice, JsonObject object, List<Object> path) {
        boolean heldBack = false;
        for (String name : List.copyOf(object.fieldNames())) {
            if (MessageTexts.NON_TEXT_MEMBERS.contains(name)) {
                continue;
            }
            Object value = object.getValue(name);
            List<Object> memberPath = append(path, name);
            if (value instanceof String text && !text.isEmpty()) {
                String released = streamOf(choice, memberPath).append(text);
                if (released.isEmpty()) {
                    object.remove(name);
                    heldBack = true;
                } else {
                    object.put(name, released);
                }
            } else if (value instanceof JsonObject nested) {
                heldBack |= maskObject(choice, nested, memberPath);
            } else if (value instanceof JsonArray array) {
                for (int position = 0; position < array.size(); position++) {
                    if (array.getValue(position) instanceof JsonObject item) {
                        // Tool calls are numbered by their "index" member, not by their position in one chunk.
                        Object key = TOOL_CALLS.equals(name) && item.getValue("index") instanceof Number number
                                ? number.intValue() : position;
                        heldBack |= maskObject(choice, item, append(memberPath, key));
                    }
                }
            }
        }
        return heldBack;
    }

    private StreamingTextMasker streamOf(int choice, List<Object> path) {
        return choices.computeIfAbsent(choice, ignored -> new LinkedHashMap<>())
                .computeIfAbsent(path, ignored -> new StreamingTextMasker(masker, maxHold));
    }

    /** Appends the held-back text of every text of the choice to the delta, at the text's path. */
    private void release(int choice, JsonObject delta) {
        Map<List<Object>, StreamingTextMasker> texts = choices.remove(choice);
        if (texts == null) {
            return;
        }
        for (Map.Entry<List<Object>, StreamingTextMasker> text : texts.entrySet()) {
            String rest = text.getValue().finish();
            if (!rest.isEmpty()) {
                appendAt(delta, text.getKey(), rest);
            }
        }
    }

    /** Appends text to the string at a path of the delta, creating the objects on the way. */
    private static void appendAt(JsonObject delta, List<Object> path, String text) {
        JsonObject object = delta;
        for (int i = 0; i < path.size() - 1; i++) {
            String name = (String) path.get(i);
            Object next = path.get(i + 1);
            if (next instanceof Integer key) {
                object = element(object, name, key);
                i++;
            } else {
                JsonObject child = object.getValue(name) instanceof JsonObject existing ? existing : new JsonObject();
                object.put(name, child);
                object = child;
            }
        }
        String last = (String) path.get(path.size() - 1);
        String existing = object.getValue(last) instanceof String value ? value : "";
        object.put(last, existing + text);
    }

    /** Returns the array element with the given key, adding one when missing. */
    private static JsonObject element(JsonObject object, String name, int key) {
        JsonArray array = object.getValue(name) instanceof JsonArray existing ? existing : new JsonArray();
        object.put(name, array);
        boolean byIndex = TOOL_CALLS.equals(name);
        for (int position = 0; position < array.size(); position++) {
            if (array.getValue(position) instanceof JsonObject item) {
                boolean matches = byIndex ? item.getValue("index") instanceof Number number && number.intValue() == key
                        : position == key;
                if (matches) {
                    return item;
                }
            }
        }
        JsonObject item = byIndex ? new JsonObject().put("index", key) : new JsonObject();
        array.add(item);
        return item;
    }

    /**
     * Returns true when the chunk carries nothing for the caller: no usage, and choices whose
     * deltas hold no text, role, id or name, and that have no finish reason.
     */
    private static boolean emptyHanded(JsonObject payload) {
        if (payload.getValue("usage") != null) {
            return false;
        }
        for (Object item : payload.getJsonArray("choices")) {
            if (item instanceof JsonObject choice && (choice.getValue("finish_reason") != null
                    || !carriesNothing(choice.getValue("delta")))) {
                return false;
            }
        }
        return true;
    }

    private static boolean carriesNothing(Object value) {
        if (value == null) {
            return true;
        }
        if (value instanceof JsonObject object) {
            for (String name : object.fieldNames()) {
                if (!name.equals("index") && !carriesNothing(object.getValue(name))) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof JsonArray array) {
            for (Object item : array) {
                if (!carriesNothing(item)) {
                    return false;
                }
            }
            return true;
        }
        return value instanceof String text && text.isEmpty();
    }

    private static List<Object> append(List<Object> path, Object segment) {
        List<Object> longer = new ArrayList<>(path.size() + 1);
        longer.addAll(path);
        longer.add(segment);
        return List.copyOf(longer);
    }
}
