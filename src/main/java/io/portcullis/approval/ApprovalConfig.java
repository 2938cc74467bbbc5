package io.portcullis.approval;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/** Human approval of requests and tool calls, under {@code portcullis.approval}. */
@ConfigMapping(prefix = "portcullis.approval")
public interface ApprovalConfig {

    /** Time to live of a hold whose decision sets no {@code ttl_seconds}. Default 15 minutes. */
    @WithName("default-ttl")
    @WithDefault("15m")
    Duration defaultTtl();

    /** Upper limit on a decision's {@code ttl_seconds}; a longer one is lowered to it. Default 1 hour. */
    @WithName("max-ttl")
    @WithDefault("1h")
    Duration maxTtl();

    /** Interval of the SSE comment lines sent to a held streamed caller. Default 15 s. */
    @WithName("keep-alive-interval")
    @WithDefault("15s")
    Duration keepAliveInterval();

    /**
     * Interval at which a replica re-reads the approvals that its callers wait on, in case a
     * PostgreSQL notification was lost. Default 5 s.
     */
    @WithName("poll-interval")
    @WithDefault("5s")
    Duration pollInterval();

    /**
     * Time a pending approval waits, after its last caller disconnected, for a retry of the same
     * request before it is cancelled. SDKs retry after a pause of a few seconds. Default 10 s.
     */
    @WithName("cancel-grace")
    @WithDefault("10s")
    Duration cancelGrace();

    /** Slack incoming-webhook URL that gets a message for each new approval and each outcome. Optional. */
    @WithName("webhook-url")
    Optional<String> webhookUrl();

    /** Deadline of one webhook POST. Default 5 s. */
    @WithName("webhook-timeout")
    @WithDefault("5s")
    Duration webhookTimeout();

    /** Base URL of this gateway as approvers reach it, for links in notifications, such as {@code https://gw.example.com}. Optional. */
    @WithName("public-url")
    Optional<String> publicUrl();
}
