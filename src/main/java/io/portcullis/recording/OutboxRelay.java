package io.portcullis.recording;

import io.micrometer.core.instrument.Metrics;
import io.portcullis.observability.BrokerStatus;
import io.portcullis.observability.BrokerStatus.State;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Sends the transactional outbox to Kafka, oldest row first, on a thread of its own. Only the
 * replica that holds a PostgreSQL advisory lock relays, so that two replicas never interleave
 * one session's events. Each round of rows is one Kafka transaction ({@code acks=all},
 * idempotent), and the rows are marked published only after it committed. A failed round is
 * aborted and starts again from the oldest unpublished row. Consumers that read with
 * {@code isolation.level=read_committed} therefore see each session in order. Delivery is at
 * least once, because marking the rows can fail after the commit, so consumers deduplicate by
 * CloudEvents {@code id}. An event that Kafka rejects for its own size or content is marked
 * failed and skipped, so that it cannot stop the events after it; it stays in
 * PostgreSQL, and consumers see a gap in the session's {@code sessionseq}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Advisory lock key of the relay; any constant that no other part of the schema uses. */
    static final long LOCK_KEY = 0x706f7274_6f757462L;
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final String PENDING = """
            SELECT id, session_id, event_id, payload FROM event_outbox WHERE published_at IS NULL AND failed_at IS NULL
            ORDER BY id LIMIT $1""";
    private static final String MARK_PUBLISHED = "UPDATE event_outbox SET published_at = now() WHERE id = ANY($1)";
    private static final String MARK_FAILED = "UPDATE event_outbox SET failed_at = now(), failure = $2 WHERE id = $1";

    private final Pool pool;
    private final RecordingConfig.Kafka config;
    private final BrokerStatus brokerStatus;
    /** State of Kafka as this replica's relay last saw it, for the readiness details. */
    private volatile State brokerState = State.STANDBY;
    /** When the round in flight fetched its rows ({@link System#nanoTime()}), or 0 between rounds. */
    private volatile long roundStartedNanos;
    private volatile boolean running;
    private Thread thread;
    private KafkaProducer<String, String> producer;
    private SqlConnection lockHolder;

    @Inject
    public OutboxRelay(Pool pool, RecordingConfig config, BrokerStatus brokerStatus) {
        this.pool = pool;
        this.config = config.kafka();
        this.brokerStatus = brokerStatus;
    }

    void onStart(@Observes StartupEvent event) {
        requireValid(config);
        if (!config.enabled()) {
            LOG.info("The outbox relay is off (portcullis.recording.kafka.enabled=false); events stay in event_outbox");
            return;
        }
        running = true;
        brokerStatus.register(this::brokerState);
        thread = Thread.ofPlatform().name("portcullis-outbox-relay").daemon().start(this::run);
        LOG.infof("Relaying session events to Kafka topic %s at %s", config.topic(), config.bootstrapServers());
    }

    /**
     * Returns the state of Kafka as this replica's relay last saw it. A round that has waited
     * longer than the delivery timeout counts as unreachable already. NOTE: a round during which
     * the test's broker was killed was seen to wait a minute without failing, with a 6 s delivery
     * timeout. Where the Kafka client waits is not known.
     */
    public State brokerState() {
        long started = roundStartedNanos;
        if (started != 0 && System.nanoTime() - started > config.deliveryTimeout().toNanos()) {
            return State.UNREACHABLE;
        }
        return brokerState;
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProducer();
        releaseLock();
    }

    /** Stops the boot on settings that would make the relay spin or never send. */
    static void requireValid(RecordingConfig.Kafka config) {
        if (config.batchSize() < 1) {
            throw new IllegalArgumentException("portcullis.recording.kafka.batch-size is " + config.batchSize()
                    + "; set it to 1 or more");
        }
        if (config.pollInterval().isNegative() || config.pollInterval().isZero()) {
            throw new IllegalArgumentException("portcullis.recording.kafka.poll-interval is " + config.pollInterval()
                    + "; set a positive duration such as 200ms");
        }
        if (config.deliveryTimeout().toMillis() < 1000 || config.deliveryTimeout().toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("portcullis.recording.kafka.delivery-timeout is "
                    + config.deliveryTimeout() + "; set a duration from 1s to 24d, such as 30s");
        }
    }

    /** Producer settings; acks=all and idempotence keep each partition free of gaps and reordering. */
    static Map<String, Object> producerConfig(RecordingConfig.Kafka config) {
        long delivery = config.deliveryTimeout().toMillis();
        long request = Math.min(5_000, delivery / 2);
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "portcullis-outbox-relay",
                // One transaction per round: a round that fails is aborted as a whole, so that no
                // later event of a session becomes visible before an earlier one that failed. Only the
                // holder of the advisory lock relays, and the shared id fences a replica that lost it.
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) request,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) delivery,
                // send() blocks while the topic's metadata is unknown, for example when the broker is down.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery);
    }

    private void run() {
        long backoff = config.pollInterval().toMillis();
        while (running) {
            try {
                int sent = lockHolder != null || acquireLock() ? relayOnce() : 0;
                backoff = config.pollInterval().toMillis();
                // Only a full batch may have left rows behind. Otherwise the next round waits, so
                // that under load each round (a SELECT, a Kafka transaction and an UPDATE) carries
                // the events of many requests instead of one or two.
                if (sent < config.batchSize()) {
                    Thread.sleep(backoff);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | ExecutionException e) {
                if (!running) {
                    return;
                }
                Metrics.counter("portcullis.events.relay.failures").increment();
                if (e instanceof KafkaException || e instanceof ExecutionException) {
                    brokerState = State.UNREACHABLE;
                }
                LOG.warnf("Relaying the outbox to Kafka failed, retrying in %d ms: %s", backoff, e.toString());
                releaseLock();
                sleepQuietly(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    /** Takes the advisory lock on a connection kept for this purpose; the lock lives as long as it. */
    private boolean acquireLock() throws InterruptedException {
        SqlConnection connection = pool.getConnection().await().atMost(QUERY_TIMEOUT);
        boolean locked = connection.preparedQuery("SELECT pg_try_advisory_lock($1) AS locked")
                .execute(Tuple.of(LOCK_KEY)).await().atMost(QUERY_TIMEOUT)
                .iterator().next().getBoolean("locked");
        if (locked) {
            lockHolder = connection;
            if (brokerState == State.STANDBY) {
                // A failed round gives up the lock and takes it again, and the state stays unreachable meanwhile.
                brokerState = State.NOT_CONTACTED;
            }
            LOG.info("This replica relays the outbox to Kafka");
            return true;
        }
        connection.closeAndAwait();
        brokerState = State.STANDBY;
        // Another replica relays; look again later in case it goes away.
        Thread.sleep(MAX_BACKOFF.toMillis());
        return false;
    }

    /**
     * Sends one batch of unpublished rows in one Kafka transaction and marks them published once
     * it committed. When the commit fails, the transaction is aborted, the rows that Kafka rejected
     * for their own size or content are marked failed, and the exception ends the round.
     *
     * @return the number of rows sent
     */
    int relayOnce() throws InterruptedException, ExecutionException {
        List<Row> rows = new ArrayList<>();
        lockHolder.preparedQuery(PENDING).execute(Tuple.of(config.batchSize())).await().atMost(QUERY_TIMEOUT)
                .forEach(rows::add);
        if (rows.isEmpty()) {
            return 0;
        }
        roundStartedNanos = System.nanoTime();
        try {
            return send(rows);
        } finally {
            roundStartedNanos = 0;
        }
    }

    /** Sends the rows of one round in one Kafka transaction and marks them published once it committed. */
    private int send(List<Row> rows) throws InterruptedException, ExecutionException {
        KafkaProducer<String, String> sender = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        try {
            sender.beginTransaction();
            for (Row row : rows) {
                acks.add(sender.send(new ProducerRecord<>(config.topic(), row.getString("session_id"),
                        row.getString("payload"))));
            }
            sender.commitTransaction();
        } catch (KafkaException e) {
            // Set first: closing a producer whose commit timed out can block until the broker is back.
            brokerState = State.UNREACHABLE;
            // The producer may be unusable after a failed commit; a new one aborts what is left.
            closeProducer();
            markRejected(rows, acks);
            throw e;
        }
        List<Long> published = rows.stream().map(row -> row.getLong("id")).toList();
        lockHolder.preparedQuery(MARK_PUBLISHED).execute(Tuple.of(published.toArray(Long[]::new)))
                .await().atMost(QUERY_TIMEOUT);
        Metrics.counter("portcullis.events.published").increment(published.size());
        brokerState = State.REACHABLE;
        return rows.size();
    }

    /** Returns the transactional producer, creating it and registering its transactional id first. */
    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            KafkaProducer<String, String> created = new KafkaProducer<>(producerConfig(config),
                    new StringSerializer(), new StringSerializer());
            try {
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(1));
            producer = null;
        }
    }

    /** Marks the rows of a failed round whose send failed because of the record itself. */
    private void markRejected(List<Row> rows, List<Future<RecordMetadata>> acks) throws InterruptedException {
        for (int i = 0; i < acks.size(); i++) {
            Future<RecordMetadata> ack = acks.get(i);
            if (!ack.isDone()) {
                continue;
            }
            try {
                ack.get();
            } catch (ExecutionException e) {
                if (running && rejectsRecord(e.getCause())) {
                    markFailed(rows.get(i), e.getCause());
                }
            }
        }
    }

    /**
     * True for errors about the record itself, which no retry can fix. Other errors, including
     * non-retriable ones such as a missing authorization, fail the round instead, so that a
     * misconfiguration never takes all events out of the relay.
     */
    static boolean rejectsRecord(Throwable cause) {
        return cause instanceof RecordTooLargeException || cause instanceof InvalidRecordException
                || cause instanceof RecordBatchTooLargeException;
    }

    /** Takes an event that Kafka rejected for good out of the relay, with the reason. */
    private void markFailed(Row row, Throwable cause) {
        String reason = cause == null ? "unknown" : cause.getClass().getName() + ": " + cause.getMessage();
        Metrics.counter("portcullis.events.rejected").increment();
        LOG.errorf("Kafka rejected event %s of session %s for good; it is not retried and stays in PostgreSQL: %s",
                row.getUUID("event_id"), row.getString("session_id"), reason);
        lockHolder.preparedQuery(MARK_FAILED).execute(Tuple.of(row.getLong("id"), reason))
                .await().atMost(QUERY_TIMEOUT);
    }

    private void releaseLock() {
        SqlConnection connection = lockHolder;
        lockHolder = null;
        if (connection != null) {
            try {
                connection.closeAndAwait();
            } catch (RuntimeException e) {
                LOG.debugf("Closing the outbox lock connection failed: %s", e.toString());
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
