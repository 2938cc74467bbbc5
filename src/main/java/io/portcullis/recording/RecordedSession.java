package io.portcullis.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A recorded session: its owner and the head of its hash chain. Locked while events are appended. */
@Entity
@Table(name = "recorded_session")
class RecordedSession {

    @Id
    @Column(name = "session_id")
    String sessionId;

    String issuer;

    String subject;

    String username;

    @Column(name = "created_at")
    OffsetDateTime createdAt;

    @Column(name = "last_event_at")
    OffsetDateTime lastEventAt;

    @Column(name = "event_count")
    long eventCount;

    /** SHA-256 of the newest event in hex, or null before the first event. */
    @Column(name = "last_hash")
    String lastHash;
}
