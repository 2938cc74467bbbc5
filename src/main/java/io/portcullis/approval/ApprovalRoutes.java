package io.portcullis.approval;

import io.portcullis.api.Callers;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * The approver API under {@code /v1/approvals}, authenticated with the same bearer tokens as the
 * chat API:
 *
 * <ul>
 * <li>{@code GET /v1/approvals}: pending approvals that the caller may vote on or asked for;</li>
 * <li>{@code GET /v1/approvals/{id}}: one approval, for its requester or a member of its approver groups;</li>
 * <li>{@code POST /v1/approvals/{id}/approve} and {@code .../deny} with {@code {"reason": "..."}}.</li>
 * </ul>
 *
 * {@code GET} of an approval that the caller may not see answers 404. A vote by the requester or by
 * someone outside the approver groups answers 403 {@code approval_forbidden}.
 */
@ApplicationScoped
public class ApprovalRoutes {

    static final int MAX_REASON_CHARS = 1000;
    private static final Logger LOG = Logger.getLogger(ApprovalRoutes.class);
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private final ApprovalStore store;
    private final IdentityMapper identityMapper;

    @Inject
    public ApprovalRoutes(ApprovalStore store, IdentityMapper identityMapper) {
        this.store = store;
        this.identityMapper = identityMapper;
    }

    void register(@Observes Router router) {
        router.get("/v1/approvals").handler(this::list);
        router.get("/v1/approvals/:id").handler(this::get);
        router.post("/v1/approvals/:id/approve")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(context -> vote(context, ApprovalVote.APPROVE));
        router.post("/v1/approvals/:id/deny")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(context -> vote(context, ApprovalVote.DENY));
    }

    private void list(RoutingContext context) {
        Approver viewer = Approver.of(Callers.require(context, identityMapper));
        store.listPending().subscribe().with(approvals -> {
            JsonArray data = new JsonArray();
            approvals.stream()
                    .filter(approval -> visible(approval, viewer))
                    .forEach(approval -> data.add(ApprovalJson.detail(approval, null, viewer)));
            json(context, 200, new JsonObject().put("object", "list").put("data", data));
        }, context::fail);
    }

    private void get(RoutingContext context) {
        Approver viewer = Approver.of(Callers.require(context, identityMapper));
        UUID id = id(context);
        store.find(id)
                .chain(approval -> {
                    if (approval == null || !visible(approval, viewer)) {
                        throw new GatewayException(ErrorCode.APPROVAL_NOT_FOUND);
                    }
                    if (!ApprovalStore.mayVote(approval, viewer)) {
                        return Uni.createFrom().item(ApprovalJson.status(approval));
                    }
                    return store.votes(id).map(votes -> ApprovalJson.detail(approval, votes, viewer));
                })
                .subscribe().with(body -> json(context, 200, body), context::fail);
    }

    private void vote(RoutingContext context, String verdict) {
        Approver approver = Approver.of(Callers.require(context, identityMapper));
        UUID id = id(context);
        String reason = reason(context, verdict);
        store.vote(id, approver, verdict, reason)
                .chain(approval -> store.votes(id).map(votes -> ApprovalJson.detail(approval, votes, approver)))
                .subscribe().with(body -> {
                    LOG.infof("Approver %s voted %s on approval %s", approver.displayName(), verdict, id);
                    json(context, 200, body);
                }, context::fail);
    }

    /** The requester sees its own approvals; members of an approver group see that group's. */
    private static boolean visible(Approval approval, Approver viewer) {
        return approval.ownedBy(viewer.issuer(), viewer.subject()) || ApprovalStore.mayVote(approval, viewer);
    }

    private static UUID id(RoutingContext context) {
        try {
            return UUID.fromString(context.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw new GatewayException(ErrorCode.APPROVAL_NOT_FOUND);
        }
    }

    /** Reads {@code reason} from the body: optional when approving, required when denying. */
    private static String reason(RoutingContext context, String verdict) {
        JsonObject body;
        try {
            body = context.body().length() == 0 ? new JsonObject() : context.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new GatewayException(ErrorCode.INVALID_JSON);
        }
        Object value = body == null ? null : body.getValue("reason");
        if (value != null && !(value instanceof String)) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "reason must be a string.", "reason");
        }
        String reason = value == null ? null : ((String) value).strip();
        if (reason != null && reason.length() > MAX_REASON_CHARS) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "reason is " + reason.length()
                    + " characters long; shorten it to at most " + MAX_REASON_CHARS + ".", "reason");
        }
        if (ApprovalVote.DENY.equals(verdict) && (reason == null || reason.isEmpty())) {
            throw new GatewayException(ErrorCode.INVALID_REQUEST, "A denial needs a reason, which the requester"
                    + " sees. Send {\"reason\": \"...\"}.", "reason");
        }
        return reason == null || reason.isEmpty() ? null : reason;
    }

    private static void json(RoutingContext context, int status, JsonObject body) {
        context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.toBuffer());
    }
}
