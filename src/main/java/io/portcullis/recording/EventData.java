package io.portcullis.recording;

import io.portcullis.api.ChatRequest;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.inspection.Findings;
import io.portcullis.policy.PolicyDecision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Locale;

/** Builds the data of the request events from the gateway's own types; docs/events.md lists the fields. */
final class EventData {

    private EventData() {
    }

    /** The caller's identity as the token stated it; the token itself is never recorded. */
    static JsonObject identity(CallerIdentity caller) {
        return new JsonObject()
                .put("issuer", caller.issuer())
                .put("subject", caller.subject())
                .put("username", caller.username())
                .put("email", caller.email())
                .put("groups", new JsonArray(caller.groups()))
                .put("roles", new JsonArray(caller.roles()))
                .put("client_id", caller.clientId())
                .put("agent", caller.agent())
                .put("purpose", caller.purpose())
                .put("actor", actor(caller.actor()));
    }

    private static JsonObject actor(CallerIdentity.Actor actor) {
        if (actor == null) {
            return null;
        }
        return new JsonObject().put("subject", actor.subject()).put("client_id", actor.clientId())
                .put("actor", actor(actor.actor()));
    }

    /** Summary of a chat request without its text. */
    static JsonObject requestSummary(ChatRequest request) {
        Object streamOptions = request.json().getValue("stream_options");
        boolean includeUsage = streamOptions instanceof JsonObject options
                && Boolean.TRUE.equals(options.getValue("include_usage"));
        return new JsonObject()
                .put("api", "chat.completions")
                .put("model", request.model())
                .put("stream", request.stream())
                .put("include_usage", includeUsage)
                .put("choices", request.choices())
                .put("max_tokens", request.maxTokens())
                .put("tools", new JsonArray(request.toolNames()))
                .put("message_count", request.messageCount());
    }

    /**
     * The prompt as forwarded: the messages, and the tool definitions when there are any. Only
     * recorded when the decision asks for full recording.
     */
    static JsonObject prompt(ChatRequest forwarded) {
        JsonObject prompt = new JsonObject().put("messages", forwarded.json().getValue("messages"));
        if (forwarded.json().getValue("tools") instanceof JsonArray tools) {
            prompt.put("tools", tools);
        }
        return prompt;
    }

    static JsonObject decision(PolicyDecision decision, Findings findings) {
        PolicyDecision.Mask mask = decision.mask();
        PolicyDecision.Constraints constraints = decision.constraints();
        return new JsonObject()
                .put("decision_id", decision.decisionId())
                .put("allow", decision.allow())
                .put("reasons", new JsonArray(decision.reasons()))
                .put("findings", new JsonObject(new LinkedHashMap<>(findings.counts())))
                .put("mask", new JsonObject()
                        .put("prompt", new JsonArray(mask.prompt()))
                        .put("response", new JsonArray(mask.response()))
                        .put("mode", lowerCase(mask.mode())))
                .put("approval", new JsonObject()
                        .put("required", decision.approval().required())
                        .put("approver_groups", new JsonArray(decision.approval().approverGroups()))
                        .put("min_approvals", decision.approval().minApprovals()))
                .put("constraints", new JsonObject()
                        .put("models", constraints.models() == null ? null : new JsonArray(constraints.models()))
                        .put("max_tokens", constraints.maxTokens())
                        .put("tools", constraints.tools() == null ? null : new JsonArray(constraints.tools()))
                        .put("tools_mode", lowerCase(constraints.toolsMode())))
                .put("record", lowerCase(decision.recording()));
    }

    static String lowerCase(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }
}
