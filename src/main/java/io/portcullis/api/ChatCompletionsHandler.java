package io.portcullis.api;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.inspection.Inspection;
import io.portcullis.inspection.PromptInspector;
import io.portcullis.policy.Enforcement;
import io.portcullis.policy.Enforcement.Enforced;
import io.portcullis.policy.PolicyDecider;
import io.portcullis.session.BoundSession;
import io.portcullis.session.SessionBinder;
import io.portcullis.streaming.StreamRelay;
import io.portcullis.upstream.Upstream;
import io.portcullis.upstream.UpstreamExchange;
import io.portcullis.upstream.UpstreamRegistry;
import io.portcullis.upstream.UpstreamStatus;
import io.smallrye.mutiny.Uni;
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

/**
 * {@code POST /v1/chat/completions}: the request path from an authenticated caller to the
 * upstream and back. Stages run in order: identify the caller, validate the body, route the
 * model, inspect the prompt, bind the session, ask the policy, enforce its decision, forward,
 * relay the answer.
 */
@ApplicationScoped
public class ChatCompletionsHandler implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(ChatCompletionsHandler.class);
    private static final String ENDPOINT = "/chat/completions";
    /** Largest non-streamed upstream body accepted, in bytes. */
    /** Bodies up to this size are inspected on the event loop; larger ones on a worker thread. */
    static final int INLINE_INSPECTION_BYTES = 8 * 1024;
    static final long MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

    private final Vertx vertx;
    private final IdentityMapper identityMapper;
    private final UpstreamRegistry registry;
    private final SessionBinder sessions;
    private final PromptInspector inspector;
    private final PolicyDecider policy;

    @Inject
    public ChatCompletionsHandler(Vertx vertx, IdentityMapper identityMapper, UpstreamRegistry registry,
            SessionBinder sessions, PromptInspector inspector, PolicyDecider policy) {
        this.vertx = vertx;
        this.identityMapper = identityMapper;
        this.registry = registry;
        this.sessions = sessions;
        this.inspector = inspector;
        this.policy = policy;
    }

    @Override
    public void handle(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        ChatRequest request = ChatRequestParser.parse(context.body().buffer());
        Upstream upstream = registry.route(request.model()).orElseThrow(() -> unknownModel(request.model()));
        String requestId = RequestIds.assign(context);
        Uni<Inspection> inspection = inspect(request);
        sessions.bind(context.request().getHeader(GatewayHeaders.SESSION_ID), caller)
                .invoke(session -> onSessionBound(context, session))
                .chain(session -> inspection.chain(found -> policy.decideChat(caller, found, session,
                        context.request())))
                .invoke(decision -> GatewayHeaders.putDecisionId(context.response(), decision))
                .map(decision -> Enforcement.apply(decision, request))
                .subscribe().with(
                        enforced -> forward(context, enforced, upstream, requestId),
                        context::fail);
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
        MDC.put("sessionId", session.id());
        context.response().putHeader(GatewayHeaders.SESSION_ID, session.id());
    }

    private void forward(RoutingContext context, Enforced enforced, Upstream upstream, String requestId) {
        if (context.response().closed()) {
            return;
        }
        if (enforced.maxTokensCap() != null) {
            context.response().putHeader(GatewayHeaders.MAX_TOKENS, enforced.maxTokensCap().toString());
        }
        ChatRequest request = enforced.request();
        UpstreamExchange exchange = new UpstreamExchange(vertx, upstream);
        context.response().closeHandler(ignored -> exchange.cancel());
        exchange.post(ENDPOINT, request.raw(), request.stream(), requestId)
                .onSuccess(response -> onUpstreamResponse(context, request, exchange, response))
                .onFailure(context::fail);
    }

    private void onUpstreamResponse(RoutingContext context, ChatRequest request, UpstreamExchange exchange,
            HttpClientResponse response) {
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
            relayStream(context, exchange, response);
        } else {
            relayBody(context, exchange, response);
        }
    }

    /** Closes an upstream response whose body the caller will not see. */
    private static void discard(UpstreamExchange exchange, HttpClientResponse response) {
        // The reset surfaces as an exception on the response; it is expected here.
        response.exceptionHandler(ignored -> { });
        exchange.cancel();
    }

    private void relayStream(RoutingContext context, UpstreamExchange exchange, HttpClientResponse upstream) {
        upstream.pause();
        HttpServerResponse caller = context.response()
                .setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        new StreamRelay(vertx, caller, upstream, exchange, exchange.upstream().idleTimeout()).start();
    }

    /** Relays a complete JSON body: a non-streamed completion, or an upstream 4xx that passes through. */
    private void relayBody(RoutingContext context, UpstreamExchange exchange, HttpClientResponse upstream) {
        BoundedBody body = new BoundedBody(vertx, exchange, upstream, MAX_RESPONSE_BYTES);
        body.read()
                .onSuccess(bytes -> {
                    if (upstream.statusCode() == 200 && !isJsonObject(bytes)) {
                        LOG.warnf("Upstream %s sent a 200 body that is not a JSON object", exchange.upstream().name());
                        context.fail(new GatewayException(ErrorCode.UPSTREAM_INVALID_RESPONSE));
                        return;
                    }
                    HttpServerResponse caller = context.response().setStatusCode(upstream.statusCode());
                    String retryAfter = upstream.getHeader("Retry-After");
                    if (retryAfter != null && upstream.statusCode() >= 400) {
                        caller.putHeader("Retry-After", retryAfter);
                    }
                    if (upstream.statusCode() >= 400) {
                        caller.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                        caller.end(UpstreamErrorBodies.forCaller(upstream.statusCode(), bytes, exchange.upstream()));
                    } else {
                        caller.putHeader(HttpHeaders.CONTENT_TYPE, contentTypeOf(upstream));
                        caller.end(bytes);
                    }
                })
                .onFailure(failure -> {
                    if (!context.response().ended()) {
                        context.fail(failure);
                    }
                });
    }

    private static boolean isJsonObject(Buffer bytes) {
        try {
            return Json.decodeValue(bytes) instanceof JsonObject;
        } catch (DecodeException e) {
            return false;
        }
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
