package io.portcullis.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Builds a recording that streams a given text as the assistant's answer, a few characters
 * per content delta, for tests that need a known answer (one with personal data, or one that
 * repeats the prompt's placeholders).
 */
final class SyntheticAnswer {

    /** Base64 of the answer, so that the gateway's prompt masking leaves it alone. */
    static final String ANSWER_KEY = "sim_answer_b64";
    static final String ECHO_KEY = "sim_echo";
    static final String DELTA_CHARS_KEY = "sim_delta_chars";

    private SyntheticAnswer() {
    }

    /**
     * Returns the answer text that the request asks for: the base64-decoded {@code sim_answer_b64}, or,
     * when {@code sim_echo} is {@code true}, the last user message's text. Null when neither is set.
     */
    static String answerOf(JsonObject request, JsonObject metadata) {
        if (metadata.getValue(ANSWER_KEY) instanceof String answer) {
            try {
                return new String(Base64.getDecoder().decode(answer), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("metadata." + ANSWER_KEY + " is not base64: " + e.getMessage());
            }
        }
        if (!"true".equals(String.valueOf(metadata.getValue(ECHO_KEY)))) {
            return null;
        }
        String last = "";
        if (request.getValue("messages") instanceof JsonArray messages) {
            for (Object item : messages) {
                if (item instanceof JsonObject message && "user".equals(message.getValue("role"))
                        && message.getValue("content") instanceof String content) {
                    last = content;
                }
            }
        }
        return last;
    }

    /** Returns a recording that streams the text in deltas of {@code deltaChars} characters. */
    static Recording recording(String text, int deltaChars) {
        StringBuilder body = new StringBuilder();
        JsonObject first = chunk(new JsonObject().put("role", "assistant").put("content", ""), null);
        body.append("data: ").append(first.encode()).append("\n\n");
        for (int start = 0; start < text.length(); ) {
            int end = Math.min(text.length(), start + deltaChars);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            JsonObject delta = new JsonObject().put("content", text.substring(start, end));
            body.append("data: ").append(chunk(delta, null).encode()).append("\n\n");
            start = end;
        }
        body.append("data: ").append(chunk(new JsonObject(), "stop").encode()).append("\n\n");
        body.append("data: [DONE]\n\n");
        return Recording.fromSse("synthetic", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonObject chunk(JsonObject delta, String finishReason) {
        JsonObject choice = new JsonObject().put("index", 0).put("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return new JsonObject().put("id", "chatcmpl-synthetic").put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000L).put("model", "sim-gpt").put("choices", new JsonArray().add(choice));
    }
}
