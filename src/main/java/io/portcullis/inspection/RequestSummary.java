package io.portcullis.inspection;

import java.util.List;

/**
 * Summary of a request for the policy, without its text.
 *
 * @param api                   {@link #CHAT_COMPLETIONS} or {@link #MODELS_LIST}
 * @param model                 the requested model id; null for a model listing
 * @param stream                true when the caller asked for server-sent events
 * @param maxTokens             {@code max_completion_tokens}, else {@code max_tokens}, else null
 * @param choices               the {@code n} parameter, 1 when absent
 * @param tools                 names of the function tools offered to the model, including the
 *                              legacy {@code functions}
 * @param messageCount          number of messages in the conversation
 * @param estimatedPromptTokens an estimate of the prompt's tokens: text characters divided by 4,
 *                              rounded up
 */
public record RequestSummary(
        String api,
        String model,
        boolean stream,
        Integer maxTokens,
        int choices,
        List<String> tools,
        int messageCount,
        long estimatedPromptTokens) {

    public static final String CHAT_COMPLETIONS = "chat.completions";
    public static final String MODELS_LIST = "models.list";

    public RequestSummary {
        tools = List.copyOf(tools);
    }

    /** Returns the summary of a {@code GET /v1/models} request, which has no body. */
    public static RequestSummary modelsList() {
        return new RequestSummary(MODELS_LIST, null, false, null, 0, List.of(), 0, 0);
    }

    public boolean isModelsList() {
        return MODELS_LIST.equals(api);
    }
}
