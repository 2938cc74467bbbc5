package io.portcullis.upstream;

import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * One call to an upstream: sends the request with the gateway's own headers and credential
 * and completes when the response headers arrive. Nothing from the caller's headers is
 * copied, so the caller's {@code Authorization} and cookies never reach the upstream.
 */
public final class UpstreamExchange {

    private static final Logger LOG = Logger.getLogger(UpstreamExchange.class);
    static final String USER_AGENT = "Portcullis/0.1";
    private static final Pattern UUID_SHAPE =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Vertx vertx;
    private final Upstream upstream;
    private HttpClientRequest request;
    private boolean cancelled;

    public UpstreamExchange(Vertx vertx, Upstream upstream) {
        this.vertx = vertx;
        this.upstream = upstream;
    }

    public Upstream upstream() {
        return upstream;
    }

    /**
     * Posts a body to an endpoint below the upstream's base URL.
     *
     * @return the response once its headers arrived; fails with a {@link GatewayException}
     *         ({@code upstream_unavailable} or {@code upstream_timeout}) otherwise
     */
    public Future<HttpClientResponse> post(String endpoint, Buffer body, boolean stream, String requestId) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI(upstream.pathOf(endpoint))
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, stream ? "text/event-stream" : "application/json")
                .putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
        // Some servers (llama-cpp-python 0.3) reject request ids that are not UUIDs, so a
        // caller's own id stays at the gateway. Generated ids are UUIDs and go upstream.
        if (UUID_SHAPE.matcher(requestId).matches()) {
            options.putHeader("X-Request-Id", requestId);
        }
        String key = upstream.credential().value();
        if (key != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key);
        }
        Promise<HttpClientResponse> result = Promise.promise();
        long timer = vertx.setTimer(upstream.responseTimeout().toMillis(), id -> {
            if (result.tryFail(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT))) {
                LOG.warnf("Upstream %s sent no response headers within %s", upstream.name(),
                        upstream.responseTimeout());
                cancel();
            }
        });
        upstream.client().request(options)
                .compose(this::send)
                .compose(req -> req.send(body))
                .onComplete(outcome -> {
                    vertx.cancelTimer(timer);
                    if (outcome.succeeded()) {
                        if (!result.tryComplete(outcome.result())) {
                            outcome.result().request().reset();
                        }
                    } else if (cancelled) {
                        // The caller went away or the response timeout fired; nothing to report.
                        result.tryFail(new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE));
                        LOG.debugf("Upstream %s request cancelled", upstream.name());
                    } else if (result.tryFail(translate(outcome.cause()))) {
                        LOG.warnf("Upstream %s request failed: %s", upstream.name(), outcome.cause().toString());
                    }
                });
        return result.future();
    }

    private Future<HttpClientRequest> send(HttpClientRequest opened) {
        this.request = opened;
        if (cancelled) {
            opened.reset();
            return Future.failedFuture(new GatewayException(ErrorCode.UPSTREAM_TIMEOUT));
        }
        return Future.succeededFuture(opened);
    }

    /** True once {@link #cancel()} ran: later failures of this call are its consequence, not news. */
    public boolean cancelled() {
        return cancelled;
    }

    /** Aborts the call and closes its connection, so that the upstream stops generating. */
    public void cancel() {
        cancelled = true;
        if (request != null) {
            request.reset();
        }
    }

    private static GatewayException translate(Throwable failure) {
        if (failure instanceof GatewayException gatewayException) {
            return gatewayException;
        }
        // Netty's ConnectTimeoutException extends ConnectException, so test for it first.
        if (failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")) {
            return new GatewayException(ErrorCode.UPSTREAM_TIMEOUT);
        }
        return new GatewayException(ErrorCode.UPSTREAM_UNAVAILABLE);
    }
}
