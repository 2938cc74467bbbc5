package io.portcullis.api;

import io.portcullis.approval.RequestHold;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.inspection.Inspection;
import io.portcullis.inspection.PromptInspector;
import io.portcullis.masking.AnswerMasking;
import io.portcullis.masking.MaskedRequest;
import io.portcullis.masking.MaskingStage;
import io.portcullis.observability.GatewayMetrics;
import io.portcullis.policy.Enforcement;
import io.portcullis.policy.Enforcement.Enforced;
import io.portcullis.policy.PolicyDecider;
import io.portcullis.policy.PolicyDecision;
import io.portcullis.recording.ExchangeRecording;
import io.portcullis.recording.Recorder;
import io.portcullis.session.BoundSession;
import io.portcullis.session.SessionBinder;
import io.portcullis.streaming.StreamRelay;
import io.portcullis.toolcall.ToolCallChecker;
import io.portcullis.toolcall.ToolCallGate;
import io.portcullis.upstream.Upstream;
import io.portcullis.upstream.UpstreamExchange;
import io.portcullis.upstream.UpstreamRegistry;
import io.portcullis.upstream.UpstreamStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.concurrent.Callable;

/**
 * {@code POST /v1/chat/completions}: the request path from an authenticated caller to the
 * upstream and back. Stages run in order: identify the caller, validate the body, route the
 * model, inspect the prompt, bind the session, ask the policy, enforce its decision, mask the
 * prompt, forward, relay the answer masked as the decision specifies. An {@link ExchangeRecording}
 * follows the request through these stages.
 */
