-- Session recording. Each recorded session has one row that serializes its writers
-- (SELECT ... FOR UPDATE) and holds the head of its hash chain.
CREATE TABLE recorded_session (
    session_id    VARCHAR(128) PRIMARY KEY,
    issuer        TEXT         NOT NULL,
    subject       TEXT         NOT NULL,
    username      TEXT,
    created_at    TIMESTAMPTZ  NOT NULL,
    last_event_at TIMESTAMPTZ  NOT NULL,
    event_count   BIGINT       NOT NULL DEFAULT 0,
    -- SHA-256 of the newest event, hex; null until the first event is stored.
    last_hash     CHAR(64)
);

CREATE INDEX recorded_session_by_owner ON recorded_session (issuer, subject, last_event_at DESC);
CREATE INDEX recorded_session_by_age ON recorded_session (last_event_at);

-- The events of a session in chain order. data is the JSON text exactly as it was hashed,
-- so it is stored as TEXT: jsonb would reorder keys and break verification.
CREATE TABLE session_event (
    event_id      UUID         PRIMARY KEY,
    session_id    VARCHAR(128) NOT NULL REFERENCES recorded_session (session_id) ON DELETE CASCADE,
    sequence      BIGINT       NOT NULL,
    type          VARCHAR(100) NOT NULL,
    request_id    VARCHAR(128) NOT NULL,
    occurred_at   TIMESTAMPTZ  NOT NULL,
    data          TEXT         NOT NULL,
    previous_hash CHAR(64),
    hash          CHAR(64)     NOT NULL,
    CONSTRAINT session_event_sequence UNIQUE (session_id, sequence)
);

-- Transactional outbox: one CloudEvent per row, written in the transaction that stores the
-- event, and relayed to Kafka in id order. Rows outlive a deleted session, so that the
-- deletion event itself still reaches Kafka.
CREATE TABLE event_outbox (
    id           BIGSERIAL    PRIMARY KEY,
    event_id     UUID         NOT NULL UNIQUE,
    session_id   VARCHAR(128) NOT NULL,
    payload      TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ,
    -- Set when Kafka rejected the event for good (it is never retried), with the reason.
    failed_at    TIMESTAMPTZ,
    failure      TEXT
);

CREATE INDEX event_outbox_pending ON event_outbox (id) WHERE published_at IS NULL AND failed_at IS NULL;

-- Sessions removed by the retention job, kept after their events are gone.
CREATE TABLE session_deletion (
    event_id    UUID         PRIMARY KEY,
    session_id  VARCHAR(128) NOT NULL,
    issuer      TEXT         NOT NULL,
    subject     TEXT         NOT NULL,
    event_count BIGINT       NOT NULL,
    last_hash   CHAR(64),
    created_at  TIMESTAMPTZ  NOT NULL,
    deleted_at  TIMESTAMPTZ  NOT NULL,
    reason      TEXT         NOT NULL
);
