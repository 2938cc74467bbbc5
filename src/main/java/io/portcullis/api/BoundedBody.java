package io.portcullis.api;

import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.upstream.UpstreamExchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import org.jboss.logging.Logger;

/**
 * Reads a whole upstream body with a size cap and an idle timeout, so that a misbehaving
 * upstream can neither exhaust memory nor hold the request forever.
 */
final class BoundedBody {

    private static final Logger LOG = Logger.getLogger(BoundedBody.class);

    private final Vertx vertx;
    private final UpstreamExchange exchange;
    private final HttpClientResponse response;
    private final long maxBytes;
    private final Buffer body = Buffer.buffer();
    private final Promise<Buffer> result = Promise.promise();
    private long idleTimer = -1;

    BoundedBody(Vertx vertx, UpstreamExchange exchange, HttpClientResponse response, long maxBytes) {
        this.vertx = vertx;
        this.exchange = exchange;
        this.response = response;
        this.maxBytes = maxBytes;
    }

    Future<Buffer> read() {
        response.handler(chunk -> {
            armIdleTimer();
            if (body.length() + chunk.length() > maxBytes) {
                fail(ErrorCode.UPSTREAM_INVALID_RESPONSE, "body larger than " + maxBytes + " bytes");
                return;
            }
            body.appendBuffer(chunk);
        });
        response.endHandler(ignored -> {
            cancelIdleTimer();
            result.tryComplete(body);
        });
        response.exceptionHandler(failure -> fail(ErrorCode.UPSTREAM_UNAVAILABLE,
                "body failed: " + failure.getClass().getSimpleName()));
        armIdleTimer();
        response.resume();
        return result.future();
    }

    private void fail(ErrorCode code, String detail) {
        cancelIdleTimer();
        if (result.tryFail(new GatewayException(code))) {
            if (exchange.cancelled()) {
                LOG.debugf("Upstream %s body ended after the call was cancelled", exchange.upstream().name());
                return;
            }
            LOG.warnf("Upstream %s %s", exchange.upstream().name(), detail);
            exchange.cancel();
        }
    }

    private void armIdleTimer() {
        cancelIdleTimer();
        idleTimer = vertx.setTimer(exchange.upstream().idleTimeout().toMillis(),
                ignored -> fail(ErrorCode.UPSTREAM_TIMEOUT, "was silent for " + exchange.upstream().idleTimeout()));
    }

    private void cancelIdleTimer() {
        if (idleTimer != -1) {
            vertx.cancelTimer(idleTimer);
            idleTimer = -1;
        }
    }
}
