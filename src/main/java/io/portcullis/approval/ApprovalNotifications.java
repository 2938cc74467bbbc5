package io.portcullis.approval;

import io.portcullis.BaseUrls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Instant;

/**
 * Tells others about approvals: a CDI {@link ApprovalEvent} on this replica, and a message in the
 * Slack incoming-webhook format ({@code {"text": ...}}) to {@code portcullis.approval.webhook-url}.
 * Messages name the requester, the model or tool, the policy's reason and the expiry, never
 * prompt text or tool arguments. A failed webhook is logged and does not affect the approval.
 */
@ApplicationScoped
public class ApprovalNotifications {

    private static final Logger LOG = Logger.getLogger(ApprovalNotifications.class);

    private final Event<ApprovalEvent> events;
    private final ApprovalConfig config;
    private final HttpClient client;
    private final URI webhook;

    @Inject
    public ApprovalNotifications(Vertx vertx, Event<ApprovalEvent> events, ApprovalConfig config) {
        this.events = events;
        this.config = config;
        this.webhook = config.webhookUrl()
                .map(url -> BaseUrls.parse("portcullis.approval.webhook-url", url,
                        "https://hooks.slack.com/services/T000/B000/XXXX"))
                .orElse(null);
        this.client = webhook == null ? null
                : vertx.createHttpClient(BaseUrls.keepAliveClient(webhook, 4, config.webhookTimeout(), "webhook"));
    }

    void opened(Approval approval) {
        fire(approval, ApprovalEvent.Type.REQUESTED, null, approval.reason);
        post("Approval needed: " + subjectLine(approval) + ". Why: " + orNone(approval.reason)
                + ". Needs " + approval.minApprovals + " approval(s) from " + groups(approval)
                + " before " + approval.expiresAt + "." + link(approval));
    }

    void decided(Approval approval, String actor) {
        ApprovalEvent.Type type = switch (approval.state()) {
            case APPROVED -> ApprovalEvent.Type.GRANTED;
            case DENIED -> ApprovalEvent.Type.DENIED;
            case EXPIRED -> ApprovalEvent.Type.EXPIRED;
            case CANCELLED -> ApprovalEvent.Type.CANCELLED;
            case PENDING -> null;
        };
        if (type == null) {
            return;
        }
        fire(approval, type, actor, approval.decisionReason);
        String by = actor == null ? "" : " by " + actor;
        post("Approval " + approval.state + by + ": " + subjectLine(approval)
                + (approval.decisionReason == null ? "." : ". Reason: " + escape(approval.decisionReason) + "."));
    }

    private void fire(Approval approval, ApprovalEvent.Type type, String actor, String reason) {
        ApprovalEvent event = new ApprovalEvent(type, approval.id, approval.kind(), approval.sessionId,
                approval.requestId, approval.issuer, approval.subject, actor, reason, Instant.now());
        try {
            events.fire(event);
        } catch (RuntimeException e) {
            LOG.errorf("An observer of approval events failed on %s %s: %s", type, approval.id, e.toString());
        }
    }

    private void post(String text) {
        if (client == null) {
            return;
        }
        JsonObject body = new JsonObject().put("text", text);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(webhook.toString())
                .setTimeout(config.webhookTimeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        client.request(options)
                .compose(request -> request.send(body.toBuffer()))
                .onSuccess(response -> {
                    if (response.statusCode() / 100 != 2) {
                        LOG.warnf("Approval webhook answered HTTP %d", response.statusCode());
                    }
                    response.body();
                })
                .onFailure(failure -> LOG.warnf("Approval webhook failed: %s", failure.toString()));
    }

    private static String subjectLine(Approval approval) {
        JsonObject context = new JsonObject(approval.context);
        String who = approval.username != null ? approval.username : approval.subject;
        String what = approval.kind() == ApprovalKind.TOOL_CALL
                ? "tool call " + context.getJsonObject("tool", new JsonObject()).getString("name", "?")
                : "request for model " + context.getJsonObject("request", new JsonObject()).getString("model", "?");
        return escape(what + " by " + who + " (approval " + approval.id + ")");
    }

    private static String groups(Approval approval) {
        return escape(String.join(", ", new JsonArray(approval.approverGroups).stream().map(String::valueOf).toList()));
    }

    private String link(Approval approval) {
        return config.publicUrl().map(url -> " Review: <" + url.replaceAll("/+$", "") + "/approvals/"
                + approval.id + "|open the approval page>").orElse("");
    }

    private static String orNone(String value) {
        return value == null ? "(none given)" : escape(value);
    }

    /** Escapes the three characters that Slack's message format gives a meaning. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
