package io.portcullis.recording;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Session recording and its Kafka events, under {@code portcullis.recording}. */
@ConfigMapping(prefix = "portcullis.recording")
public interface RecordingConfig {

    /**
     * True (the default) rejects a request with 503 {@code recording_unavailable} when its
     * request record cannot be stored, before the caller sees a byte of the answer. False lets
     * the request through unrecorded and logs the failure.
     */
    @WithName("fail-closed")
    @WithDefault("true")
    boolean failClosed();

    /** Members of these groups may read, replay and verify every session. Default {@code auditors}. */
    @WithName("auditor-groups")
    @WithDefault("auditors")
    List<String> auditorGroups();

    /**
     * Age after a session's newest event at which the session and its events are deleted, such
     * as {@code 90d}. Absent (the default) keeps sessions forever.
     */
    Optional<Duration> retention();

    /** Time between two runs of the retention job. Default 1 hour. */
    @WithName("retention-interval")
    @WithDefault("1h")
    Duration retentionInterval();

    /** Time allowed for storing one batch of events in PostgreSQL. Default 5 s. */
    @WithName("write-timeout")
    @WithDefault("5s")
    Duration writeTimeout();

    Kafka kafka();

    /** The relay of the transactional outbox to Kafka. */
    interface Kafka {

        /** False stops the relay; events then stay in the outbox table. Default true. */
        @WithDefault("true")
        boolean enabled();

        /** Kafka bootstrap servers, {@code host:port} separated by commas. Required when enabled. */
        @WithName("bootstrap-servers")
        @WithDefault("127.0.0.1:9092")
        String bootstrapServers();

        /** Topic of all session events, keyed by session id. Default {@code portcullis.session-events}. */
        @WithDefault("portcullis.session-events")
        String topic();

        /** CloudEvents {@code source} of every event, a URI reference. Default {@code /portcullis}. */
        @WithDefault("/portcullis")
        String source();

        /**
         * Kafka {@code transactional.id} of the relay. Replicas of one deployment share it, so a
         * replica that lost the relay lock is fenced. Two deployments with separate databases
         * that publish to one Kafka cluster need different ids, or they fence each other.
         * Default {@code portcullis-outbox-relay}.
         */
        @WithName("transactional-id")
        @WithDefault("portcullis-outbox-relay")
        String transactionalId();

        /**
         * Pause after a round that found fewer than {@code batch-size} events, so an event reaches
         * Kafka up to this long after it was stored. Default 200 ms.
         */
        @WithName("poll-interval")
        @WithDefault("200ms")
        Duration pollInterval();

        /** Maximum number of events sent in one round. Default 500. */
        @WithName("batch-size")
        @WithDefault("500")
        int batchSize();

        /**
         * Largest CloudEvent sent to Kafka, in bytes of UTF-8. A larger event is sent without the
         * prompt, the answer's text and the stream's chunks, and with {@code dataomitted: true}.
         * It must stay below the broker's {@code message.max.bytes} and the topic's
         * {@code max.message.bytes}, both 1 MiB by default. Default 900 KiB.
         */
        @WithName("max-event-bytes")
        @WithDefault("921600")
        int maxEventBytes();

        /**
         * Time the producer keeps retrying one event before the round fails and starts again
         * ({@code delivery.timeout.ms}). Default 30 s.
         */
        @WithName("delivery-timeout")
        @WithDefault("30s")
        Duration deliveryTimeout();
    }
}
