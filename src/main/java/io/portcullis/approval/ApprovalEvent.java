package io.portcullis.approval;

import java.time.Instant;
import java.util.UUID;

/**
 * CDI event fired on the replica where an approval was opened or reached a final state. The
 * recording stage turns it into a session event; it carries no prompt text.
 *
 * @param type        what happened
 * @param approvalId  the approval
 * @param kind        a held request or a held tool call
 * @param sessionId   the caller's session, or null
 * @param requestId   the request that opened the approval, or null
 * @param issuer      the requester's issuer
 * @param subject     the requester's subject
 * @param actor       username or subject of the approver who decided, or null for a request, expiry
 *                    or cancellation
 * @param reason      the policy's reason for {@link Type#REQUESTED}, the approver's reason otherwise, or null
 * @param time        when it happened
 */
public record ApprovalEvent(Type type, UUID approvalId, ApprovalKind kind, String sessionId, String requestId,
        String issuer, String subject, String actor, String reason, Instant time) {

    public enum Type {
        REQUESTED, GRANTED, DENIED, EXPIRED, CANCELLED
    }
}
