package io.portcullis.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Access tokens of several identities from an OIDC token endpoint, handed out in turn. A
 * background thread renews each token once it has less than the renewal margin left, by its
 * refresh token when it has one and by a new grant otherwise, so that no request of the load
 * waits for the identity provider.
 */
final class OidcTokens implements AutoCloseable {

    /** How often the background thread looks for tokens close to expiry. */
    private static final Duration RENEWAL_CHECK_INTERVAL = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One caller: a confidential client with client credentials, or a user of the password grant. */
    record Identity(String name, Map<String, String> grantForm, String clientId, String clientSecret) {

        /** Prints the name only: the form contains a password or a client secret. */
        @Override
        public String toString() {
            return name;
        }
    }

    private record Token(String accessToken, String refreshToken, long expiresAtMillis, long refreshExpiresAtMillis) {
    }

    private final URI tokenEndpoint;
    private final Duration renewalMargin;
    private final List<Identity> identities;
    private final Token[] tokens;
    private final AtomicInteger nextIdentity = new AtomicInteger();
    private final AtomicInteger renewals = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "oidc-token-renewal");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Fetches one token per identity, then starts the renewal thread.
     *
     * @throws IllegalStateException when the token endpoint rejects a grant or cannot be reached
     */
    OidcTokens(URI tokenEndpoint, List<Identity> identities, Duration renewalMargin) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("no identities given; name at least one in load.identities");
        }
        this.tokenEndpoint = tokenEndpoint;
        this.identities = List.copyOf(identities);
        this.renewalMargin = renewalMargin;
        this.tokens = new Token[identities.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = grant(this.identities.get(i), this.identities.get(i).grantForm());
        }
        long interval = RENEWAL_CHECK_INTERVAL.toMillis();
        renewer.scheduleWithFixedDelay(this::renewExpiring, interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Parses identities written as {@code client:ID:SECRET} (client credentials grant) or
     * {@code password:USER:PASSWORD} (password grant of the public client {@code passwordClientId}),
     * separated by commas.
     */
    static List<Identity> parseIdentities(String spec, String passwordClientId) {
        List<Identity> identities = new ArrayList<>();
        for (String entry : spec.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split(":", 3);
            if (parts.length != 3 || parts[1].isEmpty()) {
                // The entry is not quoted in full because it may contain a password.
                throw new IllegalArgumentException("load.identities has an entry that starts with '"
                        + parts[0] + "' and is not client:ID:SECRET or password:USER:PASSWORD");
            }
            identities.add(switch (parts[0]) {
                case "client" -> new Identity(parts[1], form("grant_type", "client_credentials",
                        "client_id", parts[1], "client_secret", parts[2]), parts[1], parts[2]);
                case "password" -> new Identity(parts[1], form("grant_type", "password",
                        "client_id", passwordClientId, "username", parts[1], "password", parts[2]),
                        passwordClientId, null);
                default -> throw new IllegalArgumentException("load.identities has an entry of kind '" + parts[0]
                        + "'; use client:ID:SECRET or password:USER:PASSWORD");
            });
        }
        return identities;
    }

    /** Returns the access token of the next identity in turn. */
    String next() {
        int index = Math.floorMod(nextIdentity.getAndIncrement(), tokens.length);
        synchronized (this) {
            return tokens[index].accessToken();
        }
    }

    /** Number of tokens renewed since the start. */
    int renewals() {
        return renewals.get();
    }

    List<Identity> identities() {
        return identities;
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        client.close();
    }

    private void renewExpiring() {
        long deadline = System.currentTimeMillis() + renewalMargin.toMillis();
        for (int i = 0; i < tokens.length; i++) {
            Token current;
            synchronized (this) {
                current = tokens[i];
            }
            if (current.expiresAtMillis() > deadline) {
                continue;
            }
            try {
                Token renewed = renew(identities.get(i), current, deadline);
                synchronized (this) {
                    tokens[i] = renewed;
                }
                renewals.incrementAndGet();
            } catch (RuntimeException e) {
                // The old token stays in use until it expires; the next check tries again.
                System.err.println("renewing the token of " + identities.get(i) + " failed: " + e.getMessage());
            }
        }
    }

    private Token renew(Identity identity, Token current, long deadline) {
        if (current.refreshToken() != null && current.refreshExpiresAtMillis() > deadline) {
            Map<String, String> form = form("grant_type", "refresh_token", "refresh_token", current.refreshToken(),
                    "client_id", identity.clientId());
            if (identity.clientSecret() != null) {
                form.put("client_secret", identity.clientSecret());
            }
            try {
                return grant(identity, form);
            } catch (IllegalStateException e) {
                System.err.println("refreshing the token of " + identity + " failed, requesting a new one: "
                        + e.getMessage());
            }
        }
        return grant(identity, identity.grantForm());
    }

    private Token grant(Identity identity, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(tokenEndpoint)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + tokenEndpoint + " for " + identity + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the token of " + identity, e);
        }
        if (response.statusCode() != 200) {
            // An OAuth error body names the error and contains no token.
            throw new IllegalStateException("POST " + tokenEndpoint + " for " + identity + " returned "
                    + response.statusCode() + ": " + abbreviate(response.body()));
        }
        return parseToken(identity, response.body());
    }

    private static Token parseToken(Identity identity, String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("the token response for " + identity + " is not JSON", e);
        }
        JsonNode accessToken = json.path("access_token");
        if (!accessToken.isTextual()) {
            throw new IllegalStateException("the token response for " + identity + " has no access_token");
        }
        long now = System.currentTimeMillis();
        JsonNode refreshToken = json.path("refresh_token");
        long refreshExpiresIn = json.path("refresh_expires_in").asLong(0);
        return new Token(accessToken.asText(), refreshToken.isTextual() ? refreshToken.asText() : null,
                now + json.path("expires_in").asLong(0) * 1000, refreshExpiresIn > 0 ? now + refreshExpiresIn * 1000 : 0);
    }

    private static Map<String, String> form(String... keysAndValues) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            form.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return form;
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
