package io.portcullis.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server on 127.0.0.1 that serves JSON documents (JWKS, OIDC discovery) under
 * paths the test chooses, can fail a path on request, and counts the requests per path.
 */
public final class JwksServer implements AutoCloseable {

    private final Vertx vertx;
    private final Map<String, Response> responses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private HttpServer server;

    public JwksServer(Vertx vertx) {
        this.vertx = vertx;
    }

    public JwksServer start() {
        try {
            server = vertx.createHttpServer()
                    .requestHandler(request -> {
                        requests.computeIfAbsent(request.path(), path -> new AtomicInteger()).incrementAndGet();
                        Response response = responses.get(request.path());
                        if (response == null) {
                            request.response().setStatusCode(404).end();
                        } else {
                            request.response().setStatusCode(response.status())
                                    .putHeader("Content-Type", "application/json")
                                    .end(response.body());
                        }
                    })
                    .listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Loopback JWKS server failed to start", e);
        }
        return this;
    }

    /** Returns the absolute URL of a path on this server. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    /** Serves a JWKS containing the given JWK objects at a path. */
    public void publishKeys(String path, JsonObject... keys) {
        JsonArray array = new JsonArray();
        for (JsonObject key : keys) {
            array.add(key);
        }
        publish(path, new JsonObject().put("keys", array));
    }

    public void publish(String path, JsonObject document) {
        responses.put(path, new Response(200, document.encode()));
    }

    /** Responds to a path with a status and a raw body, for failure tests. */
    public void respond(String path, int status, String body) {
        responses.put(path, new Response(status, body));
    }

    public int requests(String path) {
        AtomicInteger count = requests.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private record Response(int status, String body) {
    }
}
