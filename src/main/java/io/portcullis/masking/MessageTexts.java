package io.portcullis.masking;

import io.portcullis.inspection.RequestTexts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Rewrites the text strings of a chat message: content strings and text parts of every role,
 * refusals, reasoning, tool-call and function-call arguments, tool results, audio transcripts.
 * Members that identify or describe structure (roles, types, ids, function names) and media
 * (URLs, base64 data, data URIs) are left alone, because masking them would break the request
 * or the answer without hiding any prompt text.
 */
final class MessageTexts {

    /** Members whose strings are not text the model reads or writes. */
    static final Set<String> NON_TEXT_MEMBERS = Set.of("role", "type", "id", "tool_call_id", "name", "url", "detail",
            "format", "data", "file_data", "file_id", "index", "finish_reason", "object", "model",
            "system_fingerprint", "voice", "expires_at", "annotations");

    private MessageTexts() {
    }

    /**
     * Replaces every text string of the message, in place, with {@code rewrite}'s result.
     *
     * @return true when a string changed
     */
    static boolean rewrite(JsonObject message, UnaryOperator<String> rewrite) {
        boolean changed = false;
        for (String name : List.copyOf(message.fieldNames())) {
            if (NON_TEXT_MEMBERS.contains(name)) {
                continue;
            }
            Object value = message.getValue(name);
            if (value instanceof String text) {
                String masked = RequestTexts.isDataUri(text) ? text : rewrite.apply(text);
                if (!masked.equals(text)) {
                    message.put(name, masked);
                    changed = true;
                }
            } else if (value instanceof JsonObject object) {
                changed |= rewrite(object, rewrite);
            } else if (value instanceof JsonArray array) {
                changed |= rewrite(array, rewrite);
            }
        }
        return changed;
    }

    private static boolean rewrite(JsonArray array, UnaryOperator<String> rewrite) {
        boolean changed = false;
        for (int i = 0; i < array.size(); i++) {
            Object item = array.getValue(i);
            if (item instanceof String text) {
                String masked = RequestTexts.isDataUri(text) ? text : rewrite.apply(text);
                if (!masked.equals(text)) {
                    array.set(i, masked);
                    changed = true;
                }
            } else if (item instanceof JsonObject object) {
                changed |= rewrite(object, rewrite);
            } else if (item instanceof JsonArray nested) {
                changed |= rewrite(nested, rewrite);
            }
        }
        return changed;
    }
}
