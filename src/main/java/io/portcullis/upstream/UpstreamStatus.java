package io.portcullis.upstream;

import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.vertx.core.http.HttpClientResponse;

import java.util.Map;

/**
 * Decides what the caller sees of an upstream's error status. Client errors that the caller
 * can act on (400, 404, 409, 413, 422, 429 and other 4xx) pass through with their body and
 * {@code Retry-After}. A 401 or 403 means the gateway's own credential was rejected: the
 * caller gets a 502 without the upstream's body, which may quote part of the key. Server
 * errors become 502.
 */
public final class UpstreamStatus {

    private UpstreamStatus() {
    }

    /** True when the response should be relayed to the caller as it is. */
    public static boolean passesThrough(int status) {
        return (status >= 200 && status < 300) || (status >= 400 && status < 500 && status != 401 && status != 403
                && status != 407);
    }

    /** Returns the gateway error that replaces an upstream status that does not pass through. */
    public static GatewayException replacement(HttpClientResponse response) {
        int status = response.statusCode();
        String retryAfter = response.getHeader("Retry-After");
        Map<String, String> headers = retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter);
        if (status == 401 || status == 403 || status == 407) {
            return new GatewayException(ErrorCode.UPSTREAM_AUTH_FAILED);
        }
        return new GatewayException(ErrorCode.UPSTREAM_ERROR,
                "The upstream model server returned HTTP " + status + ".", null, headers);
    }
}
