package io.portcullis.approval;

import io.portcullis.api.ChatRequest;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.policy.PolicyDecision;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.UUID;

/**
 * Holds a chat request whose decision requires approval. By default the caller's connection
 * waits: a streamed caller gets its 200 status at once and an SSE comment line every
 * {@code portcullis.approval.keep-alive-interval}, a non-streamed caller gets nothing until the
 * outcome. With {@code Prefer: respond-async} the caller gets 202 with the approval id and
 * repeats the request with {@value #APPROVAL_ID_HEADER} once it is approved.
 *
 * <p>A retry of the same request by the same identity (same body bytes, so the same SHA-256)
 * attaches to the open approval instead of opening another.
 *
 * <p>NOTE: a held non-streamed request sends no bytes, so {@code quarkus.http.idle-timeout}
 * (120 s in application.properties) closes it first when the approval's time to live is longer.
 * Stream, or use {@code Prefer: respond-async}, for long holds.
 */
@ApplicationScoped
public class RequestHold {

    public static final String APPROVAL_ID_HEADER = "X-Portcullis-Approval-Id";
    private static final Logger LOG = Logger.getLogger(RequestHold.class);
    private static final int MAX_REASON = 1000;

    private final Vertx vertx;
    private final ApprovalStore store;
    private final ApprovalWaiters waiters;
    private final ApprovalConfig config;

    @Inject
    public RequestHold(Vertx vertx, ApprovalStore store, ApprovalWaiters waiters, ApprovalConfig config) {
        this.vertx = vertx;
        this.store = store;
        this.waiters = waiters;
        this.config = config;
    }

    /**
     * Holds the request until its approval is decided.
     *
     * @return true when the request may go on, false when this method already answered (202)
     * @throws GatewayException on denial, expiry, cancellation, or an approval id that does not
     *                          fit the request
     */
    public Uni<Boolean> hold(RoutingContext context, CallerIdentity caller, String sessionId, String requestId,
            PolicyDecision decision, ChatRequest request) {
        HoldRequest hold = new HoldRequest(ApprovalKind.REQUEST, caller, ApprovalContexts.digest(request.raw()),
                sessionId, requestId, decision.decisionId(), decision.approval(), context(caller, request, sessionId));
        boolean async = prefersAsync(context.request());
        String named = context.request().getHeader(APPROVAL_ID_HEADER);
        Uni<Approval> approval = named != null
                ? named(named, hold, !async)
                : store.openOrAttach(hold, !async).map(ApprovalStore.Opened::approval);
        return approval.chain(found -> {
            context.response().putHeader(APPROVAL_ID_HEADER, found.id.toString());
            return switch (found.state()) {
                case PENDING -> async ? accepted(context, found) : waitFor(context, found, request.stream());
                default -> outcome(found, true);
            };
        });
    }

