package io.portcullis.approval;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A held request or tool call, as stored in the {@code approval} table (V4__approval.sql). The
 * state changes only inside {@link ApprovalStore} transactions that lock the row.
 */
@Entity
@Table(name = "approval")
public class Approval {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String state;

    @Column(nullable = false)
    public String issuer;

    @Column(nullable = false)
    public String subject;

    public String username;

    @Column(name = "content_digest", nullable = false)
    public String contentDigest;

    @Column(name = "session_id")
    public String sessionId;

    @Column(name = "request_id")
    public String requestId;

    @Column(name = "decision_id")
    public String decisionId;

    /** JSON shown to approvers: who asked, a summary of what, never prompt text. */
    @Column(nullable = false)
    public String context;

    /** The policy's reason for the hold, shown to approvers. */
    public String reason;

    /** JSON array of the groups whose members may vote. */
    @Column(name = "approver_groups", nullable = false)
    public String approverGroups;

    @Column(name = "min_approvals", nullable = false)
    public int minApprovals;

    @Column(nullable = false)
    public int waiters;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "detached_at")
    public Instant detachedAt;

    @Column(name = "decided_at")
    public Instant decidedAt;

    /** The reason given with the vote that decided the approval, or null. */
    @Column(name = "decision_reason")
    public String decisionReason;

    @Column(name = "consumed_at")
    public Instant consumedAt;

    public ApprovalState state() {
        return ApprovalState.of(state);
    }

    public ApprovalKind kind() {
        return ApprovalKind.of(kind);
    }

    boolean ownedBy(String otherIssuer, String otherSubject) {
        return issuer.equals(otherIssuer) && subject.equals(otherSubject);
    }
}
