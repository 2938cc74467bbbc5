package io.portcullis.observability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Recognizes the first streamed chat completion chunk that carries generated output. */
public final class FirstTokens {

    private FirstTokens() {
    }

    /**
     * Returns true when a chunk's choices carry text, reasoning text or a tool call. The first
     * chunk of an OpenAI stream usually carries only {@code "role": "assistant"} and empty
     * content, which does not count as a token.
     */
    public static boolean carriesToken(JsonObject chunk) {
        if (!(chunk.getValue("choices") instanceof JsonArray choices)) {
            return false;
        }
        for (Object choice : choices) {
            if (choice instanceof JsonObject object && object.getValue("delta") instanceof JsonObject delta
                    && deltaCarriesToken(delta)) {
                return true;
            }
        }
        return false;
    }

    private static boolean deltaCarriesToken(JsonObject delta) {
        return nonEmpty(delta.getValue("content"))
                || nonEmpty(delta.getValue("reasoning_content"))
                || nonEmpty(delta.getValue("reasoning"))
                || delta.getValue("tool_calls") instanceof JsonArray calls && !calls.isEmpty();
    }

    private static boolean nonEmpty(Object value) {
        return value instanceof String text && !text.isEmpty();
    }
}
