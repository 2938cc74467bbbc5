package io.portcullis.policy;

import io.portcullis.api.ChatRequest;
import io.portcullis.api.ChatRequestParser;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.policy.PolicyDecision.Constraints;
import io.portcullis.policy.PolicyDecision.ToolsMode;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Applies a request decision: denies, or forwards the request within the decision's constraints.
 * A request that the decision does not change keeps its original bytes. A changed one is
 * serialized again and parsed once more, so the forwarded body passes the same checks as a
 * caller's.
 */
public final class Enforcement {

    static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";
    static final String MAX_TOKENS = "max_tokens";
    /** Maximum length of a deny message shown to the caller, in characters. */
    private static final int MAX_MESSAGE = 2000;

    private Enforcement() {
    }

    /**
     * The request to forward.
     *
     * @param request      the caller's request, or a rewritten copy
     * @param maxTokensCap the decision's {@code constraints.max_tokens}, reported to the caller in
     *                     {@code X-Portcullis-Max-Tokens}, or null
     * @param rewritten    true when the decision changed the body
     */
    public record Enforced(ChatRequest request, Integer maxTokensCap, boolean rewritten) {
    }

    /**
     * Applies a decision to a chat request.
     *
     * @throws GatewayException {@code policy_denied} when the decision denies the request, its
     *                          model or one of its tools. A required approval is left to the
     *                          approval stage.
     */
    public static Enforced apply(PolicyDecision decision, ChatRequest request) {
        requireAllowed(decision);
        Constraints constraints = decision.constraints();
        if (constraints.models() != null && !constraints.models().contains(request.model())) {
            throw new GatewayException(ErrorCode.POLICY_DENIED, printable("The policy does not allow the model '"
                    + request.model() + "'."), "model");
        }
        JsonObject body = request.json().copy();
        boolean changed = constraints.tools() != null && restrictTools(body, constraints);
        changed |= constraints.maxTokens() != null && capTokens(body, constraints.maxTokens());
        ChatRequest forwarded = changed ? ChatRequestParser.parse(body.toBuffer()) : request;
        return new Enforced(forwarded, constraints.maxTokens(), changed);
    }

    /**
     * Applies a {@code models.list} decision to the routed models. Masking and approval concern
     * prompts, which a listing has none of, so only {@code allow} and {@code constraints.models}
     * count here.
     *
     * @return the models the caller may see, in the given order
     * @throws GatewayException {@code policy_denied} when the decision denies the listing
     */
    public static List<String> visibleModels(PolicyDecision decision, Collection<String> routed) {
        requireAllowed(decision);
        List<String> allowed = decision.constraints().models();
        return routed.stream().filter(model -> allowed == null || allowed.contains(model)).toList();
    }

    private static void requireAllowed(PolicyDecision decision) {
        if (!decision.allow()) {
            String reasons = String.join("; ", decision.reasons());
            throw new GatewayException(ErrorCode.POLICY_DENIED, reasons.isBlank() ? null : printable(reasons));
        }
    }

    /**
     * Removes the tools outside {@code constraints.tools}, or denies the request when
     * {@code tools_mode} is {@code deny}.
     *
     * @return true when the body changed
     */
    private static boolean restrictTools(JsonObject body, Constraints constraints) {
        Set<String> allowed = Set.copyOf(constraints.tools());
        List<String> outside = ToolFilter.disallowed(body, allowed);
        if (outside.isEmpty()) {
            return false;
        }
        if (constraints.toolsMode() == ToolsMode.DENY) {
            throw new GatewayException(ErrorCode.POLICY_DENIED, printable("The policy does not allow these tools: "
                    + String.join(", ", outside) + "."), "tools");
        }
        ToolFilter.retain(body, allowed);
        return true;
    }

    /**
     * Lowers {@code max_completion_tokens} and {@code max_tokens} to the cap where they exceed it,
     * or sets {@code max_completion_tokens} when the caller sent neither.
     *
     * @return true when the body changed
     */
    private static boolean capTokens(JsonObject body, int cap) {
        // NOTE: some OpenAI-compatible servers (llama-cpp-python 0.3.36, for one) read max_tokens only,
        // so a cap set through max_completion_tokens does not limit them.
        boolean present = false;
        boolean changed = false;
        for (String field : List.of(MAX_COMPLETION_TOKENS, MAX_TOKENS)) {
            if (body.getValue(field) instanceof Number value) {
                present = true;
                if (value.longValue() > cap) {
                    body.put(field, cap);
                    changed = true;
                }
            }
        }
        if (!present) {
            body.put(MAX_COMPLETION_TOKENS, cap);
            changed = true;
        }
        return changed;
    }

    /** Replaces control characters and shortens the text, because it is shown to the caller. */
    private static String printable(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", " ");
        return cleaned.length() > MAX_MESSAGE ? cleaned.substring(0, MAX_MESSAGE) + "..." : cleaned;
    }
}
