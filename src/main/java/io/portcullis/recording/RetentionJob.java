package io.portcullis.recording;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Deletes sessions whose newest event is older than {@code portcullis.recording.retention}.
 * Each deletion is itself recorded: a row in {@code session_deletion} and an
 * {@code io.portcullis.session.deleted} event in the outbox, in the transaction that deletes.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    /** Sessions deleted per transaction. */
    static final int BATCH = 100;
    private static final String EXPIRED = """
            SELECT session_id, issuer, subject, event_count, last_hash, created_at, last_event_at
            FROM recorded_session WHERE last_event_at < $1 ORDER BY last_event_at LIMIT $2
            FOR UPDATE SKIP LOCKED""";
    private static final String LOG_DELETION = """
            INSERT INTO session_deletion
                (event_id, session_id, issuer, subject, event_count, last_hash, created_at, deleted_at, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'retention')""";
    private static final String OUTBOX = "INSERT INTO event_outbox (event_id, session_id, payload) VALUES ($1, $2, $3)";
    private static final String DELETE = "DELETE FROM recorded_session WHERE session_id = $1";
    private static final String DELETE_PUBLISHED = "DELETE FROM event_outbox WHERE published_at < $1";

    private final Pool pool;
    private final Vertx vertx;
    private final RecordingConfig config;

    @Inject
    public RetentionJob(Pool pool, Vertx vertx, RecordingConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        config.retention().filter(age -> age.isNegative() || age.isZero()).ifPresent(age -> {
            throw new IllegalArgumentException("portcullis.recording.retention is " + age
                    + "; set a positive age such as 90d, or remove the key to keep sessions forever");
        });
        if (config.retentionInterval().isNegative() || config.retentionInterval().isZero()) {
            throw new IllegalArgumentException("portcullis.recording.retention-interval is "
                    + config.retentionInterval() + "; set a positive duration such as 1h");
        }
        if (config.retention().isEmpty()) {
            LOG.info("Recorded sessions are kept forever: portcullis.recording.retention is not set");
            return;
        }
        Duration retention = config.retention().get();
        LOG.infof("Recorded sessions are deleted %s after their newest event, checked every %s", retention,
                config.retentionInterval());
        vertx.setPeriodic(config.retentionInterval().toMillis(), ignored -> purge(Instant.now().minus(retention))
                .subscribe().with(
                        deleted -> LOG.infof("Retention deleted %d sessions", deleted),
                        failure -> LOG.errorf("The retention job failed, retrying in %s: %s",
                                config.retentionInterval(), failure.toString())));
    }

    /**
     * Deletes the sessions whose newest event is older than the cutoff, and the outbox rows that
     * were published before it.
     *
     * @return the number of sessions deleted
     */
    public Uni<Integer> purge(Instant cutoff) {
        OffsetDateTime before = cutoff.atOffset(ZoneOffset.UTC);
        return pool.withTransaction(connection -> connection.preparedQuery(EXPIRED)
                        .execute(Tuple.of(before, BATCH))
                        .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                        .onItem().transformToUniAndConcatenate(row -> delete(connection, row, cutoff))
                        .collect().asList()
                        .map(List::size))
                .call(deleted -> pool.preparedQuery(DELETE_PUBLISHED).execute(Tuple.of(before)))
                .chain(deleted -> deleted == BATCH
                        ? purge(cutoff).map(more -> deleted + more)
                        : Uni.createFrom().item(deleted));
    }

    /** Deletes one session and records the deletion; emits the session id, since a Multi drops null items. */
    private Uni<String> delete(SqlConnection connection, Row session, Instant cutoff) {
        UUID eventId = UUID.randomUUID();
        String sessionId = session.getString("session_id");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        JsonObject data = new JsonObject()
                .put("reason", "retention")
                .put("retention", config.retention().map(Duration::toString).orElse(null))
                .put("cutoff", EventHashes.formatTime(cutoff))
                .put("issuer", session.getString("issuer"))
                .put("subject", session.getString("subject"))
                .put("event_count", session.getLong("event_count"))
                .put("last_hash", session.getString("last_hash"))
                .put("created_at", EventHashes.formatTime(session.getOffsetDateTime("created_at").toInstant()))
                .put("last_event_at", EventHashes.formatTime(session.getOffsetDateTime("last_event_at").toInstant()));
        String payload = CloudEvents.deletion(eventId, sessionId, now.toInstant(), data, config.kafka().source());
        Tuple deletion = Tuple.tuple().addUUID(eventId).addString(sessionId).addString(session.getString("issuer"))
                .addString(session.getString("subject")).addLong(session.getLong("event_count"))
                .addString(session.getString("last_hash")).addOffsetDateTime(session.getOffsetDateTime("created_at"))
                .addOffsetDateTime(now);
        return connection.preparedQuery(LOG_DELETION).execute(deletion)
                .chain(() -> connection.preparedQuery(OUTBOX).execute(Tuple.of(eventId, sessionId, payload)))
                .chain(() -> connection.preparedQuery(DELETE).execute(Tuple.of(sessionId)))
                .invoke(() -> LOG.infof("Deleted recorded session %s (%d events) by retention", sessionId,
                        session.getLong("event_count")))
                .replaceWith(sessionId);
    }
}
