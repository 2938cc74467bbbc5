package io.portcullis.approval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The JSON shapes of approvals in the API: {@code object} is {@code portcullis.approval}. */
final class ApprovalJson {

    private ApprovalJson() {
    }

    /** Builds the view of an approval that its requester may see. */
    static JsonObject status(Approval approval) {
        return new JsonObject()
                .put("id", approval.id.toString())
                .put("object", "portcullis.approval")
                .put("kind", approval.kind)
                .put("status", approval.state)
                .put("reason", approval.reason)
                .put("decision_reason", approval.decisionReason)
                .put("created_at", approval.createdAt.toString())
                .put("expires_at", approval.expiresAt.toString())
                .put("decided_at", approval.decidedAt == null ? null : approval.decidedAt.toString());
    }

    /** Builds the approver's view: the status, the masked context, the quorum and the votes (none when null). */
    static JsonObject detail(Approval approval, List<ApprovalVote> votes, Approver viewer) {
        JsonArray voteList = new JsonArray();
        for (ApprovalVote vote : votes == null ? List.<ApprovalVote>of() : votes) {
            voteList.add(new JsonObject()
                    .put("approver", vote.username != null ? vote.username : vote.subject)
                    .put("verdict", vote.verdict)
                    .put("reason", vote.reason)
                    .put("created_at", vote.createdAt.toString()));
        }
        return status(approval)
                .put("requester", approval.username != null ? approval.username : approval.subject)
                .put("session_id", approval.sessionId)
                .put("request_id", approval.requestId)
                .put("decision_id", approval.decisionId)
                .put("context", new JsonObject(approval.context))
                .put("approver_groups", new JsonArray(approval.approverGroups))
                .put("min_approvals", approval.minApprovals)
                .put("votes", voteList)
                .put("can_vote", canVote(approval, viewer));
    }

    static boolean canVote(Approval approval, Approver viewer) {
        return approval.state() == ApprovalState.PENDING && !approval.ownedBy(viewer.issuer(), viewer.subject())
                && ApprovalStore.mayVote(approval, viewer);
    }
}
