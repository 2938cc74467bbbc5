package io.portcullis.recording;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Appends events to a session's hash chain and its outbox entries in one transaction. The
 * session row is locked first ({@code SELECT ... FOR UPDATE}), so concurrent requests of one
 * session append one after the other and the chain stays linear.
 */
@ApplicationScoped
public class SessionEventStore {

    private static final String CREATE_SESSION = """
            INSERT INTO recorded_session (session_id, issuer, subject, username, created_at, last_event_at, event_count)
            VALUES (:id, :issuer, :subject, :username, now(), now(), 0)
            ON CONFLICT (session_id) DO NOTHING""";

    private final Mutiny.SessionFactory sessions;
    private final RecordingConfig config;

    @Inject
    public SessionEventStore(Mutiny.SessionFactory sessions, RecordingConfig config) {
        this.sessions = sessions;
        this.config = config;
    }

    /**
     * Appends events in order to the owner's session, creating the session on its first event.
     *
     * @return the stored events with their sequence numbers and hashes
     * @throws IllegalStateException (as the failure of the Uni) when the session is recorded
     *                               for another identity
     */
    Uni<List<SessionEvent>> append(SessionOwner owner, List<NewEvent> events) {
        return sessions.withTransaction((session, transaction) -> limitWaits(session)
                        .chain(() -> lockHead(session, owner))
                        .chain(head -> appendAll(session, head, events)))
                // A backstop for a connection that hangs; the database's own timeouts normally come first.
                .ifNoItem().after(config.writeTimeout().multipliedBy(2)).fail();
    }

    /**
     * Bounds the lock wait and each statement of the transaction by the write timeout, so that
     * PostgreSQL rolls back a write that waits too long instead of the client abandoning it.
     */
    private Uni<Void> limitWaits(Mutiny.Session session) {
        String millis = Long.toString(config.writeTimeout().toMillis());
        return session.createNativeQuery("SELECT set_config('lock_timeout', :limit, true),"
                        + " set_config('statement_timeout', :limit, true)")
                .setParameter("limit", millis)
                .getSingleResult()
                .replaceWithVoid();
    }

    private static Uni<RecordedSession> lockHead(Mutiny.Session session, SessionOwner owner) {
        return session.createNativeQuery(CREATE_SESSION)
                .setParameter("id", owner.sessionId())
                .setParameter("issuer", owner.issuer())
                .setParameter("subject", owner.subject())
                .setParameter("username", owner.username())
                .executeUpdate()
                .chain(() -> session.find(RecordedSession.class, owner.sessionId(), LockMode.PESSIMISTIC_WRITE))
                .invoke(head -> requireOwner(head, owner));
    }

    private static void requireOwner(RecordedSession head, SessionOwner owner) {
        if (!head.issuer.equals(owner.issuer()) || !head.subject.equals(owner.subject())) {
            // The session binder rejects such requests first; this guards the chain all the same.
            throw new IllegalStateException("Session " + owner.sessionId() + " is recorded for another identity");
        }
    }

    private Uni<List<SessionEvent>> appendAll(Mutiny.Session session, RecordedSession head, List<NewEvent> events) {
        List<SessionEvent> stored = new ArrayList<>(events.size());
        List<Object> rows = new ArrayList<>(events.size() * 2);
        for (NewEvent event : events) {
            SessionEvent link = link(head, event);
            stored.add(link);
            rows.add(link);
            rows.add(outboxEntry(link));
        }
        return session.persistAll(rows.toArray())
                .chain(session::flush)
                .replaceWith(stored);
    }

    /** Creates the next link of the chain and moves the session's head to it. */
    private static SessionEvent link(RecordedSession head, NewEvent event) {
        SessionEvent link = new SessionEvent();
        link.eventId = UUID.randomUUID();
        link.sessionId = head.sessionId;
        link.sequence = head.eventCount + 1;
        link.type = event.type().cloudEventType();
        link.requestId = event.requestId();
        link.occurredAt = utc(event.time());
        link.data = event.data().encode();
        link.previousHash = head.lastHash;
        link.hash = EventHashes.compute(link);
        head.eventCount = link.sequence;
        head.lastHash = link.hash;
        head.lastEventAt = link.occurredAt;
        return link;
    }

    private OutboxEntry outboxEntry(SessionEvent event) {
        OutboxEntry entry = new OutboxEntry();
        entry.eventId = event.eventId;
        entry.sessionId = event.sessionId;
        entry.payload = CloudEvents.of(event, config.kafka().source(), config.kafka().maxEventBytes());
        entry.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        return entry;
    }

    static OffsetDateTime utc(Instant time) {
        return time.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}
