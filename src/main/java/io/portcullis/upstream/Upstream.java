package io.portcullis.upstream;

import io.vertx.core.http.HttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One configured upstream model server with its pooled HTTP client.
 *
 * @param name            the configuration name, shown as {@code owned_by} in the model list
 * @param baseUri         base URL including the API version path
 * @param models          the model ids routed here
 * @param credential      the key sent as {@code Authorization: Bearer}
 * @param responseTimeout time allowed until the response headers arrive
 * @param idleTimeout     longest silence allowed inside a response body
 * @param client          keep-alive connection pool to this upstream
 */
public record Upstream(
        String name,
        URI baseUri,
        List<String> models,
        UpstreamCredential credential,
        Duration responseTimeout,
        Duration idleTimeout,
        HttpClient client) {

    /** Returns the request path of an endpoint below the base URL, such as {@code /v1/chat/completions}. */
    public String pathOf(String endpoint) {
        String basePath = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        return basePath + endpoint;
    }
}
