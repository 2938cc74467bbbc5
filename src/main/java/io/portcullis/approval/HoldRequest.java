package io.portcullis.approval;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.policy.PolicyDecision;
import io.vertx.core.json.JsonObject;

/**
 * The facts a new approval is opened with.
 *
 * @param kind       a request or a tool call
 * @param caller     the requester
 * @param digest     SHA-256 (hex) of the held content, which retries share
 * @param sessionId  the caller's session, or null
 * @param requestId  the request id, or null
 * @param decisionId OPA's decision id, or null
 * @param approval   the decision's approval object
 * @param context    what approvers see: never prompt text, tool arguments only masked
 */
public record HoldRequest(ApprovalKind kind, CallerIdentity caller, String digest, String sessionId,
        String requestId, String decisionId, PolicyDecision.Approval approval, JsonObject context) {
}
