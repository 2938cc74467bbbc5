package io.portcullis.inspection;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The strings of a chat request body, for detection and for the prompt size estimate. A
 * secret or a long text hidden in any field that reaches the upstream (a message {@code name},
 * a tool description, an assistant's tool-call arguments, an unknown content part) must count
 * as much as one in {@code content}.
 */
public final class RequestTexts {

    /** Top-level members whose strings the model reads as part of its prompt. */
    private static final Set<String> PROMPT_MEMBERS =
            Set.of("messages", "tools", "functions", "tool_choice", "function_call", "response_format", "prediction");
    /** Members whose values name structure or point at media, and are not prompt text. */
    private static final Set<String> NON_TEXT_MEMBERS = Set.of("role", "type", "url", "detail", "format");

    private RequestTexts() {
    }

    /**
     * Returns every member name and string value of the body, except data URIs (inline images
     * and audio), which hold base64 media rather than text.
     */
    public static List<String> forDetection(JsonObject body) {
        List<String> texts = new ArrayList<>();
        walk(body, null, (name, text) -> {
            if (name != null) {
                texts.add(name);
            }
            if (text != null && !isDataUri(text)) {
                texts.add(text);
            }
        });
        return texts;
    }

    /**
     * Counts the characters (Unicode code points) of the string values that form the prompt:
     * those under {@link #PROMPT_MEMBERS}, without roles, types, media URLs and data URIs.
     */
    public static long promptCharacters(JsonObject body) {
        long[] characters = {0};
        for (String member : PROMPT_MEMBERS) {
            walk(body.getValue(member), member, (name, text) -> {
                if (text != null && !NON_TEXT_MEMBERS.contains(name) && !isDataUri(text)) {
                    characters[0] += text.codePointCount(0, text.length());
                }
            });
        }
        return characters[0];
    }

    /**
     * Visits a JSON value depth first. The visitor gets each member name once with a null text,
     * and each string with the name of the member that contains it (or of the nearest one above an
     * array). The parser limits nesting depth, so the recursion is bounded.
     */
    private static void walk(Object value, String member, BiConsumer<String, String> visitor) {
        if (value instanceof String text) {
            visitor.accept(member, text);
        } else if (value instanceof JsonObject object) {
            for (Map.Entry<String, Object> entry : object) {
                visitor.accept(entry.getKey(), null);
                walk(entry.getValue(), entry.getKey(), visitor);
            }
        } else if (value instanceof JsonArray array) {
            for (Object item : array) {
                walk(item, member, visitor);
            }
        }
    }

    /** Returns true for a data URI (inline media such as a base64 image), which holds no prompt text. */
    public static boolean isDataUri(String text) {
        return text.regionMatches(true, 0, "data:", 0, 5) && text.indexOf(',') > 0;
    }
}
