package io.portcullis.error;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** Builds the OpenAI error body, {@code {"error": {"message", "type", "param", "code"}}}. */
public final class ErrorBodies {

    private ErrorBodies() {
    }

    public static JsonObject of(ErrorCode code, String message, String param) {
        JsonObject error = new JsonObject()
                .put("message", message == null ? code.message() : message)
                .put("type", code.type())
                .put("param", param)
                .put("code", code.code());
        return new JsonObject().put("error", error);
    }

    public static JsonObject of(GatewayException failure) {
        return of(failure.errorCode(), failure.getMessage(), failure.param());
    }

    /**
     * Builds the SSE event that ends a failed stream. The OpenAI SDKs raise an API error
     * when a {@code data:} event carries an {@code error} member, so no {@code [DONE]} follows.
     */
    public static Buffer sseEvent(ErrorCode code, String message) {
        return Buffer.buffer("data: " + of(code, message, null).encode() + "\n\n");
    }
}
