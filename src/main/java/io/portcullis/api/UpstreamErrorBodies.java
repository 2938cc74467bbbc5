package io.portcullis.api;

import io.portcullis.upstream.Upstream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * The body a caller gets for an upstream's client error. An OpenAI-style error body passes
 * through, with the gateway's upstream key replaced wherever the upstream echoed it. Any
 * other body (HTML, plain text, empty) is replaced by an OpenAI error body, so that SDKs can
 * parse every error.
 */
final class UpstreamErrorBodies {

    private UpstreamErrorBodies() {
    }

    static Buffer forCaller(int status, Buffer upstreamBody, Upstream upstream) {
        String key = upstream.credential().value();
        String text = upstreamBody.toString(StandardCharsets.UTF_8);
        if (key != null && !key.isEmpty()) {
            text = text.replace(key, "[hidden]");
        }
        if (isOpenAiError(text)) {
            return Buffer.buffer(text);
        }
        JsonObject error = new JsonObject()
                .put("message", "The upstream model server rejected the request with HTTP " + status + ".")
                .put("type", "invalid_request_error")
                .put("param", null)
                .put("code", "upstream_rejected");
        return new JsonObject().put("error", error).toBuffer();
    }

    private static boolean isOpenAiError(String text) {
        try {
            return Json.decodeValue(text) instanceof JsonObject object && object.getValue("error") instanceof JsonObject;
        } catch (DecodeException e) {
            return false;
        }
    }
}
