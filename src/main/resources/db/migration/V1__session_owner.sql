-- Each session id belongs to the identity that first used it, named by issuer and subject.
-- Later requests with the same id from another identity are rejected.
CREATE TABLE session_owner (
    session_id   VARCHAR(128) PRIMARY KEY,
    issuer       TEXT         NOT NULL,
    subject      TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE INDEX session_owner_by_owner ON session_owner (issuer, subject);
