package io.portcullis.testsupport;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** Fetches real access tokens from the local Keycloak that stack/keycloak.sh starts. */
public final class KeycloakTokens {

    public static final String ISSUER = System.getenv().getOrDefault("PORTCULLIS_OIDC_ISSUER",
            "http://127.0.0.1:8180/realms/portcullis");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private KeycloakTokens() {
    }

    /** Fetches a person's token through the password grant of the public client portcullis-cli. */
    public static String person(String username) {
        return token(Map.of("grant_type", "password", "client_id", "portcullis-cli",
                "username", username, "password", username));
    }

    /** Fetches an agent's token through the client-credentials grant. */
    public static String agent(String clientId, String secret) {
        return token(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
    }

    private static String token(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Keycloak token request for " + form.get("client_id")
                        + " failed with HTTP " + response.statusCode() + ": " + response.body());
            }
            return new JsonObject(response.body()).getString("access_token");
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak at " + ISSUER + " is unreachable; start it with stack/up --services",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
