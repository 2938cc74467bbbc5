package io.portcullis.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A validated Chat Completions request.
 *
 * @param raw          the body exactly as received, forwarded unchanged while no stage rewrites it
 * @param json         the parsed body
 * @param model        the requested model id
 * @param stream       true when the caller asked for server-sent events
 * @param choices      the {@code n} parameter, 1 when absent
 * @param maxTokens    {@code max_completion_tokens}, else {@code max_tokens}, else null
 * @param toolNames    names of the function tools offered to the model
 * @param messageCount number of messages in the conversation
 */
public record ChatRequest(
        Buffer raw,
        JsonObject json,
        String model,
        boolean stream,
        int choices,
        Integer maxTokens,
        List<String> toolNames,
        int messageCount) {
}
