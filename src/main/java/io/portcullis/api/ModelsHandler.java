package io.portcullis.api;

import io.portcullis.authentication.CallerIdentity;
import io.portcullis.authentication.IdentityMapper;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.policy.Enforcement;
import io.portcullis.policy.PolicyDecider;
import io.portcullis.policy.PolicyDecision;
import io.portcullis.upstream.Upstream;
import io.portcullis.upstream.UpstreamRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}}: the routed models that the policy
 * lets the caller see. Both ask the policy with {@code request.api = "models.list"}; a model
 * outside the decision's {@code constraints.models} is not listed and is not found.
 */
@ApplicationScoped
public class ModelsHandler {

    private final UpstreamRegistry registry;
    private final IdentityMapper identityMapper;
    private final PolicyDecider policy;

    @Inject
    public ModelsHandler(UpstreamRegistry registry, IdentityMapper identityMapper, PolicyDecider policy) {
        this.registry = registry;
        this.identityMapper = identityMapper;
        this.policy = policy;
    }

    void list(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        RequestIds.assign(context);
        policy.decideModelsList(caller, context.request())
                .invoke(decision -> GatewayHeaders.putDecisionId(context.response(), decision))
                .map(decision -> Enforcement.visibleModels(decision, registry.models().keySet()))
                .subscribe().with(models -> respondList(context, models), context::fail);
    }

    void get(RoutingContext context) {
        CallerIdentity caller = Callers.require(context, identityMapper);
        RequestIds.assign(context);
        String id = context.pathParam("model");
        Upstream upstream = registry.route(id).orElseThrow(() -> notFound(id));
        policy.decideModelsList(caller, context.request())
                .invoke(decision -> GatewayHeaders.putDecisionId(context.response(), decision))
                .map(decision -> requireVisible(decision, id))
                .subscribe().with(ignored -> respond(context, model(id, upstream)), context::fail);
    }

    private void respondList(RoutingContext context, List<String> models) {
        JsonArray data = new JsonArray();
        for (String id : models) {
            data.add(model(id, registry.route(id).orElseThrow()));
        }
        respond(context, new JsonObject().put("object", "list").put("data", data));
    }

    private static String requireVisible(PolicyDecision decision, String id) {
        if (Enforcement.visibleModels(decision, List.of(id)).isEmpty()) {
            throw notFound(id);
        }
        return id;
    }

    private static GatewayException notFound(String id) {
        return new GatewayException(ErrorCode.MODEL_NOT_FOUND,
                "The model '" + abbreviate(id) + "' does not exist or is not served by this gateway.", "model");
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
