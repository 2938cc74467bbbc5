package io.portcullis.approval;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The callers that this replica holds, by approval, and what releases them. Another replica's
 * vote reaches this one through {@code LISTEN portcullis_approval}. Because a notification sent
 * while the listening connection was down is lost, the waited approvals are also re-read every
 * {@code portcullis.approval.poll-interval}, and each waiter sets a timer at its expiry.
 */
@ApplicationScoped
public class ApprovalWaiters {

    private static final Logger LOG = Logger.getLogger(ApprovalWaiters.class);
    /** Pause between two attempts to reconnect the listening connection, in milliseconds. */
    private static final long RECONNECT_DELAY_MS = 1000;

    private final Vertx vertx;
    private final ApprovalStore store;
    private final ApprovalConfig config;
    private final PgConnectOptions listenOptions;
    private final Map<UUID, List<Promise<Approval>>> waiting = new ConcurrentHashMap<>();
    private PgSubscriber subscriber;
    private long pollTimer = -1;
    private long sweepTimer = -1;

    @Inject
    public ApprovalWaiters(Vertx vertx, ApprovalStore store, ApprovalConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.store = store;
        this.config = config;
        String uri = url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        this.listenOptions = PgConnectOptions.fromUri(uri).setUser(user).setPassword(password);
    }

    void start(@Observes StartupEvent ignored) {
        subscriber = PgSubscriber.subscriber(vertx, listenOptions)
                .reconnectPolicy(attempts -> RECONNECT_DELAY_MS);
        subscriber.channel(ApprovalStore.CHANNEL).handler(this::onNotification);
        subscriber.closeHandler(nothing -> LOG.info("Lost the PostgreSQL connection that listens for approvals;"
                + " reconnecting, and polling meanwhile"));
        subscriber.connect().onFailure(failure -> LOG.errorf("Listening for approvals failed: %s;"
                + " held callers are released by polling only", failure.toString()));
        store.warmUp().subscribe().with(ready -> LOG.debug("Approval store queries are ready"),
                failure -> LOG.warnf("Preparing the approval store queries failed: %s", failure.toString()));
        pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> refresh(Set.copyOf(waiting.keySet())));
        // Approvals that no caller waits on (asynchronous ones) expire here.
        sweepTimer = vertx.setPeriodic(Duration.ofSeconds(30).toMillis(), id -> store.expireOverdue()
                .subscribe().with(count -> { }, failure -> LOG.warnf("Expiring overdue approvals failed: %s",
                        failure.toString())));
    }

    void stop(@Observes ShutdownEvent ignored) {
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(sweepTimer);
        if (subscriber != null) {
            subscriber.close();
        }
    }

    /**
     * Waits until the approval leaves {@code pending}, or is approved already.
     *
     * @return the approval in its new state; cancel the subscription when the caller goes away
     */
    public Uni<Approval> awaitDecision(Approval approval) {
        if (approval.state() != ApprovalState.PENDING) {
            return Uni.createFrom().item(approval);
        }
        UUID id = approval.id;
        Promise<Approval> promise = Promise.promise();
        waiting.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>()).add(promise);
        long delay = Math.max(1, Duration.between(Instant.now(), approval.expiresAt).toMillis() + 50);
        long expiryTimer = vertx.setTimer(delay, timer -> store.expire(id)
                .subscribe().with(this::release, failure -> LOG.warnf("Expiring approval %s failed: %s", id,
                        failure.toString())));
        // The approval may have been decided between reading it and registering here.
        refresh(Set.of(id));
        return Uni.createFrom().completionStage(() -> promise.future().toCompletionStage())
                .onTermination().invoke(() -> {
                    vertx.cancelTimer(expiryTimer);
                    remove(id, promise);
                });
    }

    /**
     * Counts a caller out of a pending approval because it disconnected, and cancels the approval
     * when no retry attaches within {@code portcullis.approval.cancel-grace}.
     */
    public void abandon(UUID id) {
        LOG.infof("Caller disconnected while approval %s was pending", id);
        store.detach(id).subscribe().with(
                detached -> vertx.setTimer(config.cancelGrace().toMillis() + 100, timer -> store
                        .cancelIfAbandoned(id)
                        .subscribe().with(this::release, failure -> LOG.warnf("Cancelling approval %s failed: %s",
                                id, failure.toString()))),
                failure -> LOG.warnf("Detaching from approval %s failed: %s", id, failure.toString()));
    }

    private void onNotification(String payload) {
        UUID id;
        try {
            id = UUID.fromString(payload);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Ignored a notification on %s that is not an approval id", ApprovalStore.CHANNEL);
            return;
        }
        if (waiting.containsKey(id)) {
            refresh(Set.of(id));
        }
    }

    private void refresh(Set<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        store.findAll(ids).subscribe().with(approvals -> approvals.forEach(this::release),
                failure -> LOG.warnf("Reading %d held approvals failed: %s", ids.size(), failure.toString()));
    }

    private void release(Approval approval) {
        if (approval == null || approval.state() == ApprovalState.PENDING) {
            return;
        }
        List<Promise<Approval>> promises = waiting.remove(approval.id);
        if (promises != null) {
            List.copyOf(promises).forEach(promise -> promise.tryComplete(approval));
        }
    }

    private void remove(UUID id, Promise<Approval> promise) {
        waiting.computeIfPresent(id, (key, promises) -> {
            promises.remove(promise);
            return promises.isEmpty() ? null : promises;
        });
    }
}
