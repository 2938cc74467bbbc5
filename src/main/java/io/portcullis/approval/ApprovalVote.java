package io.portcullis.approval;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One approver's vote on an approval; the table allows one per approver. */
@Entity
@Table(name = "approval_vote")
public class ApprovalVote {

    public static final String APPROVE = "approve";
    public static final String DENY = "deny";

    @Id
    public UUID id;

    @Column(name = "approval_id", nullable = false)
    public UUID approvalId;

    @Column(nullable = false)
    public String issuer;

    @Column(nullable = false)
    public String subject;

    public String username;

    /** {@value #APPROVE} or {@value #DENY}. */
    @Column(nullable = false)
    public String verdict;

    public String reason;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
