package io.portcullis;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Base URLs of the servers the gateway calls (upstreams, OPA): validation with errors that
 * name the key and the fix, and the options of a keep-alive client for one of them.
 */
public final class BaseUrls {

    private BaseUrls() {
    }

    /**
     * Parses an absolute http or https URL without query, fragment or user info.
     *
     * @param key     the full configuration key, for the error message
     * @param example a valid value to suggest
     * @throws IllegalArgumentException naming the key, the value (unless it may hold a
     *                                  password) and the fix
     */
    public static URI parse(String key, String value, String example) {
        if (value.contains("@")) {
            // The value may carry a password; name the problem without printing it.
            throw new IllegalArgumentException(key + " contains '@', which means user info in the URL. Remove it and"
                    + " keep credentials out of URLs.");
        }
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                throw new URISyntaxException(value, "not an absolute http or https URL");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new URISyntaxException(value, "query and fragment are not allowed");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + "='" + value + "' is invalid: " + e.getReason()
                    + ". Use an absolute URL such as " + example + ".");
        }
    }

    /**
     * Builds the options of a pooled HTTP/1.1 keep-alive client whose requests go to the
     * URL's host and port, over TLS with host verification for https.
     */
    public static HttpClientOptions keepAliveClient(URI url, int maxConnections, Duration connectTimeout,
            String name) {
        boolean tls = "https".equals(url.getScheme());
        int port = url.getPort() != -1 ? url.getPort() : (tls ? 443 : 80);
        return new HttpClientOptions()
                .setDefaultHost(url.getHost())
                .setDefaultPort(port)
                .setSsl(tls)
                .setVerifyHost(true)
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setMaxPoolSize(maxConnections)
                .setConnectTimeout((int) Math.max(1, connectTimeout.toMillis()))
                .setTryUseCompression(false)
                .setName(name);
    }
}
