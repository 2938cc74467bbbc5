package io.portcullis.recording;

import io.portcullis.api.ChatRequest;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.ErrorBodies;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.inspection.Findings;
import io.portcullis.policy.PolicyDecision;
import io.portcullis.session.BoundSession;
import io.portcullis.streaming.RelayTap;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The recording of one chat request, fed by the handler as the request moves along the path
 * and by the stream relay as a {@link RelayTap}. Its writes run one after another: the request
 * record (received, decision, upstream started) in one transaction while the upstream call is
 * under way, then the outcome once the response has ended.
 *
 * <p>A request that ends before its session is bound (a malformed or foreign session id) is
 * not recorded, since it has no session to belong to.
 */
public final class ExchangeRecording implements RelayTap {

    private final Recorder recorder;
    private final RoutingContext context;
    private final String requestId;
    private final CallerIdentity caller;
    private final ChatRequest request;
    private final Instant receivedAt;
    private final ResponseCapture capture;
    private final List<NewEvent> pending = new ArrayList<>();
    private Future<Void> writes = Future.succeededFuture();
    private SessionOwner owner;
    private PolicyDecision decision;
    private boolean streaming;
    private boolean ended;

    ExchangeRecording(Recorder recorder, RoutingContext context, String requestId, CallerIdentity caller,
            ChatRequest request) {
        this.recorder = recorder;
        this.context = context;
        this.requestId = requestId;
        this.caller = caller;
        this.request = request;
        this.receivedAt = Instant.now();
        this.capture = new ResponseCapture(System.nanoTime());
        context.addEndHandler(this::onResponseEnded);
    }

    /** Notes the session; from here on the request is recorded, whatever its outcome. */
    public void sessionBound(BoundSession session) {
        owner = new SessionOwner(session.id(), caller.issuer(), caller.subject(), caller.username());
        pending.add(event(EventType.REQUEST_RECEIVED, receivedAt, new JsonObject()
                .put("identity", EventData.identity(caller))
                .put("turn", session.turn())
                .put("request", EventData.requestSummary(request))));
    }

    /** Notes the policy decision and the findings it was made on. */
    public void decided(Findings findings, PolicyDecision decision) {
        this.decision = decision;
        if (!pending.isEmpty()) {
            pending.get(0).data().put("record", EventData.lowerCase(decision.recording()));
        }
        pending.add(event(EventType.DECISION_MADE, Instant.now(), EventData.decision(decision, findings)));
    }

    /**
     * Starts storing the request record while the caller forwards the request. The caller must
     * not send a byte of the response before the returned future succeeds.
     *
     * @return succeeds once the record is durable, or at once when it failed and recording
     *         fails open; fails with {@code recording_unavailable} when it failed and recording
     *         fails closed
     */
    public Future<Void> forwarding(ChatRequest forwarded, String upstream) {
        if (full()) {
            pending.get(0).data().put("prompt", EventData.prompt(forwarded));
        }
        pending.add(event(EventType.UPSTREAM_STARTED, Instant.now(), new JsonObject()
                .put("upstream", upstream)
                .put("request", EventData.requestSummary(forwarded))));
        streaming = forwarded.stream();
        return recorder.requireDurable(flush("request"), requestId);
    }

    /** Notes a complete body sent to the caller, such as a non-streamed completion. */
    public void bodySent(Buffer body) {
        capture.addBody(body.toString());
    }

    @Override
    public void onData(String data, int bytes) {
        capture.addEvent(data, bytes);
    }

    @Override
    public void onEnd(RelayOutcome outcome, ErrorCode error) {
        if (error != null) {
            capture.addErrorEvent(ErrorBodies.of(error, error.message(), null));
        }
        switch (outcome) {
            case COMPLETED -> complete(200);
            case UPSTREAM_ERROR_EVENT -> fail(200, ErrorCode.UPSTREAM_ERROR.code(), "upstream_error_event");
            case FAILED -> fail(200, error.code(), "stream_failed");
            case CALLER_CLOSED -> fail(499, null, "client_aborted");
        }
    }

    /** Records the outcome of every request that did not end through the stream relay. */
    private void onResponseEnded(AsyncResult<Void> result) {
        if (ended || (streaming && context.response().headWritten() && result.succeeded())) {
            // A relayed stream reports its own end through onEnd, with more detail.
            return;
        }
        if (result.failed() && context.failure() == null) {
            fail(499, null, "client_aborted");
        } else if (context.failure() instanceof GatewayException failure) {
            fail(failure.errorCode().status(), failure.errorCode().code(), outcomeOf(failure.errorCode()));
        } else if (context.failure() != null) {
            fail(500, ErrorCode.INTERNAL_ERROR.code(), "gateway_error");
        } else if (context.response().getStatusCode() >= 400) {
            fail(context.response().getStatusCode(), null, "upstream_error");
        } else {
            complete(context.response().getStatusCode());
        }
    }

    private static String outcomeOf(ErrorCode code) {
        return switch (code) {
            case POLICY_DENIED -> "denied";
            case RECORDING_UNAVAILABLE -> "recording_failed";
            case POLICY_UNAVAILABLE, POLICY_INVALID -> "policy_failed";
            case MASKING_FAILED, PSEUDONYM_STORE_UNAVAILABLE -> "masking_failed";
            case APPROVAL_DENIED, APPROVAL_EXPIRED, APPROVAL_CANCELLED, APPROVAL_MISMATCH -> code.code();
            case APPROVAL_STORE_UNAVAILABLE -> "approval_failed";
            case UPSTREAM_ERROR, UPSTREAM_UNAVAILABLE, UPSTREAM_AUTH_FAILED, UPSTREAM_INVALID_RESPONSE,
                    UPSTREAM_STREAM_TRUNCATED, UPSTREAM_TIMEOUT -> "upstream_failed";
            default -> code.status() >= 500 ? "gateway_error" : "rejected";
        };
    }

    private void complete(int status) {
        // 202 is the answer to a request held for approval with Prefer: respond-async; its retry is another request.
        String outcome = status == 202 ? "held_for_approval" : "completed";
        end(EventType.RESPONSE_COMPLETED, new JsonObject().put("status", status).put("outcome", outcome));
    }

    private void fail(int status, String errorCode, String outcome) {
        end(EventType.REQUEST_FAILED, new JsonObject()
                .put("status", status)
                .put("error_code", errorCode)
                .put("outcome", outcome));
    }

    private void end(EventType type, JsonObject data) {
        if (ended || owner == null) {
            return;
        }
        ended = true;
        data.put("latency_ms", capture.elapsedMillis()).put("response", capture.toJson(full()));
        pending.add(event(type, Instant.now(), data));
        recorder.reportLate(flush("outcome"), requestId);
    }

    /** Appends the pending events after every earlier write of this request. */
    private Future<Void> flush(String stage) {
        List<NewEvent> batch = List.copyOf(pending);
        pending.clear();
        writes = writes.transform(ignored -> recorder.append(owner, batch, stage));
        return writes;
    }

    /** True unless the decision asked for metadata only; a request without a decision records no text. */
    private boolean full() {
        return decision != null && decision.recording() == PolicyDecision.Recording.FULL;
    }

    private NewEvent event(EventType type, Instant time, JsonObject data) {
        return new NewEvent(type, requestId, time, data);
    }
}
