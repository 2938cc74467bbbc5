package io.portcullis.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClientResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Prometheus metrics of the request path, one method call per event. Micrometer names use dots;
 * Prometheus shows them with underscores and a unit suffix, such as
 * {@code portcullis_upstream_latency_seconds}. docs/operations.md lists every metric.
 *
 * <p>Requests by route and status are counted by Quarkus itself ({@code http_server_requests_seconds})
 * and policy decisions by {@code io.portcullis.policy.PolicyDecider} ({@code portcullis_policy_decisions_total}).
 */
@ApplicationScoped
public class GatewayMetrics {

    static final String FINDINGS = "portcullis.inspection.findings";
    static final String MASKED = "portcullis.masking.masked";
    static final String UPSTREAM_LATENCY = "portcullis.upstream.latency";
    static final String TIME_TO_FIRST_TOKEN = "portcullis.stream.time.to.first.token";
    static final String APPROVALS = "portcullis.approvals";
    static final String OUTBOX_BACKLOG = "portcullis.outbox.backlog";
    /** Key of the routing context entry that contains the action {@link #streamStarted} returned. */
    public static final String FIRST_TOKEN_ACTION = "portcullis.first-token-action";
    /** Outcomes of an approval, the {@code outcome} tag of {@value #APPROVALS}. */
    static final Set<String> APPROVAL_OUTCOMES = Set.of("requested", "granted", "denied", "expired");

    private final MeterRegistry registry;

    @Inject
    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Counts the sensitive entities found in one prompt, by entity type. The types come from the
     * detectors, a fixed set, so the number of time series stays bounded.
     */
    public void findings(Map<String, Integer> countsByType) {
        countsByType.forEach((type, count) -> Counter.builder(FINDINGS)
                .description("Sensitive entities found in prompts, by entity type")
                .tag("entity_type", type)
                .register(registry)
                .increment(count));
    }

    /**
     * Counts the entities masked in one prompt or answer, by entity type.
     *
     * @param direction {@code prompt} or {@code answer}
     */
    public void masked(String direction, Map<String, Integer> countsByType) {
        countsByType.forEach((type, count) -> Counter.builder(MASKED)
                .description("Sensitive entities masked, by direction and entity type")
                .tag("direction", direction)
                .tag("entity_type", type)
                .register(registry)
                .increment(count));
    }

    /**
     * Starts timing one upstream call and returns the handler that stops it when the response
     * headers arrive or the call fails. Pass it to {@code Future.onComplete} of the call.
     */
    public Handler<AsyncResult<HttpClientResponse>> upstreamCall(String upstream) {
        Timer.Sample sample = Timer.start(registry);
        return result -> sample.stop(Timer.builder(UPSTREAM_LATENCY)
                .description("Time from sending a request upstream until its response headers arrive")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .tag("upstream", upstream)
                .tag("outcome", upstreamOutcome(result))
                .register(registry));
    }

    /**
     * Starts the clock of a streamed response and returns the action that records the time to its
     * first token. Call it when the gateway starts working on the request, and run the returned
     * action when the first event that carries content, reasoning or a tool call reaches the caller.
     */
    public Runnable streamStarted(String upstream) {
        Timer.Sample sample = Timer.start(registry);
        return () -> sample.stop(Timer.builder(TIME_TO_FIRST_TOKEN)
                .description("Time from receiving a streamed request until its first token is sent to the caller")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .tag("upstream", upstream)
                .register(registry));
    }

    /**
     * Counts one approval event. The approval flow calls this with {@code requested} when it puts
     * a request on hold, and with {@code granted}, {@code denied} or {@code expired} when the hold ends.
     *
     * @throws IllegalArgumentException for any other outcome, to keep the tag values fixed
     */
    public void approval(String outcome) {
        if (!APPROVAL_OUTCOMES.contains(outcome)) {
            throw new IllegalArgumentException("Invalid approval outcome '" + outcome + "': use one of "
                    + APPROVAL_OUTCOMES);
        }
        Counter.builder(APPROVALS)
                .description("Approval events, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /**
     * Publishes the number of session events written to the outbox but not yet acknowledged by
     * Kafka. The outbox relay registers its counter once at start. A growing value means that the
     * broker is unreachable or slower than the gateway.
     */
    public Gauge outboxBacklog(Supplier<Number> unpublishedEvents) {
        return Gauge.builder(OUTBOX_BACKLOG, unpublishedEvents, supplier -> supplier.get().doubleValue())
                .description("Session events in the outbox that Kafka has not acknowledged yet")
                .baseUnit("events")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Removes a gauge that {@link #outboxBacklog} registered, when its source stops, so that a
     * registry that outlives the application (as in tests that restart it) does not keep reading
     * the stopped source and ignore the next registration.
     */
    public void remove(Gauge gauge) {
        registry.remove(gauge);
    }

    /**
     * Tag value of a finished upstream call: the status class such as {@code 2xx}, {@code timeout}
     * when no response headers came in time, or {@code error} when the call failed otherwise.
     */
    static String upstreamOutcome(AsyncResult<HttpClientResponse> result) {
        if (result.succeeded()) {
            return (result.result().statusCode() / 100) + "xx";
        }
        if (result.cause() instanceof GatewayException failure && failure.errorCode() == ErrorCode.UPSTREAM_TIMEOUT) {
            return "timeout";
        }
        return "error";
    }
}
