package io.portcullis.policy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.inspection.Findings;
import io.portcullis.inspection.Inspection;
import io.portcullis.inspection.RequestSummary;
import io.portcullis.session.BoundSession;
import io.vertx.core.json.JsonObject;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Asks OPA for the decision on a request and reads it strictly. No decision, or one this gateway
 * cannot read, fails the request with 503; nothing here lets a request through by default.
 *
 * <p>Each decision is counted in {@code portcullis.policy.decisions} by outcome, its round trip
 * timed in {@code portcullis.policy.round.trip}, and OPA's decision id put in the log context as
 * {@code decisionId}. Denials are logged at INFO with their reasons, allows at DEBUG.
 */
@Startup
@ApplicationScoped
public class PolicyDecider {

    static final String DECISIONS_METRIC = "portcullis.policy.decisions";
    static final String ROUND_TRIP_METRIC = "portcullis.policy.round.trip";
    public static final String DECISION_ID_MDC_KEY = "decisionId";
    private static final Logger LOG = Logger.getLogger(PolicyDecider.class);

    /** Result of a decision query, the {@code outcome} tag of the metrics. */
    enum Outcome {
        ALLOW, DENY, INVALID, UNAVAILABLE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final OpaClient opa;
    private final SourceResolver sources;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<Outcome, Counter> decisions = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> roundTrips = new EnumMap<>(Outcome.class);

    @Inject
    public PolicyDecider(OpaClient opa, SourceResolver sources, MeterRegistry meters) {
        this.opa = opa;
        this.sources = sources;
        this.meters = meters;
        this.clock = Clock.systemUTC();
        for (Outcome outcome : Outcome.values()) {
            decisions.put(outcome, Counter.builder(DECISIONS_METRIC)
                    .description("Request decisions asked of OPA, by outcome")
                    .tag("outcome", outcome.tag())
                    .register(meters));
            roundTrips.put(outcome, Timer.builder(ROUND_TRIP_METRIC)
                    .description("Time from sending a decision query to OPA until its response is read and checked")
                    .tag("outcome", outcome.tag())
                    .register(meters));
        }
    }

    /** Decides on a chat completion request. */
    public Uni<PolicyDecision> decideChat(CallerIdentity caller, Inspection inspection, BoundSession session,
            HttpServerRequest request) {
        return decide(new PolicyInput(caller, inspection.summary(), inspection.findings(), session,
                sources.resolve(request), clock.instant()));
    }

    /** Decides which models a caller may see in {@code GET /v1/models}. */
    public Uni<PolicyDecision> decideModelsList(CallerIdentity caller, HttpServerRequest request) {
        return decide(new PolicyInput(caller, RequestSummary.modelsList(), Findings.none(), null,
                sources.resolve(request), clock.instant()));
    }

    /**
     * Decides on one tool call that a model emitted, once its arguments are complete.
     *
     * @param arguments the parsed arguments, masked; or the raw text when it is not JSON
     */
    public Uni<ToolCallDecision> decideToolCall(CallerIdentity caller, BoundSession session, String model,
            String toolName, Object arguments) {
        JsonObject input = new JsonObject()
                .put("version", ToolCallDecision.INPUT_VERSION)
                .put("identity", PolicyInput.identityJson(caller))
                .put("session", session == null ? null
                        : new JsonObject().put("id", session.id()).put("turn", session.turn()))
                .put("request", new JsonObject().put("model", model))
                .put("tool", new JsonObject().put("name", toolName).put("arguments", arguments))
                .put("time", clock.instant().toString());
        return opa.queryToolCall(input)
                .map(DecisionParser::parseToolCall)
                .invoke(decision -> LOG.infof("Policy %s the tool call %s%s", decision.allow()
                        ? (decision.approval().required() ? "holds" : "allowed") : "denied", toolName,
                        decision.allow() ? "" : ": " + decision.reasons()))
                .onFailure(failure -> !(failure instanceof GatewayException))
                .transform(failure -> {
                    LOG.warnf("Tool-call decision for %s failed, so the call is removed: %s", toolName,
                            failure.getMessage());
                    return new GatewayException(failure instanceof InvalidDecisionException
                            ? ErrorCode.POLICY_INVALID : ErrorCode.POLICY_UNAVAILABLE);
                });
    }

    Uni<PolicyDecision> decide(PolicyInput input) {
        Timer.Sample sample = Timer.start(meters);
        return opa.queryDecision(input.toJson())
                .map(DecisionParser::parse)
                .invoke(decision -> onDecision(sample, decision))
                .onFailure().transform(failure -> onFailure(sample, failure));
    }

    private void onDecision(Timer.Sample sample, PolicyDecision decision) {
        Outcome outcome = decision.allow() ? Outcome.ALLOW : Outcome.DENY;
        count(sample, outcome);
        if (decision.decisionId() != null) {
            MDC.put(DECISION_ID_MDC_KEY, decision.decisionId());
        }
        if (decision.allow()) {
            LOG.debug("Policy allowed the request");
        } else {
            LOG.infof("Policy denied the request: %s", decision.reasons());
        }
    }

    private Throwable onFailure(Timer.Sample sample, Throwable failure) {
        if (failure instanceof InvalidDecisionException invalid) {
            count(sample, Outcome.INVALID);
            LOG.warnf("Policy decision from %s is invalid, so the request was rejected: %s", opa.decisionUri(),
                    invalid.getMessage());
            return new GatewayException(ErrorCode.POLICY_INVALID);
        }
        count(sample, Outcome.UNAVAILABLE);
        if (failure instanceof OpaUnavailableException unavailable) {
            LOG.warnf("Policy decision from %s failed, so the request was rejected: %s", opa.decisionUri(),
                    unavailable.getMessage());
        } else {
            LOG.error("Policy decision failed unexpectedly, so the request was rejected", failure);
        }
        return new GatewayException(ErrorCode.POLICY_UNAVAILABLE);
    }

    private void count(Timer.Sample sample, Outcome outcome) {
        decisions.get(outcome).increment();
        sample.stop(roundTrips.get(outcome));
    }
}
