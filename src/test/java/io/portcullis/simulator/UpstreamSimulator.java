package io.portcullis.simulator;

import io.portcullis.simulator.Scenario.FaultKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible upstream for tests and benchmarks that replays recorded chat
 * completion streams and injects faults on request. It uses plain Vert.x core, so it
 * runs inside a {@code @QuarkusTest} JVM and standalone alike, and listens on
 * 127.0.0.1 only, over HTTP/1.1.
 *
 * <h2>Endpoints</h2>
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: replays a recording, as SSE when the request
 *       has {@code stream: true}, else as one {@code chat.completion} JSON object.
 *   <li>{@code GET /v1/models}: a fixed list of model ids.
 *   <li>{@code GET /_sim/requests}: the received requests as JSON, and
 *       {@code DELETE /_sim/requests} to forget them. These are not recorded.
 * </ul>
 * Any bearer token is accepted, and none is required. The token is recorded with the
 * other headers.
 *
 * <h2>Scenario keys in the request's {@code metadata}</h2>
 * <ul>
 *   <li>{@code sim_recording}: base name of a file under {@code sse/}. Default: the
 *       multi-choice recording when {@code n > 1}, else the tool-call recording when
 *       {@code tools} is non-empty, else a plain text stream (see {@link RecordingCatalog}).
 *   <li>{@code sim_chunking}: {@code event} (default, one write per SSE event),
 *       {@code bytes:N} (N-byte writes that cut anywhere, including inside UTF-8
 *       characters) or {@code random:SEED} (seeded random sizes from 1 to
 *       {@value WriteCutter#MAX_RANDOM_WRITE} bytes).
 *   <li>{@code sim_delay_ms}: pause between two writes.
 *   <li>{@code sim_first_byte_delay_ms}: pause before the status line.
 *   <li>{@code sim_repeat}: send the content events N times before the final events.
 *   <li>{@code sim_answer_b64}: stream this text (base64 of UTF-8) as the answer instead of a recording, or
 *       {@code sim_echo: true} to stream the last user message's text back; both cut into
 *       deltas of {@code sim_delta_chars} characters (default 1).
 *   <li>{@code sim_fault}, one of:
 *     <ul>
 *       <li>{@code none}, the default.
 *       <li>{@code midstream_error}: after half the events, an OpenAI-style
 *           {@code data: {"error":...}} event, then the end of the response without
 *           {@code [DONE]}.
 *       <li>{@code truncate}: the response ends in the middle of an event.
 *       <li>{@code garbage}: non-SSE bytes after a few events, then the end.
 *       <li>{@code reset}: a TCP reset after a few events.
 *       <li>{@code status:NNN}: that status (400 to 599) with an OpenAI error body, plus
 *           {@code Retry-After: 7} for 429 and 503.
 *       <li>{@code hang}: the status line and headers, then nothing.
 *     </ul>
 * </ul>
 * Non-streamed requests honour only {@code sim_recording}, {@code sim_first_byte_delay_ms}
 * and the {@code status:NNN} and {@code hang} faults, and ignore the other keys. A
 * non-streamed request for a recording that contains an error event gets that error,
 * with its {@code status_code} when it has one, else 500.
 *
 * <p>Invalid metadata gets a 400 whose error code is {@code invalid_sim_metadata}.
 *
 * <h2>Standalone</h2>
 * {@code java -cp target/test-classes:<test classpath> io.portcullis.simulator.UpstreamSimulator [port]}
 * listens on the port given, 8091 by default.
 */
public final class UpstreamSimulator {

    public static final int DEFAULT_PORT = 8091;

    /** Oldest requests are forgotten beyond this count, so that long benchmarks do not exhaust the heap. */
    static final int MAX_RECORDED_REQUESTS = 10_000;

    static final List<String> MODEL_IDS = List.of(
            "gpt-4o", "gpt-4o-mini", "gpt-4.1-nano", "meta-llama/Llama-3.3-70B-Instruct", "openai/gpt-oss-120b");

    private static final String HOST = "127.0.0.1";
    private static final Duration LIFECYCLE_TIMEOUT = Duration.ofSeconds(10);
    private static final String RETRY_AFTER_SECONDS = "7";
    private static final System.Logger LOG = System.getLogger(UpstreamSimulator.class.getName());

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final RecordingCatalog catalog = RecordingCatalog.load();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    /** Guarded by itself. */
    private final Deque<RequestTrace> traces = new ArrayDeque<>();
    private volatile HttpServer server;
    private volatile boolean vertxClosed;

    /** Creates a simulator with its own Vert.x instance, closed by {@link #stop()}. */
    public UpstreamSimulator() {
        this(Vertx.vertx(), true);
    }

    /** Creates a simulator on an existing Vert.x instance, which {@link #stop()} leaves open. */
    public UpstreamSimulator(Vertx vertx) {
        this(vertx, false);
    }

    private UpstreamSimulator(Vertx vertx, boolean ownsVertx) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
    }

    /**
     * Binds 127.0.0.1 and returns the bound port. Blocks until the server listens, so do
     * not call it from a Vert.x event loop.
     *
     * @param port the port, or 0 for a free one
     * @throws IllegalStateException when already started or when the port cannot be bound
     */
    public int start(int port) {
        if (server != null) {
            throw new IllegalStateException("Upstream simulator is already listening on port " + server.actualPort());
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(HOST)
                .setPort(port)
                .setHttp2ClearTextEnabled(false);
        HttpServer created = vertx.createHttpServer(options).requestHandler(this::handle);
        server = await(created.listen(), "bind the upstream simulator to " + HOST + ":" + port);
        LOG.log(System.Logger.Level.INFO, "Upstream simulator listening on {0}", baseUrl());
        return server.actualPort();
    }

    /**
     * Closes the server and its connections, and the Vert.x instance if this simulator
     * created it. Such a simulator cannot be started again. Calling it twice is harmless.
     */
    public void stop() {
        HttpServer running = server;
        if (running != null) {
            synchronized (traces) {
                traces.forEach(RequestTrace::markClosedByServer);
            }
            await(running.close(), "close the upstream simulator");
            server = null;
            LOG.log(System.Logger.Level.INFO, "Upstream simulator on port {0} stopped",
                    String.valueOf(running.actualPort()));
        }
        if (ownsVertx && !vertxClosed) {
            vertxClosed = true;
            await(vertx.close(), "close the upstream simulator's Vert.x instance");
        }
    }

    /** Returns the bound port. */
    public int port() {
        HttpServer running = server;
        if (running == null) {
            throw new IllegalStateException("Upstream simulator is not started");
        }
        return running.actualPort();
    }

    /** Returns the OpenAI base URL, {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://" + HOST + ":" + port() + "/v1";
    }

    /** Returns the base names of the recordings that {@code sim_recording} accepts. */
    public Set<String> recordings() {
        return catalog.names();
    }

    /** Returns snapshots of the recorded requests, oldest first. */
    public List<ReceivedRequest> requests() {
        synchronized (traces) {
            return traces.stream().map(RequestTrace::snapshot).toList();
        }
    }

    /** Returns a snapshot of the most recent request, if any. */
    public Optional<ReceivedRequest> lastRequest() {
        synchronized (traces) {
            RequestTrace last = traces.peekLast();
            return last == null ? Optional.empty() : Optional.of(last.snapshot());
        }
    }

    /** Forgets the recorded requests. Responses in progress go on but are no longer recorded. */
    public void clear() {
        synchronized (traces) {
            traces.clear();
        }
    }

    public static void main(String[] args) {
        int port = DEFAULT_PORT;
        if (args.length > 0) {
            try {
                port = Integer.parseInt(args[0]);
            } catch (NumberFormatException e) {
                System.err.println("Invalid port '" + args[0] + "'. Usage: UpstreamSimulator [port], default "
                        + DEFAULT_PORT + ", 0 for a free port");
                System.exit(2);
            }
        }
        UpstreamSimulator simulator = new UpstreamSimulator();
        simulator.start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.stop();
            System.out.println("Upstream simulator stopped");
        }, "upstream-simulator-stop"));
        System.out.println("Upstream simulator listening on " + simulator.baseUrl());
    }

    private void handle(HttpServerRequest request) {
        if (request.path().startsWith("/_sim/")) {
            handleControl(request);
            return;
        }
        request.body()
                .onSuccess(body -> dispatch(request, body))
                .onFailure(e -> LOG.log(System.Logger.Level.DEBUG,
                        "Reading the body of " + request.method() + " " + request.path() + " failed", e));
    }

    private void dispatch(HttpServerRequest request, Buffer body) {
        RequestTrace trace = record(request, body);
        HttpServerResponse response = request.response();
        response.putHeader("X-Request-Id", "sim-" + trace.id());
        response.closeHandler(ignored -> trace.connectionClosed());
        response.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG,
                "Writing the response to request sim-" + trace.id() + " failed", e));
        String path = request.path();
        if (path.equals("/v1/chat/completions") && request.method() == HttpMethod.POST) {
            handleChat(request, body, trace);
        } else if (path.equals("/v1/models") && request.method() == HttpMethod.GET) {
            sendJson(response, trace, 200, modelList());
        } else if (path.equals("/v1/chat/completions") || path.equals("/v1/models")) {
            sendJson(response, trace, 405, OpenAiErrors.body(
                    "Method " + request.method() + " is not allowed on " + path + ".", "invalid_request_error", null));
        } else {
            sendJson(response, trace, 404, OpenAiErrors.body(
                    "Unknown request URL: " + request.method() + " " + path + ".", "invalid_request_error", "unknown_url"));
        }
    }

    private RequestTrace record(HttpServerRequest request, Buffer body) {
        RequestTrace trace = new RequestTrace(nextRequestId.getAndIncrement(), request.method().name(),
                request.path(), request.headers(), body.getBytes(), Instant.now());
        synchronized (traces) {
            traces.addLast(trace);
            if (traces.size() > MAX_RECORDED_REQUESTS) {
                traces.removeFirst();
            }
        }
        return trace;
    }

    private void handleChat(HttpServerRequest request, Buffer body, RequestTrace trace) {
        Scenario scenario;
        try {
            scenario = Scenario.fromRequest(new JsonObject(body), catalog);
        } catch (DecodeException e) {
            sendJson(request.response(), trace, 400, OpenAiErrors.body(
                    "The request body is not a valid JSON object: " + e.getMessage(), "invalid_request_error", null));
            return;
        } catch (IllegalArgumentException e) {
            sendJson(request.response(), trace, 400,
                    OpenAiErrors.body(e.getMessage(), "invalid_request_error", "invalid_sim_metadata"));
            return;
        }
        if (scenario.firstByteDelayMs() > 0) {
            vertx.setTimer(scenario.firstByteDelayMs(), timerId -> respondToChat(request, trace, scenario));
        } else {
            respondToChat(request, trace, scenario);
        }
    }

    private void respondToChat(HttpServerRequest request, RequestTrace trace, Scenario scenario) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        Recording recording = scenario.answer() != null
                ? SyntheticAnswer.recording(scenario.answer(), scenario.deltaChars())
                : catalog.find(scenario.recording());
        FaultKind fault = scenario.fault().kind();
        if (fault == FaultKind.STATUS) {
            sendStatusFault(response, trace, scenario.fault().status());
        } else if (fault == FaultKind.HANG) {
            sendHeadersOnly(response, scenario.stream());
        } else if (scenario.stream()) {
            StreamPlan plan = StreamPlan.of(recording, scenario.repeat(), scenario.fault());
            new StreamReplay(vertx, response, request.connection(), trace, plan, scenario.chunking(),
                    scenario.delayMs()).start();
        } else {
            sendCompletion(response, trace, recording);
        }
    }

    private void sendStatusFault(HttpServerResponse response, RequestTrace trace, int status) {
        if (status == 429 || status == 503) {
            response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        sendJson(response, trace, status, OpenAiErrors.forStatus(status));
    }

    /** Sends the status line and headers and then nothing, until the client or {@link #stop()} closes. */
    private static void sendHeadersOnly(HttpServerResponse response, boolean stream) {
        response.setChunked(true);
        response.putHeader("Content-Type", stream ? "text/event-stream; charset=utf-8" : "application/json");
        response.writeHead();
    }

    private static void sendCompletion(HttpServerResponse response, RequestTrace trace, Recording recording) {
        JsonObject error = CompletionAssembler.findError(recording);
        if (error == null) {
            sendJson(response, trace, 200, CompletionAssembler.assemble(recording));
            return;
        }
        int status = error.getValue("status_code") instanceof Number code
                && code.intValue() >= 400 && code.intValue() <= 599 ? code.intValue() : 500;
        sendJson(response, trace, status, new JsonObject().put("error", error));
    }

    private static void sendJson(HttpServerResponse response, RequestTrace trace, int status, JsonObject json) {
        Buffer body = json.toBuffer();
        trace.addBytesWritten(body.length());
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body)
                .onSuccess(ignored -> trace.markCompleted());
    }

    private static JsonObject modelList() {
        JsonArray data = new JsonArray();
        for (String id : MODEL_IDS) {
            data.add(new JsonObject()
                    .put("id", id)
                    .put("object", "model")
                    .put("created", 1_700_000_000L)
                    .put("owned_by", "portcullis-simulator"));
        }
        return new JsonObject().put("object", "list").put("data", data);
    }

    private void handleControl(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        boolean requestsPath = request.path().equals("/_sim/requests");
        if (requestsPath && request.method() == HttpMethod.GET) {
            JsonArray list = new JsonArray();
            requests().forEach(received -> list.add(toJson(received)));
            response.putHeader("Content-Type", "application/json").end(list.toBuffer());
        } else if (requestsPath && request.method() == HttpMethod.DELETE) {
            clear();
            response.setStatusCode(204).end();
        } else {
            response.setStatusCode(404).putHeader("Content-Type", "application/json").end(OpenAiErrors.body(
                    "Unknown simulator control URL: " + request.method() + " " + request.path()
                            + ". Use GET or DELETE /_sim/requests.", "invalid_request_error", "unknown_url").toBuffer());
        }
    }

    /** Encodes a request for {@code GET /_sim/requests}, with the body decoded as UTF-8 text. */
    static JsonObject toJson(ReceivedRequest received) {
        JsonObject headers = new JsonObject();
        received.headers().forEach((name, values) -> headers.put(name, new JsonArray(values)));
        return new JsonObject()
                .put("id", received.id())
                .put("method", received.method())
                .put("path", received.path())
                .put("headers", headers)
                .put("body", received.bodyText())
                .put("receivedAt", received.receivedAt().toString())
                .put("bytesWritten", received.bytesWritten())
                .put("completed", received.completed())
                .put("clientClosedEarly", received.clientClosedEarly());
    }

    private static <T> T await(Future<T> future, String action) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("Cannot " + action + " from a Vert.x event loop thread, which would block it");
        }
        try {
            return future.toCompletionStage().toCompletableFuture()
                    .get(LIFECYCLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Failed to " + action + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out after " + LIFECYCLE_TIMEOUT.toSeconds() + " s trying to " + action, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while trying to " + action, e);
        }
    }
}
