package io.portcullis.api;

/** Header names the gateway reads from callers or sets on its responses. */
public final class GatewayHeaders {

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String SESSION_ID = "X-Session-Id";

    private GatewayHeaders() {
    }
}
