package io.portcullis.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A CloudEvent waiting in the transactional outbox until {@link OutboxRelay} has sent it to Kafka. */
@Entity
@Table(name = "event_outbox")
class OutboxEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "event_id")
    UUID eventId;

    @Column(name = "session_id")
    String sessionId;

    /** The structured-mode CloudEvent, as JSON text. */
    String payload;

    @Column(name = "created_at")
    OffsetDateTime createdAt;

    @Column(name = "published_at")
    OffsetDateTime publishedAt;
}
