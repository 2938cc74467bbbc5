package io.portcullis.approval;

import java.util.Locale;

/** The state of an approval. Only {@link #PENDING} changes, because the others are final. */
public enum ApprovalState {
    /** Waiting for votes. */
    PENDING,
    /** Enough approvers approved. */
    APPROVED,
    /** An approver denied. */
    DENIED,
    /** The time to live passed before a quorum approved. */
    EXPIRED,
    /** The caller went away while waiting. */
    CANCELLED;

    /** Returns the value stored in the database and shown in the API, such as {@code pending}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ApprovalState of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
