package io.portcullis.error;

import java.util.Map;

/**
 * A failure that ends a request with an OpenAI-style error body. The detail, when set,
 * replaces the constant message and must never contain secrets or prompt text.
 */
public class GatewayException extends RuntimeException {

    private final ErrorCode errorCode;
    private final String param;
    private final Map<String, String> headers;

    public GatewayException(ErrorCode errorCode) {
        this(errorCode, null, null, Map.of());
    }

    public GatewayException(ErrorCode errorCode, String detail) {
        this(errorCode, detail, null, Map.of());
    }

    public GatewayException(ErrorCode errorCode, String detail, String param) {
        this(errorCode, detail, param, Map.of());
    }

    public GatewayException(ErrorCode errorCode, String detail, String param, Map<String, String> headers) {
        super(detail == null ? errorCode.message() : detail, null, false, false);
        this.errorCode = errorCode;
        this.param = param;
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Returns the request field that caused the error, as OpenAI's {@code param}, or null. */
    public String param() {
        return param;
    }

    /** Returns extra response headers, such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }
}
