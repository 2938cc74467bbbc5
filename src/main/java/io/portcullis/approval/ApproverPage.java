package io.portcullis.approval;

import io.portcullis.api.Callers;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.GatewayException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The approver page at {@code /approvals}: a server-rendered queue of the pending approvals that
 * the signed-in person may vote on, with their context, and forms to approve or deny. People
 * sign in through the identity provider with the code flow of the OIDC tenant
 * {@code approver-page}. The votes go through {@link ApprovalStore#vote}, with the same rules as
 * the API.
 *
 * <p>Forms carry a token that must equal the {@value #CSRF_COOKIE} cookie (double submit), so a
 * page of another site cannot vote with the approver's session.
 */
@ApplicationScoped
public class ApproverPage {

    static final String CSRF_COOKIE = "portcullis_approver_csrf";
    private static final Logger LOG = Logger.getLogger(ApproverPage.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_FORM_BYTES = 16 * 1024;

    private final ApprovalStore store;
    private final IdentityMapper identityMapper;

    @Inject
    public ApproverPage(ApprovalStore store, IdentityMapper identityMapper) {
        this.store = store;
        this.identityMapper = identityMapper;
    }

    void register(@Observes Router router) {
        router.get("/approvals").handler(this::queue);
        router.post("/approvals/:id/:verdict")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_FORM_BYTES))
                .handler(this::vote);
    }

    private void queue(RoutingContext context) {
        Approver viewer = Approver.of(Callers.require(context, identityMapper));
        String csrf = csrfToken(context);
        String notice = context.queryParams().get("notice");
        store.listPending().subscribe().with(approvals -> {
            List<Approval> mine = approvals.stream().filter(approval -> ApprovalJson.canVote(approval, viewer)).toList();
            html(context, 200, ApproverPageHtml.queue(viewer, mine, csrf, notice));
        }, failure -> html(context, 503, ApproverPageHtml.message(viewer, "The approval store is unavailable. Reload"
                + " the page in a moment.")));
    }

    private void vote(RoutingContext context) {
        Approver approver = Approver.of(Callers.require(context, identityMapper));
        String verdict = context.pathParam("verdict");

        String form = context.request().getFormAttribute("csrf");
        Cookie cookie = context.request().getCookie(CSRF_COOKIE);
        if (cookie == null || form == null || !MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.UTF_8),
                form.getBytes(StandardCharsets.UTF_8))) {
            LOG.warnf("Approver page vote by %s rejected: the form token does not match its cookie",
                    approver.displayName());
            html(context, 403, ApproverPageHtml.message(approver, "The form expired. Reload the page and vote again."));
            return;
        }
        UUID id;
        try {
            id = UUID.fromString(context.pathParam("id"));
        } catch (IllegalArgumentException e) {
            html(context, 404, ApproverPageHtml.message(approver, "No such approval."));
            return;
        }
        if (!ApprovalVote.APPROVE.equals(verdict) && !ApprovalVote.DENY.equals(verdict)) {
            html(context, 404, ApproverPageHtml.message(approver, "No such action."));
            return;
        }

        String reason = context.request().getFormAttribute("reason");
        reason = reason == null || reason.isBlank() ? null : reason.strip();
        if (ApprovalVote.DENY.equals(verdict) && reason == null) {
            redirect(context, "A denial needs a reason, which the requester sees.");
            return;
        }
        if (reason != null && reason.length() > ApprovalRoutes.MAX_REASON_CHARS) {
            redirect(context, "The reason is longer than " + ApprovalRoutes.MAX_REASON_CHARS + " characters.");
            return;
        }

        store.vote(id, approver, verdict, reason).subscribe().with(
                approval -> redirect(context, "Approval " + approval.id + " is " + approval.state + "."),
                failure -> redirect(context, failure instanceof GatewayException gateway ? gateway.getMessage()
                        : "The vote failed. Try again."));
    }

    /** Returns the CSRF token of the browser, setting a new cookie when it has none. */
    private static String csrfToken(RoutingContext context) {
        Cookie existing = context.request().getCookie(CSRF_COOKIE);
        if (existing != null && existing.getValue().matches("[0-9a-f]{64}")) {
            return existing.getValue();
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        context.response().addCookie(Cookie.cookie(CSRF_COOKIE, token).setPath("/approvals").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(context.request().isSSL()));
        return token;
    }

    /** Redirects a form post with 303 to the queue, which shows the notice (Post/Redirect/Get). */
    private static void redirect(RoutingContext context, String notice) {
        context.response().setStatusCode(303)
                .putHeader(HttpHeaders.LOCATION, "/approvals?notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8))
                .end();
    }

    private static void html(RoutingContext context, int status, String body) {
        context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline';"
                        + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
                .putHeader("Referrer-Policy", "no-referrer")
                .end(body);
    }

}
