package io.portcullis.api;

import io.portcullis.error.ErrorBodies;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.Map;

/** Writes every error response of the gateway: the status of its code and the OpenAI error body. */
public final class ErrorResponder {

    private static final Logger LOG = Logger.getLogger(ErrorResponder.class);
    static final String BEARER_CHALLENGE = "Bearer realm=\"portcullis\", error=\"invalid_token\"";

    private ErrorResponder() {
    }

    public static void send(RoutingContext context, Throwable failure) {
        GatewayException error = failure instanceof GatewayException gatewayException ? gatewayException
                : unexpected(failure);
        HttpServerResponse response = context.response();
        if (response.closed() || response.ended()) {
            LOG.debugf("Error %s after the caller went away", error.errorCode().code());
            return;
        }
        if (response.headWritten() && isEventStream(response)) {
            // A held stream got its 200 status before the outcome; OpenAI SDKs raise this event.
            LOG.debugf("Error %s inside a stream", error.errorCode().code());
            response.end(ErrorBodies.sseEvent(error.errorCode(), error.getMessage()));
            return;
        }
        if (response.headWritten()) {
            // The status line is gone; the caller sees the connection close instead of a clean end.
            LOG.warnf("Error %s after the response started; closing the connection", error.errorCode().code());
            response.reset();
            return;
        }
        ErrorCode code = error.errorCode();
        response.setStatusCode(code.status());
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        for (Map.Entry<String, String> header : error.headers().entrySet()) {
            response.putHeader(header.getKey(), header.getValue());
        }
        if (code == ErrorCode.UNAUTHENTICATED) {
            response.putHeader("WWW-Authenticate", BEARER_CHALLENGE);
        } else if (code == ErrorCode.TOKEN_MISSING) {
            // RFC 6750 section 3.1: no error attribute when the request carried no credentials.
            response.putHeader("WWW-Authenticate", "Bearer realm=\"portcullis\"");
        }

        if (code == ErrorCode.REQUEST_TOO_LARGE) {
            // The rest of the body was not read; do not reuse the connection.
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(ErrorBodies.of(error).toBuffer());
    }

    private static boolean isEventStream(HttpServerResponse response) {
        String contentType = response.headers().get(HttpHeaders.CONTENT_TYPE);
        return contentType != null && contentType.startsWith("text/event-stream");
    }

    private static GatewayException unexpected(Throwable failure) {
        LOG.error("Unexpected failure while handling a request", failure);
        return new GatewayException(ErrorCode.INTERNAL_ERROR);
    }
}
