package io.portcullis.recording;

import io.micrometer.core.instrument.Gauge;
import io.portcullis.observability.GatewayMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the session events in the outbox that Kafka has not acknowledged yet, for the gauge
 * {@code portcullis_outbox_backlog_events}. Every replica counts, whether it relays or not,
 * because all replicas share one outbox. The count reads only the partial index of pending
 * rows, so its cost grows with the backlog and not with the events already published.
 */
@ApplicationScoped
public class OutboxBacklog {

    private static final Logger LOG = Logger.getLogger(OutboxBacklog.class);
    /** Time between two counts. */
    static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final String COUNT = """
            SELECT count(*) AS pending FROM event_outbox WHERE published_at IS NULL AND failed_at IS NULL""";

    private final Pool pool;
    private final Vertx vertx;
    private final GatewayMetrics metrics;
    private final AtomicBoolean counting = new AtomicBoolean();
    /** The latest count, or NaN before the first count and after a count failed. */
    private volatile double pending = Double.NaN;
    private long timer = -1;
    private Gauge gauge;

    @Inject
    public OutboxBacklog(Pool pool, Vertx vertx, GatewayMetrics metrics) {
        this.pool = pool;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        gauge = metrics.outboxBacklog(() -> pending);
        count();
        timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> count());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (gauge != null) {
            metrics.remove(gauge);
        }
    }

    /** Returns the latest count, or NaN when none succeeded since the last failure. */
    double pending() {
        return pending;
    }

    /** Starts a count unless the previous one is still running. */
    void count() {
        if (!counting.compareAndSet(false, true)) {
            return;
        }
        pool.query(COUNT).execute()
                .ifNoItem().after(INTERVAL).fail()
                .subscribe().with(
                        rows -> {
                            pending = rows.iterator().next().getLong("pending");
                            counting.set(false);
                        },
                        failure -> {
                            if (!Double.isNaN(pending)) {
                                LOG.warnf("Counting the outbox backlog failed: %s", failure.toString());
                            }
                            pending = Double.NaN;
                            counting.set(false);
                        });
    }
}