@ApplicationScoped
public class ChatCompletionsHandler implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(ChatCompletionsHandler.class);
    private static final String ENDPOINT = "/chat/completions";
    private static final String SESSION_KEY = "portcullis.session";
    /** Bodies up to this size are inspected and masked on the event loop; larger ones on a worker thread. */
    static final int INLINE_INSPECTION_BYTES = 8 * 1024;
    /** Largest non-streamed upstream body accepted, in bytes. */
    static final long MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

    private final Vertx vertx;
    private final IdentityMapper identityMapper;
    private final UpstreamRegistry registry;
    private final SessionBinder sessions;
    private final PromptInspector inspector;
    private final PolicyDecider policy;
    private final MaskingStage masking;
    private final GatewayMetrics metrics;
    private final RequestHold holds;
    private final ToolCallChecker toolCalls;
    private final Recorder recorder;

    @Inject
    public ChatCompletionsHandler(Vertx vertx, IdentityMapper identityMapper, UpstreamRegistry registry,
            SessionBinder sessions, PromptInspector inspector, PolicyDecider policy, MaskingStage masking,
            RequestHold holds, ToolCallChecker toolCalls, GatewayMetrics metrics, Recorder recorder) {
        this.vertx = vertx;
        this.identityMapper = identityMapper;
        this.registry = registry;
        this.sessions = sessions;
        this.inspector = inspector;
        this.policy = policy;
        this.masking = masking;
        this.metrics = metrics;
        this.holds = holds;
        this.toolCalls = toolCalls;
        this.recorder = recorder;
    }

    @Override
    public void handle(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        ChatRequest request = ChatRequestParser.parse(context.body().buffer());
        Upstream upstream = registry.route(request.model()).orElseThrow(() -> unknownModel(request.model()));
        String requestId = RequestIds.assign(context);
        context.put(GatewayMetrics.FIRST_TOKEN_ACTION, metrics.streamStarted(upstream.name()));
        ExchangeRecording recording = recorder.open(context, requestId, caller, request);
        Uni<Inspection> inspection = inspect(request).invoke(found -> metrics.findings(found.findings().counts()));
        sessions.bind(context.request().getHeader(GatewayHeaders.SESSION_ID), caller)
                .invoke(session -> onSessionBound(context, session))
                .invoke(recording::sessionBound)
                .chain(session -> inspection
                        .chain(found -> policy.decideChat(caller, found, session, context.request())
                                .invoke(decision -> recording.decided(found.findings(), decision))
                                .invoke(decision -> GatewayHeaders.putDecisionId(context.response(), decision))
                                .chain(decision -> {
                                    Enforced enforced = Enforcement.apply(decision, request);
                                    return hold(context, caller, session, requestId, decision, request)
                                            .chain(proceed -> proceed
                                                    ? masking.apply(decision.mask(), enforced.request(), session,
                                                            caller, found.scanned())
                                                            .map(masked -> new Prepared(enforced, masked, session,
                                                                    recording))
                                                    : Uni.createFrom().<Prepared>nullItem());
                                })))
                .subscribe().with(
                        prepared -> {
                            if (prepared != null) {
                                forward(context, prepared, upstream, requestId, caller);
                            }
                        },
                        context::fail);
    }

    /**
     * Holds the request while the approval that the decision requires is pending.
     *
     * @return true to go on, false when the hold already answered the caller (202)
     */
    private Uni<Boolean> hold(RoutingContext context, CallerIdentity caller, BoundSession session, String requestId,
            PolicyDecision decision, ChatRequest request) {
        if (!decision.approval().required()) {
            return Uni.createFrom().item(true);
        }
        return holds.hold(context, caller, session.id(), requestId, decision, request);
    }

    /** A request that passed every stage before the upstream call. */
    private record Prepared(Enforced enforced, MaskedRequest masked, BoundSession session,
            ExchangeRecording recording) {
    }

    /**
     * Runs the detectors. Large prompts go to a worker thread, because detection costs a few
     * microseconds per byte and must not stall the event loop's other requests. The session is
     * bound in the meantime.
     */
    private Uni<Inspection> inspect(ChatRequest request) {
        if (request.raw().length() <= INLINE_INSPECTION_BYTES) {
            return Uni.createFrom().item(inspector.inspect(request));
        }
        return Uni.createFrom().completionStage(
                vertx.executeBlocking(() -> inspector.inspect(request), false).toCompletionStage());
    }

    private static void onSessionBound(RoutingContext context, BoundSession session) {
        context.put(SESSION_KEY, session);
        MDC.put("sessionId", session.id());
        context.response().putHeader(GatewayHeaders.SESSION_ID, session.id());
    }

    private void forward(RoutingContext context, Prepared prepared, Upstream upstream, String requestId,
            CallerIdentity caller) {
        if (context.response().closed()) {
            return;
        }
        Enforced enforced = prepared.enforced();
        if (enforced.maxTokensCap() != null && !context.response().headWritten()) {
            context.response().putHeader(GatewayHeaders.MAX_TOKENS, enforced.maxTokensCap().toString());
        }
        MaskedRequest masked = prepared.masked();
        metrics.masked("prompt", masked.promptCounts());
        if (masked.answer() != null) {
            context.addEndHandler(ignored -> metrics.masked("answer", masked.answer().maskedCounts()));
        }
        if (masked.pseudonyms() != null) {
            context.addEndHandler(ignored -> masking.saveAnswerPseudonyms(masked, prepared.session(), caller));
        }
        ChatRequest request = masked.request();
        UpstreamExchange exchange = new UpstreamExchange(vertx, upstream);
        context.response().closeHandler(ignored -> exchange.cancel());
        ExchangeRecording recording = prepared.recording();
        // The request record is stored during the upstream call, and its response waits until the record is durable.
        Future<Void> recorded = recording.forwarding(request, upstream.name());
        recorded.onFailure(failure -> {
            exchange.cancel();
            context.fail(failure);
        });
        exchange.post(ENDPOINT, request.raw(), request.stream(), requestId)
                .onComplete(metrics.upstreamCall(upstream.name()))
                .onSuccess(response -> {
                    // Held back until the record is durable. A failure meanwhile would reach no handler, so keep it.
                    Throwable[] heldFailure = new Throwable[1];
                    response.pause();
                    response.exceptionHandler(failure -> heldFailure[0] = failure);
                    recorded.onComplete(written -> {
                        if (written.succeeded()) {
                            onUpstreamResponse(context, request, masked.answer(), exchange, response, recording,
                                    heldFailure[0]);
                        } else {
                            discard(exchange, response);
                        }
                    });
                })
                .onFailure(failure -> {
                    if (!recorded.failed()) {
                        context.fail(failure);
                    }
                });
    }

    /**
     * Relays the upstream's response.
     *
     * @param heldFailure a failure of the upstream response while it was held back, or null
     */
    private void onUpstreamResponse(RoutingContext context, ChatRequest request, AnswerMasking answer,
            UpstreamExchange exchange, HttpClientResponse response, ExchangeRecording recording,
            Throwable heldFailure) {
        if (context.response().closed()) {
            exchange.cancel();
            return;
        }
        if (!UpstreamStatus.passesThrough(response.statusCode())) {
            LOG.warnf("Upstream %s answered HTTP %d", exchange.upstream().name(), response.statusCode());
            discard(exchange, response);
            context.fail(UpstreamStatus.replacement(response));
            return;
        }
        String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
        boolean eventStream = contentType != null && contentType.startsWith("text/event-stream");
        boolean success = response.statusCode() >= 200 && response.statusCode() < 300;
        if (request.stream() && success && !eventStream) {
            // An SDK reading this as a stream would see no events and no error.
            LOG.warnf("Upstream %s answered a streamed request with %s instead of text/event-stream",
                    exchange.upstream().name(), contentType);
            discard(exchange, response);
            context.fail(new GatewayException(ErrorCode.UPSTREAM_INVALID_RESPONSE));
        } else if (request.stream() && success) {
            relayStream(context, request, exchange, response, answer, recording, heldFailure);
        } else if (heldFailure != null) {
            LOG.warnf("Upstream %s response failed: %s", exchange.upstream().name(), heldFailure.toString());
            discard(exchange, response);
            context.fail(new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE));
        } else {
            relayBody(context, exchange, response, answer, toolCallStage(context, request), recording);
        }
    }

    /** Closes an upstream response whose body the caller will not see. */
    private static void discard(UpstreamExchange exchange, HttpClientResponse response) {
        // The reset surfaces as an exception on the response; it is expected here.
        response.exceptionHandler(ignored -> { });
        exchange.cancel();
    }

    private void relayStream(RoutingContext context, ChatRequest request, UpstreamExchange exchange,
            HttpClientResponse upstream, AnswerMasking answer, ExchangeRecording recording, Throwable heldFailure) {
        upstream.pause();
        HttpServerResponse caller = context.response();
        if (!caller.headWritten()) {
            // A held stream has sent these already, with its keep-alive comments.
            caller.setStatusCode(200)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
        }
        StreamRelay relay = new StreamRelay(vertx, caller, upstream, exchange, exchange.upstream().idleTimeout(),
                answer == null ? null : answer.forStream(), toolCallStage(context, request))
                .onFirstToken(context.get(GatewayMetrics.FIRST_TOKEN_ACTION))
                .tap(recording);
        if (heldFailure == null) {
            relay.start();
        } else {
            relay.failBeforeStart(heldFailure);
        }
    }

    /**
     * Returns the gate that checks the model's tool calls, for a request that offers tools, else
     * null. NOTE: an answer to a request without tools is not searched for tool calls.
     */
    private ToolCallGate toolCallStage(RoutingContext context, ChatRequest request) {
        if (request.toolNames().isEmpty()) {
            return null;
        }
        CallerIdentity caller = Callers.require(context, identityMapper);
        BoundSession session = context.get(SESSION_KEY);
        return toolCalls.gate(new ToolCallChecker.Origin(caller, session, request.model(),
                RequestIds.assign(context)));
    }

    /** Relays a complete JSON body: a non-streamed completion, or an upstream 4xx that passes through. */
    private void relayBody(RoutingContext context, UpstreamExchange exchange, HttpClientResponse upstream,
            AnswerMasking answer, ToolCallGate toolCallGate, ExchangeRecording recording) {
        BoundedBody body = new BoundedBody(vertx, exchange, upstream, MAX_RESPONSE_BYTES);
        if (toolCallGate != null) {
            context.response().closeHandler(ignored -> {
                exchange.cancel();
                toolCallGate.cancel();
            });
        }
        body.read()
                .compose(bytes -> upstream.statusCode() == 200
                        ? completion(bytes, answer, toolCallGate, exchange) : Future.succeededFuture(bytes))
                .onSuccess(bytes -> {
                    HttpServerResponse caller = context.response().setStatusCode(upstream.statusCode());
                    String retryAfter = upstream.getHeader("Retry-After");
                    if (retryAfter != null && upstream.statusCode() >= 400) {
                        caller.putHeader("Retry-After", retryAfter);
                    }
                    Buffer sent;
                    if (upstream.statusCode() >= 400) {
                        caller.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                        sent = UpstreamErrorBodies.forCaller(upstream.statusCode(), bytes, exchange.upstream());
                    } else {
                        caller.putHeader(HttpHeaders.CONTENT_TYPE, contentTypeOf(upstream));
                        sent = bytes;
                    }
                    recording.bodySent(sent);
                    caller.end(sent);
                })
                .onFailure(failure -> {
                    if (!context.response().ended()) {
                        context.fail(failure);
                    }
                });
    }

    /**
     * Checks a non-streamed completion (HTTP 200) and returns the body for the caller. With
     * nothing to mask or check, that is the upstream's bytes as they are. Otherwise the
     * completion is decoded once, masked, its tool calls checked while the response waits, and
     * encoded again. A body that is not a JSON object fails with {@code upstream_invalid_response}.
     * Bodies larger than {@link #INLINE_INSPECTION_BYTES} are decoded and masked on a worker thread.
     */
    private Future<Buffer> completion(Buffer bytes, AnswerMasking answer, ToolCallGate toolCallGate,
            UpstreamExchange exchange) {
        Callable<JsonObject> decodeAndMask = () -> {
            JsonObject completion = jsonObject(bytes, exchange);
            if (answer != null) {
                try {
                    answer.maskBody(completion);
                } catch (RuntimeException e) {
                    LOG.errorf("Masking the answer of upstream %s failed: %s", exchange.upstream().name(),
                            e.getClass().getName());
                    throw new GatewayException(ErrorCode.MASKING_FAILED);
                }
            }
            return completion;
        };
        Future<JsonObject> decoded;
        if (bytes.length() > INLINE_INSPECTION_BYTES && answer != null) {
            decoded = vertx.executeBlocking(decodeAndMask, false);
        } else {
            try {
                decoded = Future.succeededFuture(decodeAndMask.call());
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        }
        if (answer == null && toolCallGate == null) {
            return decoded.map(bytes);
        }
        if (toolCallGate == null) {
            return decoded.map(JsonObject::toBuffer);
        }
        return decoded.compose(completion -> Future.fromCompletionStage(toolCallGate.checkCompletion(completion)
                .map(JsonObject::toBuffer).subscribeAsCompletionStage()));
    }

    /** Decodes a 200 body that must be a JSON object, or fails with {@code upstream_invalid_response}. */
    private static JsonObject jsonObject(Buffer bytes, UpstreamExchange exchange) {
        try {
            if (Json.decodeValue(bytes) instanceof JsonObject object) {
                return object;
            }
        } catch (DecodeException e) {
            // Reported below, like any other body that is not a JSON object.
        }
        LOG.warnf("Upstream %s sent a 200 body that is not a JSON object", exchange.upstream().name());
        throw new GatewayException(ErrorCode.UPSTREAM_INVALID_RESPONSE);
    }

    private static String contentTypeOf(HttpClientResponse upstream) {
        String contentType = upstream.getHeader(HttpHeaders.CONTENT_TYPE);
        return contentType == null ? "application/json" : contentType;
    }

    private static GatewayException unknownModel(String model) {
        return new GatewayException(ErrorCode.MODEL_NOT_FOUND, "The model '" + ModelsHandler.abbreviate(model)
                + "' does not exist or is not served by this gateway.", "model");
    }
}
