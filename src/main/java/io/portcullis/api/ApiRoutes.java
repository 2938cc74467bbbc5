package io.portcullis.api;

import io.portcullis.GatewayConfig;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Map;

/** Registers the OpenAI-compatible endpoints and the handler that turns failures into OpenAI error bodies. */
@ApplicationScoped
public class ApiRoutes {

    private final ChatCompletionsHandler chatCompletions;
    private final ModelsHandler models;
    private final GatewayConfig config;

    @Inject
    public ApiRoutes(ChatCompletionsHandler chatCompletions, ModelsHandler models, GatewayConfig config) {
        this.chatCompletions = chatCompletions;
        this.models = models;
        this.config = config;
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(-100).failureHandler(this::onFailure);
        router.route("/v1/*").order(-99).handler(ApiRoutes::assignRequestId);

        router.post("/v1/chat/completions")
                .handler(BodyHandler.create(false).setBodyLimit(config.limits().maxRequestBody()))
                .handler(chatCompletions);
        router.get("/v1/models").handler(models::list);
        router.get("/v1/models/:model").handler(models::get);

        router.route("/v1/chat/completions").handler(context -> context.fail(methodNotAllowed("POST")));
        router.route("/v1/models").handler(context -> context.fail(methodNotAllowed("GET")));
        router.route("/v1/models/:model").handler(context -> context.fail(methodNotAllowed("GET")));
        router.route("/v1/*").last().handler(context -> context.fail(new GatewayException(ErrorCode.NOT_FOUND)));
    }

    private static GatewayException methodNotAllowed(String allowed) {
        return new GatewayException(ErrorCode.METHOD_NOT_ALLOWED, null, null, Map.of("Allow", allowed));
    }

    private static void assignRequestId(RoutingContext context) {
        RequestIds.assign(context);
        context.next();
    }

    /** Maps every failure on the API paths, including Quarkus authentication failures, to the OpenAI body. */
    private void onFailure(RoutingContext context) {
        RequestIds.assign(context);
        Throwable failure = context.failure();
        if (context.request().version() == HttpVersion.HTTP_1_1 && context.request().getHeader("Host") == null) {
            // Vert.x cannot build the request URI without it and fails the route with a 500.
            ErrorResponder.send(context, new GatewayException(ErrorCode.INVALID_REQUEST,
                    "HTTP/1.1 requests must carry a Host header.", null));
        } else if (failure instanceof AuthenticationFailedException) {
            ErrorResponder.send(context, new GatewayException(ErrorCode.UNAUTHENTICATED));
        } else if (failure != null) {
            ErrorResponder.send(context, failure);
        } else {
            ErrorResponder.send(context, statusError(context.statusCode()));
        }
    }

    private static GatewayException statusError(int status) {
        return switch (status) {
            case 401 -> new GatewayException(ErrorCode.UNAUTHENTICATED);
            case 413 -> new GatewayException(ErrorCode.REQUEST_TOO_LARGE);
            case 415 -> new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
            case 431 -> new GatewayException(ErrorCode.HEADERS_TOO_LARGE);
            case 404 -> new GatewayException(ErrorCode.NOT_FOUND);
            case 405 -> new GatewayException(ErrorCode.METHOD_NOT_ALLOWED);
            case 400 -> new GatewayException(ErrorCode.INVALID_REQUEST);
            default -> new GatewayException(ErrorCode.INTERNAL_ERROR);
        };
    }
}
