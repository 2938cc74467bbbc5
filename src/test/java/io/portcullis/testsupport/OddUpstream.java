package io.portcullis.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.util.concurrent.TimeUnit;

/**
 * An upstream that misbehaves in ways the simulator does not: it picks its response by the
 * model name in the body, and echoes the credential it received where a careless server
 * might.
 */
public final class OddUpstream {

    private final Vertx vertx = Vertx.vertx();
    private HttpServer server;

    public int start() {
        try {
            server = vertx.createHttpServer()
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        String text = body.toString();
                        String authorization = String.valueOf(request.getHeader("Authorization"));
                        var response = request.response();
                        if (text.contains("odd-json-for-stream")) {
                            response.putHeader("Content-Type", "application/json")
                                    .end("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}");
                        } else if (text.contains("odd-html-400")) {
                            response.setStatusCode(400).putHeader("Content-Type", "text/html")
                                    .end("<html>bad request, your key " + authorization + "</html>");
                        } else if (text.contains("odd-json-422-echo")) {
                            response.setStatusCode(422).putHeader("Content-Type", "application/json")
                                    .end("{\"error\":{\"message\":\"key " + authorization
                                            + " cannot do that\",\"type\":\"invalid_request_error\",\"code\":\"x\"}}");
                        } else {
                            response.setStatusCode(400).end();
                        }
                    }))
                    .listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Odd upstream failed to start", e);
        }
        return server.actualPort();
    }

    public void stop() {
        vertx.close();
    }
}
