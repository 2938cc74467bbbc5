package io.portcullis.recording;

import io.portcullis.api.Callers;
import io.portcullis.authentication.CallerIdentity;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The sessions web page at {@code /sessions}. The page itself is a static shell. Its script
 * sends the caller's bearer token to the fragment routes, which render the session list and a
 * session's timeline as HTML on the server, with the same visibility rules as the JSON API.
 */
@ApplicationScoped
public class SessionPage {

    private static final Logger LOG = Logger.getLogger(SessionPage.class);
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final IdentityMapper identityMapper;
    private final SessionQueries queries;
    private final Buffer html = resource("sessions.html");
    private final Buffer script = resource("page.js");
    private final Buffer style = resource("page.css");

    @Inject
    public SessionPage(IdentityMapper identityMapper, SessionQueries queries) {
        this.identityMapper = identityMapper;
        this.queries = queries;
    }

    void register(@Observes Router router) {
        router.route("/sessions*").order(-100).failureHandler(this::onFailure);
        router.get("/sessions").handler(context -> send(context, "text/html; charset=utf-8", html));
        router.get("/sessions/page.js").handler(context -> send(context, "text/javascript; charset=utf-8", script));
        router.get("/sessions/page.css").handler(context -> send(context, "text/css; charset=utf-8", style));
        router.get("/sessions/fragments/list").handler(this::list);
        router.get("/sessions/fragments/:session").handler(this::timeline);
    }

    private void list(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        queries.list(caller, RecordingRoutes.MAX_LIMIT).subscribe().with(
                sessions -> sendFragment(context, SessionFragments.list(sessions, queries.isAuditor(caller))),
                context::fail);
    }

    private void timeline(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        queries.timeline(caller, context.pathParam("session")).subscribe().with(timeline -> {
            if (timeline == null) {
                context.fail(new GatewayException(ErrorCode.SESSION_NOT_FOUND));
                return;
            }
            ChainVerifier.Mismatch mismatch = ChainVerifier.verify(timeline.session(), timeline.events());
            sendFragment(context, SessionFragments.timeline(timeline, mismatch));
        }, context::fail);
    }

    /** Renders a failure as a short HTML message; the page shows it in place of the fragment. */
    private void onFailure(RoutingContext context) {
        Throwable failure = context.failure();
        ErrorCode code;
        if (failure instanceof GatewayException gatewayException) {
            code = gatewayException.errorCode();
        } else if (failure instanceof AuthenticationFailedException || context.statusCode() == 401) {
            code = ErrorCode.UNAUTHENTICATED;
        } else {
            LOG.error("The sessions page failed", failure);
            code = ErrorCode.INTERNAL_ERROR;
        }
        HttpServerResponse response = context.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(code.status());
        sendFragment(context, "<p class=\"error\">" + SessionFragments.escape(code.message()) + " ("
                + SessionFragments.escape(code.code()) + ")</p>");
    }

    private static void sendFragment(RoutingContext context, String fragment) {
        send(context, "text/html; charset=utf-8", Buffer.buffer(fragment));
    }

    private static void send(RoutingContext context, String contentType, Buffer body) {
        context.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body);
    }

    private static Buffer resource(String name) {
        try (InputStream in = SessionPage.class.getResourceAsStream("/recording-page/" + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource recording-page/" + name + " in the gateway's jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
