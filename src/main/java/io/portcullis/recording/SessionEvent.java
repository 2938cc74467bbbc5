package io.portcullis.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One stored event of a session, with the hashes that link it into the session's chain. */
@Entity
@Table(name = "session_event")
class SessionEvent {

    @Id
    @Column(name = "event_id")
    UUID eventId;

    @Column(name = "session_id")
    String sessionId;

    long sequence;

    String type;

    @Column(name = "request_id")
    String requestId;

    @Column(name = "occurred_at")
    OffsetDateTime occurredAt;

    /** The event's data as JSON text, byte for byte as hashed. */
    String data;

    @Column(name = "previous_hash")
    String previousHash;

    String hash;
}
