package io.portcullis.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A loopback HTTP server that stores the JSON bodies posted to it, as a Slack incoming webhook would receive them. */
public final class WebhookReceiver {

    private final Vertx vertx = Vertx.vertx();
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();
    private HttpServer server;

    public int start() {
        try {
            server = vertx.createHttpServer()
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        received.add(body.toJsonObject());
                        request.response().end("ok");
                    }))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Starting the webhook receiver failed", e);
        }
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/services/T000/B000/hook";
    }

    /** Returns the {@code text} of every message received so far. */
    public List<String> texts() {
        return received.stream().map(body -> body.getString("text")).toList();
    }

    public void stop() {
        vertx.close();
    }
}
