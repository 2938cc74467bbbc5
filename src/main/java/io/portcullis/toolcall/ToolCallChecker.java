package io.portcullis.toolcall;

import io.portcullis.approval.Approval;
import io.portcullis.approval.ApprovalContexts;
import io.portcullis.approval.ApprovalKind;
import io.portcullis.approval.ApprovalStore;
import io.portcullis.approval.ApprovalWaiters;
import io.portcullis.approval.HoldRequest;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.GatewayException;
import io.portcullis.policy.PolicyDecider;
import io.portcullis.policy.ToolCallDecision;
import io.portcullis.session.BoundSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.portcullis.approval.ApprovalConfig;

/**
 * Checks complete tool calls against the tool-call policy ({@code portcullis/tool_call}) and, when
 * the policy asks, holds them for approval. A call that cannot be checked (OPA down, an invalid
 * decision, the approval store down) is removed: nothing passes unchecked.
 */
@ApplicationScoped
public class ToolCallChecker {

    private final PolicyDecider policy;
    private final ArgumentMasker masker;
    private final ApprovalStore store;
    private final ApprovalWaiters waiters;
    private final ApprovalConfig config;

    @Inject
    public ToolCallChecker(PolicyDecider policy, ArgumentMasker masker, ApprovalStore store, ApprovalWaiters waiters,
            ApprovalConfig config) {
        this.policy = policy;
        this.masker = masker;
        this.store = store;
        this.waiters = waiters;
        this.config = config;
    }

    /** Who made the request whose answer holds the calls. */
    public record Origin(CallerIdentity caller, BoundSession session, String model, String requestId) {
    }

    /** Creates the stage that checks the tool calls of one streamed answer. */
    public ToolCallGate gate(Origin origin) {
        return new ToolCallGate(this, origin);
    }

    Duration keepAliveInterval() {
        return config.keepAliveInterval();
    }

    /**
     * Decides on one call.
     *
     * @param opened collects the approvals opened for the call, so that they can be abandoned
     *               when the caller goes away
     */
    Uni<Verdict> check(ToolCall call, Origin origin, Set<UUID> opened) {
        Object masked = masker.mask(parse(call.arguments()));
        return policy.decideToolCall(origin.caller(), origin.session(), origin.model(), call.name(), masked)
                .chain(decision -> {
                    if (!decision.allow()) {
                        return Uni.createFrom().item(Verdict.removed(call, String.join("; ", decision.reasons())));
                    }
                    if (!decision.approval().required()) {
                        return Uni.createFrom().item(Verdict.ALLOWED);
                    }
                    return hold(call, origin, decision, masked, opened);
                })
                .onFailure().recoverWithItem(failure -> Verdict.removed(call, "the gateway could not check it ("
                        + (failure instanceof GatewayException gateway ? gateway.errorCode().code() : "internal_error")
                        + ")."));
    }

    private Uni<Verdict> hold(ToolCall call, Origin origin, ToolCallDecision decision, Object masked,
            Set<UUID> opened) {
        String sessionId = origin.session() == null ? null : origin.session().id();
        JsonObject context = new JsonObject()
                .put("requester", ApprovalContexts.requester(origin.caller()))
                .put("session_id", sessionId)
                .put("request", new JsonObject().put("model", origin.model()))
                .put("tool", new JsonObject().put("name", call.name()).put("call_id", call.id()).put("arguments", masked));
        String digest = ApprovalContexts.digest(origin.requestId() + "\n" + call.choice() + "\n" + call.index() + "\n"
                + call.name() + "\n" + call.arguments());
        HoldRequest hold = new HoldRequest(ApprovalKind.TOOL_CALL, origin.caller(), digest, sessionId,
                origin.requestId(), decision.decisionId(), decision.approval(), context);
        return store.openOrAttach(hold, true)
                .invoke(openedApproval -> opened.add(openedApproval.approval().id))
                .chain(openedApproval -> waiters.awaitDecision(openedApproval.approval()))
                .invoke(approval -> opened.remove(approval.id))
                .map(approval -> verdict(call, approval));
    }

    private static Verdict verdict(ToolCall call, Approval approval) {
        return switch (approval.state()) {
            case APPROVED -> Verdict.ALLOWED;
            case DENIED -> Verdict.removed(call, "an approver denied it"
                    + (approval.decisionReason == null ? "." : ": " + approval.decisionReason));
            case EXPIRED -> Verdict.removed(call, "nobody approved it before its approval expired.");
            case CANCELLED, PENDING -> Verdict.removed(call, "its approval was cancelled.");
        };
    }

    void abandon(Set<UUID> opened) {
        Set.copyOf(opened).forEach(waiters::abandon);
    }

    static Set<UUID> newOpenedSet() {
        return ConcurrentHashMap.newKeySet();
    }

    private static Object parse(String arguments) {
        try {
            return Json.decodeValue(arguments);
        } catch (DecodeException e) {
            return arguments;
        }
    }
}
