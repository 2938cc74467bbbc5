package io.portcullis.approval;

import io.portcullis.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The approver page in headless Chromium, driven by Playwright (src/test/js): carol signs in
 * through the real Keycloak and approves a held request and a held tool call of alice's
 * streamed answer, and bob, who is no approver, finds nothing to approve. Screenshots are kept
 * in target/ as test artifacts. stack/browser.sh installs Chromium and playwright-core.
 */
@QuarkusTest
@TestProfile(RequestApprovalTest.Profile.class)
class ApproverPageTest {

    private static final Path APPROVER_SCREENSHOT = Path.of("target", "approver-page.png");
    private static final Path OUTSIDER_SCREENSHOT = Path.of("target", "approver-page-outsider.png");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private ApprovalClient client;
    private Instant start;

    @BeforeEach
    void setUp() {
        client = new ApprovalClient("http://127.0.0.1:" + port);
        client.warmUp(Tokens.alice());
        start = Instant.now();
    }

    @Test
    void approverReleasesRequestAndToolCall() throws Exception {
        CompletableFuture<HttpResponse<String>> request = client.chat(Tokens.alice(),
                ApprovalClient.largeChat(UUID.randomUUID().toString(), false), Map.of());
        String requestId = client.awaitPending(RequestApprovalTest.carol(), "alice", start).getString("id");
        Instant second = Instant.now();
        CompletableFuture<HttpResponse<String>> stream = client.chat(Tokens.alice(),
                ToolCallApprovalTest.agentRequest(), Map.of());
        String toolCallId = client.awaitPending(RequestApprovalTest.carol(), "alice", second).getString("id");
        Files.deleteIfExists(APPROVER_SCREENSHOT);

        Result browser = runBrowser("carol", requestId + "," + toolCallId, APPROVER_SCREENSHOT);

        assertThat(browser.exitCode()).as(browser.output()).isZero();
        assertThat(browser.output()).contains("approved " + requestId, "approved " + toolCallId);
        assertThat(Files.size(APPROVER_SCREENSHOT)).isGreaterThan(10_000);
        HttpResponse<String> released = request.get(20, TimeUnit.SECONDS);
        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(released.body()).getString("object")).isEqualTo("chat.completion");
        HttpResponse<String> answer = stream.get(20, TimeUnit.SECONDS);
        assertThat(answer.body()).contains("\"name\":\"write_file\"");
        assertThat(answer.body()).endsWith("data: [DONE]\n\n");
        JsonObject approval = new JsonObject(client.get(RequestApprovalTest.carol(), "/v1/approvals/" + requestId)
                .body());
        assertThat(approval.getJsonArray("votes").getJsonObject(0).getString("approver")).isEqualTo("carol");
        assertThat(approval.getJsonArray("votes").getJsonObject(0).getString("reason"))
                .isEqualTo("approved in the browser");
    }

    @Test
    void outsiderSeesEmptyQueue() throws Exception {
        CompletableFuture<HttpResponse<String>> request = client.chat(Tokens.alice(),
                ApprovalClient.largeChat(UUID.randomUUID().toString(), false), Map.of());
        String id = client.awaitPending(RequestApprovalTest.carol(), "alice", start).getString("id");

        Result browser = runBrowser("bob", "", OUTSIDER_SCREENSHOT);

        assertThat(browser.exitCode()).as(browser.output()).isZero();
        assertThat(browser.output()).contains("queue is empty");
        client.vote(RequestApprovalTest.carol(), id, "deny", "test cleanup");
        assertThat(request.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(403);
    }

    private record Result(int exitCode, String output) {
    }

    private Result runBrowser(String user, String approvalIds, Path screenshot) throws IOException,
            InterruptedException {
        String cache = System.getenv().getOrDefault("PORTCULLIS_CACHE",
                System.getProperty("user.home") + "/.cache/portcullis");
        Path modules = Path.of(System.getenv().getOrDefault("PORTCULLIS_PLAYWRIGHT_DIR", cache + "/playwright"),
                "node_modules");
        assertThat(modules.resolve("playwright-core")).as("playwright-core; install it with stack/browser.sh install")
                .isDirectory();
        ProcessBuilder builder = new ProcessBuilder("node", Path.of("src", "test", "js", "approve_in_browser.cjs")
                .toString()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("NODE_PATH", modules.toString());
        env.put("PAGE_URL", "http://127.0.0.1:" + port + "/approvals");
        env.put("USERNAME", user);
        env.put("PASSWORD", user);
        env.put("APPROVAL_IDS", approvalIds);
        env.put("SCREENSHOT", screenshot.toString());
        env.put("CHROMIUM", System.getenv().getOrDefault("PORTCULLIS_CHROMIUM", "/usr/bin/chromium"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), output);
    }
}
