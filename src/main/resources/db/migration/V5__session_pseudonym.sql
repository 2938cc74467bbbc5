-- Pseudonyms of each session: which original value a placeholder such as <EMAIL_ADDRESS_1>
-- stands for. The value is stored only sealed (AES-256-GCM, bound to the session and its
-- owner), and found again through an HMAC-SHA256 digest, so the table holds nothing in clear.
CREATE TABLE session_pseudonym (
    session_id   VARCHAR(128) NOT NULL REFERENCES session_owner (session_id) ON DELETE CASCADE,
    entity_type  VARCHAR(64)  NOT NULL,
    ordinal      INTEGER      NOT NULL CHECK (ordinal > 0),
    value_digest BYTEA        NOT NULL,
    value_sealed BYTEA        NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, entity_type, ordinal),
    UNIQUE (session_id, value_digest)
);
