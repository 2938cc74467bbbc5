package io.portcullis.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for OPA's Data API on 127.0.0.1 whose response the test sets: a decision, any
 * status and body, a delay, or a connection closed without a response. It records the input of
 * every query it receives.
 */
public final class FakeOpa {

    /**
     * What the server does with the next queries.
     *
     * @param wrapDecision true to respond with {@code {"decision_id": ..., "result": <body>}} and a
     *                     new decision id each time, false to send the body as it is
     */
    private record Behaviour(int status, String body, boolean wrapDecision, long delayMillis,
            boolean closeConnection) {
    }

    private static final JsonObject ALLOW_TOOL_CALL = new JsonObject()
            .put("version", "portcullis.policy.tool_decision/v1").put("allow", true)
            .put("reasons", new JsonArray())
            .put("approval", new JsonObject().put("required", false));

    private final Vertx vertx = Vertx.vertx();
    private final List<JsonObject> inputs = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final AtomicInteger decisionIds = new AtomicInteger();
    private final List<JsonObject> toolCallInputs = new CopyOnWriteArrayList<>();
    private volatile JsonObject toolCallDecision = ALLOW_TOOL_CALL;
    private volatile Behaviour behaviour = allowBehaviour();
    private HttpServer server;
    private int port;

    /** Listens on the port, or on a free one when it is 0. */
    public void start(int requestedPort) {
        server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(requestedPort))
                .requestHandler(this::handle)
                .listen());
        port = server.actualPort();
    }

    /** Closes the listening socket and every open connection, so that connecting is refused. */
    public void stopListening() {
        await(server.close());
    }

    /** Listens again on the port used before {@link #stopListening()}. */
    public void resumeListening() {
        start(port);
    }

    public void close() {
        await(vertx.close());
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Responds with this decision, adding a new {@code decision_id} to each response. */
    public void decide(JsonObject decision) {
        behaviour = new Behaviour(200, decision.encode(), true, 0, false);
    }

    /** Responds to every query with this status and body, as they are. */
    public void answer(int status, String body) {
        behaviour = new Behaviour(status, body, false, 0, false);
    }

    /** Delays the current response. */
    public void delay(long millis) {
        Behaviour current = behaviour;
        behaviour = new Behaviour(current.status(), current.body(), current.wrapDecision(), millis,
                current.closeConnection());
    }

    /** Closes each connection on receiving a query, without a response. */
    public void closeConnections() {
        behaviour = new Behaviour(0, null, false, 0, true);
    }

    /** Forgets the recorded queries and allows every request and tool call again. */
    public void reset() {
        behaviour = allowBehaviour();
        toolCallDecision = ALLOW_TOOL_CALL;
        toolCallInputs.clear();
        inputs.clear();
        paths.clear();
    }

    /** Returns the inputs of the queries received so far, oldest first. */
    public List<JsonObject> inputs() {
        return List.copyOf(inputs);
    }

    /** Returns the request paths of the queries received so far, oldest first. */
    public List<String> paths() {
        return List.copyOf(paths);
    }

    public JsonObject lastInput() {
        return inputs.get(inputs.size() - 1);
    }

    /** Returns the decision id of the latest decision sent, such as {@code fake-7}. */
    public String lastDecisionId() {
        return "fake-" + decisionIds.get();
    }

    /** Creates a version 1 decision with {@code allow} set, to add members to. */
    public static JsonObject decision(boolean allow) {
        return new JsonObject().put("version", "portcullis.policy.decision/v1").put("allow", allow);
    }

    /** Sets the decision returned to tool-call queries; until then every call is allowed. */
    public void decideToolCalls(JsonObject decision) {
        toolCallDecision = decision;
    }

    /** Returns the inputs of the tool-call queries received so far, oldest first. */
    public List<JsonObject> toolCallInputs() {
        return List.copyOf(toolCallInputs);
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET && request.path().equals("/health")) {
            // OPA's health endpoint, which the gateway's readiness check calls.
            request.response().putHeader("Content-Type", "application/json").end("{}");
            return;
        }
        request.body().onSuccess(body -> {
            if (request.path().endsWith("/portcullis/tool_call")) {
                // Tool-call queries are kept apart, so that tests of request decisions see only theirs.
                toolCallInputs.add(new JsonObject(body).getJsonObject("input"));
                request.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("result", toolCallDecision).encode());
                return;
            }
            paths.add(request.path());
            inputs.add(new JsonObject(body).getJsonObject("input"));
            Behaviour current = behaviour;
            if (current.delayMillis() > 0) {
                vertx.setTimer(current.delayMillis(), ignored -> respond(request, current));
            } else {
                respond(request, current);
            }
        });
    }

    private void respond(HttpServerRequest request, Behaviour current) {
        if (current.closeConnection()) {
            request.connection().close();
            return;
        }
        String body = current.body();
        if (current.wrapDecision()) {
            body = new JsonObject().put("decision_id", "fake-" + decisionIds.incrementAndGet())
                    .put("result", new JsonObject(body)).encode();
        }
        request.response().setStatusCode(current.status()).putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(body));
    }

    private static Behaviour allowBehaviour() {
        return new Behaviour(200, decision(true).encode(), true, 0, false);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Fake OPA failed to start or stop", e);
        }
    }
}
