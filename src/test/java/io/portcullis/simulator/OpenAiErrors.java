package io.portcullis.simulator;

import io.vertx.core.json.JsonObject;

/** OpenAI-style error bodies: {@code {"error":{"message","type","param","code"}}}. */
final class OpenAiErrors {

    private OpenAiErrors() {
    }

    static JsonObject body(String message, String type, String code) {
        return new JsonObject().put("error", new JsonObject()
                .put("message", message)
                .put("type", type)
                .put("param", null)
                .put("code", code));
    }

    /**
     * Returns the error body for a simulated {@code status:NNN} fault. The type and code
     * follow what OpenAI returns for the common statuses. Other 4xx statuses get
     * {@code invalid_request_error} and other 5xx statuses get {@code server_error}.
     */
    static JsonObject forStatus(int status) {
        String message = "Simulated upstream error with HTTP status " + status + ".";
        return switch (status) {
            case 401 -> body(message, "invalid_request_error", "invalid_api_key");
            case 404 -> body(message, "invalid_request_error", "model_not_found");
            case 429 -> body(message, "requests", "rate_limit_exceeded");
            default -> body(message, status >= 500 ? "server_error" : "invalid_request_error", null);
        };
    }
}
