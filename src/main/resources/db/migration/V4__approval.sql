-- Requests and tool calls held until people approve them. Replicas share these rows, and a
-- change of state is announced with NOTIFY portcullis_approval '<id>' so that the replica
-- that holds the caller's connection releases it.
CREATE TABLE approval (
    id              UUID         PRIMARY KEY,
    -- request or tool_call
    kind            VARCHAR(16)  NOT NULL,
    -- pending, approved, denied, expired or cancelled
    state           VARCHAR(16)  NOT NULL,
    issuer          TEXT         NOT NULL,
    subject         TEXT         NOT NULL,
    username        TEXT,
    -- SHA-256 (hex) of the held content: the request body, or the tool call's name and arguments
    content_digest  VARCHAR(64)  NOT NULL,
    session_id      VARCHAR(128),
    request_id      VARCHAR(128),
    decision_id     VARCHAR(128),
    -- What approvers see, as JSON: identity, request summary, masked tool arguments. Never prompt text.
    context         TEXT         NOT NULL,
    reason          TEXT,
    -- JSON array of the groups whose members may vote
    approver_groups TEXT         NOT NULL,
    min_approvals   INTEGER      NOT NULL,
    -- Connections that wait on this approval, over all replicas
    waiters         INTEGER      NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ  NOT NULL,
    expires_at      TIMESTAMPTZ  NOT NULL,
    detached_at     TIMESTAMPTZ,
    decided_at      TIMESTAMPTZ,
    decision_reason TEXT,
    -- Set when an approved request was forwarded, so that one approval releases one request
    consumed_at     TIMESTAMPTZ,
    CONSTRAINT approval_kind_valid CHECK (kind IN ('request', 'tool_call')),
    CONSTRAINT approval_state_valid CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
    CONSTRAINT approval_min_valid CHECK (min_approvals >= 1)
);

-- At most one pending approval per identity and content, so that retries attach to it.
CREATE UNIQUE INDEX approval_pending_content ON approval (issuer, subject, content_digest)
    WHERE state = 'pending';
CREATE INDEX approval_pending_expiry ON approval (expires_at) WHERE state = 'pending';

-- One vote per approver and approval.
CREATE TABLE approval_vote (
    id          UUID         PRIMARY KEY,
    approval_id UUID         NOT NULL REFERENCES approval (id) ON DELETE CASCADE,
    issuer      TEXT         NOT NULL,
    subject     TEXT         NOT NULL,
    username    TEXT,
    -- approve or deny
    verdict     VARCHAR(8)   NOT NULL,
    reason      TEXT,
    created_at  TIMESTAMPTZ  NOT NULL,
    CONSTRAINT approval_vote_verdict_valid CHECK (verdict IN ('approve', 'deny')),
    CONSTRAINT approval_vote_once UNIQUE (approval_id, issuer, subject)
);