    /** Looks up the approval that the caller names and checks that it was given to this very request. */
    private Uni<Approval> named(String header, HoldRequest hold, boolean waiting) {
        UUID id;
        try {
            id = UUID.fromString(header.strip());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new GatewayException(ErrorCode.INVALID_REQUEST, APPROVAL_ID_HEADER
                    + " must be the approval id that the 202 response returned, such as"
                    + " 0b6f6c2e-5d7a-4c38-9a53-4c1f0a8e2d11.", null));
        }
        return store.find(id).chain(approval -> {
            if (approval == null || approval.kind() != ApprovalKind.REQUEST) {
                throw new GatewayException(ErrorCode.APPROVAL_NOT_FOUND);
            }
            if (!approval.ownedBy(hold.caller().issuer(), hold.caller().subject())
                    || !approval.contentDigest.equals(hold.digest())) {
                LOG.warnf("Approval %s named by a caller whose identity or request body differs", id);
                throw new GatewayException(ErrorCode.APPROVAL_MISMATCH);
            }
            return waiting && approval.state() == ApprovalState.PENDING ? store.attach(id)
                    : Uni.createFrom().item(approval);
        });
    }

    private Uni<Boolean> accepted(RoutingContext context, Approval approval) {
        JsonObject body = ApprovalJson.status(approval);
        context.response().setStatusCode(202)
                .putHeader(HttpHeaders.LOCATION, "/v1/approvals/" + approval.id)
                .putHeader("Preference-Applied", "respond-async")
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.toBuffer());
        return Uni.createFrom().item(false);
    }

    private Uni<Boolean> waitFor(RoutingContext context, Approval approval, boolean stream) {
        HttpServerResponse response = context.response();
        long keepAlive = stream ? startKeepAlive(response, approval.id) : -1;
        UUID id = approval.id;
        Uni<Approval> decided = Uni.createFrom().emitter(emitter -> {
            if (response.closed()) {
                // The caller left while the approval was being opened.
                waiters.abandon(id);
                emitter.fail(new GatewayException(ErrorCode.APPROVAL_CANCELLED));
                return;
            }
            Cancellable waiting = waiters.awaitDecision(approval).subscribe().with(emitter::complete, emitter::fail);
            response.closeHandler(ignored -> {
                waiting.cancel();
                waiters.abandon(id);
                emitter.fail(new GatewayException(ErrorCode.APPROVAL_CANCELLED));
            });
        });
        return decided
                .onTermination().invoke(() -> vertx.cancelTimer(keepAlive))
                .chain(decision -> outcome(decision, false));
    }

    /**
     * Turns a decided approval into going on or an error.
     *
     * @param unusedOnly true when the approval was found rather than waited on: then it releases
     *                   only a request that has not used it yet. Callers that waited together on one
     *                   approval, such as a request and its SDK retry, are all released.
     */
    private Uni<Boolean> outcome(Approval approval, boolean unusedOnly) {
        return switch (approval.state()) {
            case APPROVED -> store.consume(approval.id).map(used -> {
                if (!used && unusedOnly) {
                    throw new GatewayException(ErrorCode.APPROVAL_MISMATCH, "The approval " + approval.id
                            + " was already used by an earlier request. Send the request again without "
                            + APPROVAL_ID_HEADER + " to ask for a new approval.");
                }
                return true;
            });
            case DENIED -> throw denied(approval);
            case EXPIRED -> throw new GatewayException(ErrorCode.APPROVAL_EXPIRED);
            case CANCELLED -> throw new GatewayException(ErrorCode.APPROVAL_CANCELLED);
            case PENDING -> throw new IllegalStateException("approval " + approval.id + " is still pending");
        };
    }

    static GatewayException denied(Approval approval) {
        String reason = approval.decisionReason == null || approval.decisionReason.isBlank()
                ? "no reason given" : printable(approval.decisionReason);
        return new GatewayException(ErrorCode.APPROVAL_DENIED, "An approver denied this request: " + reason);
    }

    /** Sends the 200 status and SSE headers, then a comment line now and every keep-alive interval. */
    private long startKeepAlive(HttpServerResponse response, UUID id) {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        String comment = ": waiting for approval " + id + "\n\n";
        response.write(comment);
        return vertx.setPeriodic(config.keepAliveInterval().toMillis(), timer -> {
            if (!response.closed() && !response.ended()) {
                response.write(comment);
            }
        });
    }

    private static JsonObject context(CallerIdentity caller, ChatRequest request, String sessionId) {
        return new JsonObject()
                .put("requester", ApprovalContexts.requester(caller))
                .put("session_id", sessionId)
                .put("request", new JsonObject()
                        .put("model", request.model())
                        .put("stream", request.stream())
                        .put("max_tokens", request.maxTokens())
                        .put("message_count", request.messageCount())
                        .put("tools", new JsonArray(request.toolNames()))
                        .put("body_bytes", request.raw().length()));
    }

    /** Returns true when the Prefer header (RFC 7240) asks for {@code respond-async}. */
    static boolean prefersAsync(HttpServerRequest request) {
        for (String value : request.headers().getAll("Prefer")) {
            for (String preference : value.split(",")) {
                String token = preference.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
                if (token.equals("respond-async")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", " ");
        return cleaned.length() > MAX_REASON ? cleaned.substring(0, MAX_REASON) + "..." : cleaned;
    }
}
