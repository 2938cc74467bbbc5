package io.portcullis.recording;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Appends events to a session's hash chain and its outbox entries in one transaction. The
 * session row is created or locked first, so concurrent requests of one session append one
 * after the other and the chain stays linear.
 *
 * <p>An append takes two round trips on one connection. The first round trip
 * pipelines {@code BEGIN} with the transaction's lock and statement timeouts, and an upsert that
 * creates or locks the session row and returns the head of the chain. The second round trip
 * pipelines one statement that inserts the events and their outbox rows and moves the head,
 * followed by {@code COMMIT}.
 *
 * <p>This class uses the reactive SQL client instead of Hibernate Reactive, because Hibernate
 * Reactive sends each statement on its own round trip. It also did not reuse the plan of the
 * native select that set the timeouts. With Hibernate Reactive 3.2.11 on ORM 7.2.14, every
 * execution added a plan-cache entry (1267 after about 630 requests). All entries of one SQL
 * text share a hash code, so each lookup compared the key with every one of them.
 */
@ApplicationScoped
public class SessionEventStore {

    /**
     * Creates the session row on the first event, or locks it, and returns the head of the chain.
     * {@code ON CONFLICT DO UPDATE} locks the existing row even when the owner does not match, in
     * which case nothing is returned.
     */
    private static final String LOCK_HEAD = """
            INSERT INTO recorded_session (session_id, issuer, subject, username, created_at, last_event_at, event_count)
            VALUES ($1, $2, $3, $4, now(), now(), 0)
            ON CONFLICT (session_id) DO UPDATE SET event_count = recorded_session.event_count
            WHERE recorded_session.issuer = EXCLUDED.issuer AND recorded_session.subject = EXCLUDED.subject
            RETURNING event_count, last_hash""";

    /**
     * Inserts the events and their outbox rows, and moves the head to the last event. The outbox
     * rows are inserted in chain order, so their ids, which set the relay's order, follow it too.
     */
    private static final String WRITE_EVENTS = """
            WITH stored AS (
                INSERT INTO session_event
                    (event_id, session_id, sequence, type, request_id, occurred_at, data, previous_hash, hash)
                SELECT event_id, $1, sequence, type, request_id, occurred_at, data, previous_hash, hash
                FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::text[],
                            $8::text[], $9::text[])
                    AS event (event_id, sequence, type, request_id, occurred_at, data, previous_hash, hash)
            ), queued AS (
                INSERT INTO event_outbox (event_id, session_id, payload)
                SELECT event_id, $1, payload
                FROM unnest($2::uuid[], $10::text[]) WITH ORDINALITY AS entry (event_id, payload, position)
                ORDER BY position
            )
            UPDATE recorded_session SET event_count = $11, last_hash = $12, last_event_at = $13
            WHERE session_id = $1""";

    private final io.vertx.sqlclient.Pool pool;
    private final RecordingConfig config;
    /** BEGIN and the timeouts as one simple query, which takes no parameters, so the number is part of the text. */
    private final String begin;

    @Inject
    public SessionEventStore(Pool pool, RecordingConfig config) {
        this.pool = pool.getDelegate();
        this.config = config;
        String millis = Long.toString(config.writeTimeout().toMillis());
        // Both limits end with the transaction: PostgreSQL rolls back a write that waits too long.
        this.begin = "BEGIN; SET LOCAL lock_timeout = " + millis + "; SET LOCAL statement_timeout = " + millis;
    }

    /**
     * Appends events in order to the owner's session, creating the session on its first event.
     *
     * @return the stored events with their sequence numbers and hashes
     * @throws IllegalStateException (as the failure of the Uni) when the session is recorded
     *                               for another identity
     */
    Uni<List<SessionEvent>> append(SessionOwner owner, List<NewEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // The connection goes back to the pool only once COMMIT or ROLLBACK has returned.
        Future<List<SessionEvent>> appended = pool.withConnection(connection -> append(connection, owner, events));
        return Uni.createFrom().completionStage(appended.toCompletionStage())
                // A backstop for a connection that hangs; the database's own timeouts normally come first.
                .ifNoItem().after(config.writeTimeout().multipliedBy(2)).fail();
    }

