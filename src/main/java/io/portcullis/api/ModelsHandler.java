package io.portcullis.api;

import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.upstream.Upstream;
import io.portcullis.upstream.UpstreamRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;

/** {@code GET /v1/models} and {@code GET /v1/models/{model}}: the models this gateway routes. */
@ApplicationScoped
public class ModelsHandler {

    private final UpstreamRegistry registry;
    private final IdentityMapper identityMapper;

    @Inject
    public ModelsHandler(UpstreamRegistry registry, IdentityMapper identityMapper) {
        this.registry = registry;
        this.identityMapper = identityMapper;
    }

    void list(RoutingContext context) {
        Callers.require(context, identityMapper);
        JsonArray data = new JsonArray();
        for (Map.Entry<String, Upstream> entry : registry.models().entrySet()) {
            data.add(model(entry.getKey(), entry.getValue()));
        }
        respond(context, new JsonObject().put("object", "list").put("data", data));
    }

    void get(RoutingContext context) {
        Callers.require(context, identityMapper);
        String id = context.pathParam("model");
        Upstream upstream = registry.route(id).orElseThrow(() -> new GatewayException(ErrorCode.MODEL_NOT_FOUND,
                "The model '" + abbreviate(id) + "' does not exist or is not served by this gateway.", "model"));
        respond(context, model(id, upstream));
    }

    private static JsonObject model(String id, Upstream upstream) {
        return new JsonObject()
                .put("id", id)
                .put("object", "model")
                .put("created", 0)
                .put("owned_by", upstream.name());
    }

    private static void respond(RoutingContext context, JsonObject body) {
        context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
    }

    static String abbreviate(String value) {
        String cleaned = value.replaceAll("[^\\x20-\\x7e]", "?");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
