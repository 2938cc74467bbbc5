package io.portcullis.policy;

import io.portcullis.BaseUrls;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Client of OPA's REST Data API ({@code POST /v1/data/<path>} with {@code {"input": ...}}) over a
 * pool of keep-alive connections. Each query has one deadline, {@code portcullis.policy.timeout},
 * for connecting, sending and reading the whole response. When it passes, the connection is
 * closed and the query fails with {@link OpaUnavailableException}.
 */
@Startup
@ApplicationScoped
public class OpaClient {

    /** Maximum size of a response accepted from OPA, in bytes. Decisions are a few hundred bytes. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    /** Package path segments: Rego identifiers separated by '/'. */
    private static final Pattern DATA_PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*");

    private final Vertx vertx;
    private final HttpClient client;
    private final String basePath;
    private final Duration timeout;
    private final String decisionUri;
    private final String toolCallUri;

    @Inject
    public OpaClient(Vertx vertx, PolicyConfig config) {
        URI url = parseUrl(config.url());
        this.vertx = vertx;
        this.timeout = config.timeout();
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("portcullis.policy.timeout=" + timeout
                    + " is invalid: it must be positive, such as 200ms.");
        }
        if (config.maxConnections() < 1) {
            throw new IllegalArgumentException("portcullis.policy.max-connections=" + config.maxConnections()
                    + " is invalid: it must be at least 1.");
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.decisionUri = dataUri("portcullis.policy.decision-path", config.decisionPath());
        this.toolCallUri = dataUri("portcullis.policy.tool-call-path", config.toolCallPath());
        this.client = vertx.createHttpClient(clientOptions(url, config));
    }

    /** Queries the request decision rule. */
    public Uni<JsonObject> queryDecision(JsonObject input) {
        return query(decisionUri, input);
    }

    /** Queries the tool-call decision rule. */
    public Uni<JsonObject> queryToolCall(JsonObject input) {
        return query(toolCallUri, input);
    }

    /** Returns the request URI of the request decision, for log lines. */
    String decisionUri() {
        return decisionUri;
    }

    /**
     * Posts {@code {"input": input}} to a Data API URI.
     *
     * @return OPA's response body, such as {@code {"result": {...}, "decision_id": "..."}}; fails with
     *         {@link OpaUnavailableException} on a timeout, a connection failure or a status other
     *         than 200, and with {@link InvalidDecisionException} when a 200 body is not a JSON object
     */
    Uni<JsonObject> query(String uri, JsonObject input) {
        Buffer body = new JsonObject().put("input", input).toBuffer();
        return Uni.createFrom().completionStage(() -> post(uri, body).toCompletionStage());
    }

    private Future<JsonObject> post(String uri, Buffer body) {
        Promise<JsonObject> result = Promise.promise();
        AtomicReference<HttpClientRequest> opened = new AtomicReference<>();
        long timer = vertx.setTimer(timeout.toMillis(), id -> {
            if (result.tryFail(new OpaUnavailableException("timed out after " + timeout.toMillis() + " ms"))) {
                HttpClientRequest request = opened.get();
                if (request != null) {
                    request.reset();
                }
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI(uri)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        client.request(options)
                .compose(request -> send(request, body, result, opened))
                .compose(OpaClient::readResponse)
                .onComplete(outcome -> {
                    vertx.cancelTimer(timer);
                    if (outcome.succeeded()) {
                        result.tryComplete(outcome.result());
                    } else {
                        result.tryFail(classify(outcome.cause()));
                    }
                });
        return result.future();
    }

    private static Future<HttpClientResponse> send(HttpClientRequest request, Buffer body,
            Promise<JsonObject> result, AtomicReference<HttpClientRequest> opened) {
        opened.set(request);
        if (result.future().isComplete()) {
            // The deadline passed while the connection was being opened.
            request.reset();
            return Future.failedFuture(new OpaUnavailableException("timed out while connecting"));
        }
        return request.send(body);
    }

    private static Future<JsonObject> readResponse(HttpClientResponse response) {
        return readBounded(response).map(body -> {
            if (response.statusCode() != 200) {
                throw new OpaUnavailableException("OPA responded with HTTP " + response.statusCode() + errorCodeOf(body));
            }
            try {
                if (Json.decodeValue(body) instanceof JsonObject decoded) {
                    return decoded;
                }
            } catch (DecodeException e) {
                throw new InvalidDecisionException("the body is not JSON");
            }
            throw new InvalidDecisionException("the body is not a JSON object");
        });
    }

    private static Future<Buffer> readBounded(HttpClientResponse response) {
        Promise<Buffer> body = Promise.promise();
        Buffer buffer = Buffer.buffer();
        response.handler(chunk -> {
            if (buffer.length() + chunk.length() > MAX_RESPONSE_BYTES) {
                response.request().reset();
                body.tryFail(new InvalidDecisionException("the body is larger than " + MAX_RESPONSE_BYTES + " bytes"));
                return;
            }
            buffer.appendBuffer(chunk);
        });
        response.endHandler(ignored -> body.tryComplete(buffer));
        response.exceptionHandler(body::tryFail);
        return body.future();
    }

    /** OPA's error bodies are {@code {"code": "...", "message": "..."}}; the code names the failure. */
    private static String errorCodeOf(Buffer body) {
        try {
            if (Json.decodeValue(body) instanceof JsonObject error && error.getValue("code") instanceof String code) {
                return " (" + code.replaceAll("[^A-Za-z0-9_]", "?") + ")";
            }
        } catch (DecodeException e) {
            // Not OPA's error format; the status alone has to do.
        }
        return "";
    }

    private static RuntimeException classify(Throwable failure) {
        if (failure instanceof OpaUnavailableException || failure instanceof InvalidDecisionException) {
            return (RuntimeException) failure;
        }
        return new OpaUnavailableException(failure.toString());
    }

    @PreDestroy
    void close() {
        client.close();
    }

    private String dataUri(String key, String path) {
        String trimmed = path.strip().replaceAll("^/+|/+$", "");
        if (!DATA_PATH.matcher(trimmed).matches()) {
            throw new IllegalArgumentException(key + "='" + path + "' is invalid: use Rego package path segments"
                    + " separated by '/', such as portcullis/decision.");
        }
        return basePath + "/v1/data/" + trimmed;
    }

    private static URI parseUrl(String value) {
        return BaseUrls.parse("portcullis.policy.url", value, "http://127.0.0.1:8181");
    }

    private static HttpClientOptions clientOptions(URI url, PolicyConfig config) {
        return BaseUrls.keepAliveClient(url, config.maxConnections(), config.timeout(), "opa");
    }
}