    private Future<List<SessionEvent>> append(SqlConnection connection, SessionOwner owner, List<NewEvent> events) {
        // Both statements go out at once. When BEGIN fails, the upsert fails too.
        Future<RowSet<Row>> begun = connection.query(begin).execute();
        Future<RowSet<Row>> head = connection.preparedQuery(LOCK_HEAD)
                .execute(Tuple.of(owner.sessionId(), owner.issuer(), owner.subject(), owner.username()));
        return begun.compose(ignored -> head)
                .compose(rows -> writeAndCommit(connection, owner, headOf(rows, owner), events))
                .recover(failure -> connection.query("ROLLBACK").execute()
                        .transform(ignored -> Future.failedFuture(failure)));
    }

    private static RecordedSession headOf(RowSet<Row> rows, SessionOwner owner) {
        if (rows.size() == 0) {
            // The session binder rejects such requests first; this guards the chain all the same.
            throw new IllegalStateException("Session " + owner.sessionId() + " is recorded for another identity");
        }
        Row row = rows.iterator().next();
        RecordedSession head = new RecordedSession();
        head.sessionId = owner.sessionId();
        head.eventCount = row.getLong("event_count");
        head.lastHash = row.getString("last_hash");
        return head;
    }

    /** Sends the write and COMMIT together. PostgreSQL rolls back instead of committing when the write failed. */
    private Future<List<SessionEvent>> writeAndCommit(SqlConnection connection, SessionOwner owner,
            RecordedSession head, List<NewEvent> events) {
        List<SessionEvent> stored = new ArrayList<>(events.size());
        for (NewEvent event : events) {
            stored.add(link(head, event));
        }
        Future<RowSet<Row>> written = connection.preparedQuery(WRITE_EVENTS).execute(writeParameters(owner, head,
                stored));
        Future<RowSet<Row>> committed = connection.query("COMMIT").execute();
        return written.compose(rows -> {
            if (rows.rowCount() != 1) {
                return Future.failedFuture(new IllegalStateException("The head of session " + owner.sessionId()
                        + " was not updated"));
            }
            return committed.map(stored);
        });
    }

    private Tuple writeParameters(SessionOwner owner, RecordedSession head, List<SessionEvent> stored) {
        int size = stored.size();
        UUID[] ids = new UUID[size];
        Long[] sequences = new Long[size];
        String[] types = new String[size];
        String[] requestIds = new String[size];
        OffsetDateTime[] times = new OffsetDateTime[size];
        String[] data = new String[size];
        String[] previousHashes = new String[size];
        String[] hashes = new String[size];
        String[] payloads = new String[size];
        for (int i = 0; i < size; i++) {
            SessionEvent event = stored.get(i);
            ids[i] = event.eventId;
            sequences[i] = event.sequence;
            types[i] = event.type;
            requestIds[i] = event.requestId;
            times[i] = event.occurredAt;
            data[i] = event.data;
            previousHashes[i] = event.previousHash;
            hashes[i] = event.hash;
            payloads[i] = CloudEvents.of(event, config.kafka().source(), config.kafka().maxEventBytes());
        }

        return Tuple.tuple()
                .addValue(owner.sessionId())
                .addValue(ids)
                .addValue(sequences)
                .addValue(types)
                .addValue(requestIds)
                .addValue(times)
                .addValue(data)
                .addValue(previousHashes)
                .addValue(hashes)
                .addValue(payloads)
                .addValue(head.eventCount)
                .addValue(head.lastHash)
                .addValue(head.lastEventAt);
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

    static OffsetDateTime utc(Instant time) {
        return time.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}
