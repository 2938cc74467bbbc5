package io.portcullis.approval;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Talks to a gateway over plain HTTP, the way a requester and an approver would. */
final class ApprovalClient {

    static final String LOCAL_MODEL = "smollm2-135m-instruct";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final java.util.Set<String> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String baseUrl;

    ApprovalClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A chat request that the shipped policy holds: its prompt is estimated above 4000 tokens. */
    static JsonObject largeChat(String marker, boolean stream) {
        String content = marker + " " + "x".repeat(16_100);
        return new JsonObject()
                .put("model", LOCAL_MODEL)
                .put("stream", stream)
                .put("max_tokens", 16)
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    }

    /**
     * Sends one small request that is not held, once per gateway, so that the first held request
     * of a test does not meet cold connection pools.
     */
    void warmUp(String token) {
        if (WARMED.add(baseUrl)) {
            JsonObject small = new JsonObject().put("model", LOCAL_MODEL).put("max_tokens", 4)
                    .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
            chat(token, small, Map.of()).join();
        }
    }

    CompletableFuture<HttpResponse<String>> chat(String token, JsonObject body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        headers.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String token, String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token).GET().build());
    }

    HttpResponse<String> vote(String token, String id, String verdict, String reason) {
        JsonObject body = reason == null ? new JsonObject() : new JsonObject().put("reason", reason);
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/approvals/" + id + "/" + verdict))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
    }

    /** Waits until the approver sees a pending approval of the requester opened after {@code since}, and returns it. */
    JsonObject awaitPending(String approverToken, String requester, Instant since) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonArray data = new JsonObject(get(approverToken, "/v1/approvals").body()).getJsonArray("data");
            for (int i = 0; i < data.size(); i++) {
                JsonObject approval = data.getJsonObject(i);
                if (requester.equals(approval.getString("requester"))
                        && !Instant.parse(approval.getString("created_at")).isBefore(since)) {
                    return approval;
                }
            }
            sleep(100);
        }
        throw new AssertionError("No pending approval of " + requester + " appeared within 20 s");
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
