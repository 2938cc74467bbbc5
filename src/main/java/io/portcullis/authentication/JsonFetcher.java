package io.portcullis.authentication;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Fetches the small JSON documents an issuer publishes (OIDC discovery, JWKS) with the Vert.x
 * HTTP client, without blocking. Redirects are not followed and bodies are capped in size.
 */
final class JsonFetcher {

    /** Maximum accepted document size in bytes. A JWKS with dozens of RSA keys is far smaller. */
    static final int MAX_DOCUMENT_BYTES = 512 * 1024;

    private final HttpClient client;

    JsonFetcher(HttpClient client) {
        this.client = client;
    }

    /**
     * Fetches and parses a JSON object.
     *
     * @param timeout applied to connecting and to each wait for data from the server
     * @return a stage that fails with {@link FetchFailedException} on any HTTP, size or JSON problem
     */
    CompletionStage<JsonObject> fetch(String url, Duration timeout) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .setFollowRedirects(false)
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis())
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        // The body handlers are attached in a callback nested on the send future. That callback
        // runs on the connection's event loop before the body arrives. A callback chained on the
        // outer future may run later, after a small response has already ended.
        return client.request(options)
                .compose(request -> request.send().compose(JsonFetcher::readBody))
                .map(JsonFetcher::parse)
                .toCompletionStage();
    }

    private static Future<Buffer> readBody(HttpClientResponse response) {
        Future<Buffer> body = readBounded(response);
        if (response.statusCode() == 200) {
            return body;
        }
        // The error body is read and dropped, so the connection stays usable for the next fetch.
        FetchFailedException failure = new FetchFailedException("HTTP status " + response.statusCode());
        return body.transform(ignored -> Future.failedFuture(failure));
    }

    private static Future<Buffer> readBounded(HttpClientResponse response) {
        Promise<Buffer> body = Promise.promise();
        Buffer received = Buffer.buffer();
        response.exceptionHandler(body::tryFail);
        response.handler(chunk -> {
            if (received.length() + chunk.length() > MAX_DOCUMENT_BYTES) {
                body.tryFail(new FetchFailedException("document larger than " + MAX_DOCUMENT_BYTES + " bytes"));
                response.request().reset();
            } else if (!body.future().isComplete()) {
                received.appendBuffer(chunk);
            }
        });
        response.endHandler(ignored -> body.tryComplete(received));
        return body.future();
    }

    private static JsonObject parse(Buffer body) {
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new FetchFailedException("response is not a JSON object");
        }
    }

    /** A fetch failed; the message names the cause and never contains the document. */
    static final class FetchFailedException extends RuntimeException {

        FetchFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
