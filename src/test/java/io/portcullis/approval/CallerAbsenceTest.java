package io.portcullis.approval;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What happens to a held request when its caller goes away: a disconnect cancels the approval
 * after the grace period (2 s in these tests), and an SDK retry within the grace period
 * attaches to the same approval.
 */
@QuarkusTest
@TestProfile(RequestApprovalTest.Profile.class)
class CallerAbsenceTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    RecordedApprovalEvents events;

    private ApprovalClient client;
    private Instant start;

    @BeforeEach
    void setUp() {
        client = new ApprovalClient("http://127.0.0.1:" + port);
        client.warmUp(Tokens.alice());
        start = Instant.now();
    }

    @Test
    void disconnectCancelsApproval() throws Exception {
        String body = ApprovalClient.largeChat(UUID.randomUUID().toString(), true).encode();
        String id;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + Tokens.alice()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            id = approvalIdFromKeepAlive(new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8)));
        }

        JsonObject status = awaitStatus(id, "cancelled");
        assertThat(status.getString("status")).isEqualTo("cancelled");
        assertThat(events.typesOf(UUID.fromString(id)))
                .containsExactly(ApprovalEvent.Type.REQUESTED, ApprovalEvent.Type.CANCELLED);
        assertThat(client.vote(RequestApprovalTest.carol(), id, "approve", null).statusCode()).isEqualTo(409);
    }

    @Test
    void sdkRetryAttachesToPendingApproval() throws Exception {
        String subject = subjectOf(Tokens.alice());
        // The SDK gives up on each attempt after 3 s and retries twice, with the same body.
        OpenAIClient sdk = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(Tokens.alice())
                .timeout(Duration.ofSeconds(3))
                .maxRetries(2)
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(ApprovalClient.LOCAL_MODEL)
                .addUserMessage(UUID.randomUUID() + " " + "x".repeat(16_100))
                .maxTokens(16)
                .build();
        CompletableFuture<ChatCompletion> completion = CompletableFuture.supplyAsync(
                () -> sdk.chat().completions().create(params));
        String id = client.awaitPending(RequestApprovalTest.carol(), "alice", start).getString("id");
        // Past the first attempt's timeout: the SDK has disconnected and sent its retry.
        ApprovalClient.sleep(4500);
        assertThat(completion).isNotDone();

        client.vote(RequestApprovalTest.carol(), id, "approve", "retry test");

        ChatCompletion answer = completion.get(30, TimeUnit.SECONDS);
        assertThat(answer.choices()).isNotEmpty();
        assertThat(events.openedSince(subject, start)).containsExactly(UUID.fromString(id));
        assertThat(events.typesOf(UUID.fromString(id)))
                .containsExactly(ApprovalEvent.Type.REQUESTED, ApprovalEvent.Type.GRANTED);
        sdk.close();
    }

    private JsonObject awaitStatus(String id, String expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonObject status = null;
        while (System.nanoTime() < deadline) {
            status = new JsonObject(client.get(Tokens.alice(), "/v1/approvals/" + id).body());
            if (expected.equals(status.getString("status"))) {
                return status;
            }
            ApprovalClient.sleep(200);
        }
        return status;
    }

    private static String approvalIdFromKeepAlive(BufferedReader reader) throws Exception {
        String prefix = ": waiting for approval ";
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).strip();
            }
        }
        throw new AssertionError("The stream ended without a keep-alive comment");
    }

    private static String subjectOf(String token) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8);
        return new JsonObject(payload).getString("sub");
    }

}
