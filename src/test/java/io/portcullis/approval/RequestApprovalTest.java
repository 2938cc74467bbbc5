package io.portcullis.approval;

import io.portcullis.testsupport.ApprovalStackResource;
import io.portcullis.testsupport.KeycloakTokens;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Held chat requests end to end: real Keycloak tokens (alice requests, carol approves, bob is
 * an outsider), a real OPA with this clone's policies, and the real PostgreSQL. The shipped
 * policy holds prompts estimated above 4000 tokens for one approval from the group approvers.
 */
@QuarkusTest
@TestProfile(RequestApprovalTest.Profile.class)
class RequestApprovalTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ApprovalStackResource.class));
        }
    }

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
        ApprovalStackResource.simulator.clear();
    }

    @AfterEach
    void restorePolicyData() {
        ApprovalStackResource.opa.putData("portcullis/config/approval/min_approvals", "1");
        ApprovalStackResource.opa.putData("portcullis/config/approval/request_ttl_seconds", "900");
    }

    @Test
    void approvalReleasesHeldRequest() throws Exception {
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                false), Map.of());
        JsonObject pending = client.awaitPending(carol(), "alice", start);
        String id = pending.getString("id");
        assertThat(pending.getString("reason")).contains("above the limit of 4000");
        assertThat(pending.getJsonObject("context").getJsonObject("request").getString("model"))
                .isEqualTo(ApprovalClient.LOCAL_MODEL);
        assertThat(pending.encode()).doesNotContain("xxxxxxxx");
        assertThat(held).isNotDone();
        assertThat(ApprovalStackResource.simulator.requests()).isEmpty();

        HttpResponse<String> vote = client.vote(carol(), id, "approve", "looks fine");
        assertThat(vote.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(vote.body()).getString("status")).isEqualTo("approved");

        HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("object")).isEqualTo("chat.completion");
        assertThat(response.headers().firstValue(RequestHold.APPROVAL_ID_HEADER)).contains(id);
        assertThat(ApprovalStackResource.simulator.requests()).hasSize(1);
        assertThat(events.typesOf(UUID.fromString(id)))
                .containsExactly(ApprovalEvent.Type.REQUESTED, ApprovalEvent.Type.GRANTED);
        awaitWebhook("Approval needed: request for model smollm2-135m-instruct by alice (approval " + id + ")");
        awaitWebhook("Approval approved by carol: request for model smollm2-135m-instruct by alice (approval " + id);
    }

    @Test
    void denialReturnsApproverReason() throws Exception {
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                false), Map.of());
        String id = client.awaitPending(carol(), "alice", start).getString("id");
        assertThat(client.vote(carol(), id, "deny", null).statusCode()).isEqualTo(400);

        assertThat(client.vote(carol(), id, "deny", "paste less code").statusCode()).isEqualTo(200);

        HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(403);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("approval_denied");
        assertThat(error.getString("message")).isEqualTo("An approver denied this request: paste less code");
        assertThat(ApprovalStackResource.simulator.requests()).isEmpty();
        assertThat(events.typesOf(UUID.fromString(id)))
                .containsExactly(ApprovalEvent.Type.REQUESTED, ApprovalEvent.Type.DENIED);
    }

    @Test
    void streamedHoldSendsKeepAlivesThenRelays() throws Exception {
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                true), Map.of());
        String id = client.awaitPending(carol(), "alice", start).getString("id");
        // Two keep-alive intervals of 500 ms.
        ApprovalClient.sleep(1200);
        client.vote(carol(), id, "approve", null);

        HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith(": waiting for approval " + id + "\n\n: waiting for approval");
        assertThat(response.body()).contains("\"chat.completion.chunk\"");
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void streamedDenialEndsWithErrorEvent() throws Exception {
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                true), Map.of());
        String id = client.awaitPending(carol(), "alice", start).getString("id");
        client.vote(carol(), id, "deny", "not during the freeze");

        HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("[DONE]");
        String last = response.body().strip().lines().reduce((first, second) -> second).orElseThrow();
        JsonObject error = new JsonObject(last.substring("data: ".length())).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("approval_denied");
        assertThat(error.getString("message")).endsWith("not during the freeze");
        assertThat(ApprovalStackResource.simulator.requests()).isEmpty();
    }

    @Test
    void expiryReturnsApprovalExpired() throws Exception {
        ApprovalStackResource.opa.putData("portcullis/config/approval/request_ttl_seconds", "2");
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                false), Map.of());

        HttpResponse<String> response = held.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code"))
                .isEqualTo("approval_expired");
        String id = response.headers().firstValue(RequestHold.APPROVAL_ID_HEADER).orElseThrow();
        assertThat(client.vote(carol(), id, "approve", null).statusCode()).isEqualTo(409);
        assertThat(events.typesOf(UUID.fromString(id))).contains(ApprovalEvent.Type.EXPIRED);
    }

    @Test
    void selfApprovalIsRejected() throws Exception {
        CompletableFuture<HttpResponse<String>> held = client.chat(carol(), ApprovalClient.largeChat(marker(), false),
                Map.of());
        String id = client.awaitPending(carol(), "carol", start).getString("id");

        HttpResponse<String> vote = client.vote(carol(), id, "approve", "mine");
        assertThat(vote.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(vote.body()).getJsonObject("error").getString("code"))
                .isEqualTo("approval_forbidden");
        assertThat(new JsonObject(vote.body()).getJsonObject("error").getString("message"))
                .isEqualTo("Nobody may approve or deny their own request.");
        assertThat(held).isNotDone();
        client.vote(approverOfTestIssuer("erin"), id, "deny", "test cleanup");
        assertThat(held.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(403);
    }

    @Test
    void outsiderIsRejected() throws Exception {
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                false), Map.of());
        String id = client.awaitPending(carol(), "alice", start).getString("id");

        HttpResponse<String> vote = client.vote(Tokens.bob(), id, "approve", null);
        assertThat(vote.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(vote.body()).getJsonObject("error").getString("message"))
                .isEqualTo("Only members of the approver groups of this approval may vote on it.");
        assertThat(client.get(Tokens.bob(), "/v1/approvals/" + id).statusCode()).isEqualTo(404);
        assertThat(new JsonObject(client.get(Tokens.bob(), "/v1/approvals").body()).getJsonArray("data").encode())
                .doesNotContain(id);
        // The requester may read the status of its own approval, but not vote on it.
        HttpResponse<String> own = client.get(Tokens.alice(), "/v1/approvals/" + id);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(own.body()).getString("status")).isEqualTo("pending");
        assertThat(client.vote(Tokens.alice(), id, "approve", null).statusCode()).isEqualTo(403);

        client.vote(carol(), id, "deny", "test cleanup");
        assertThat(held.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(403);
    }

    @Test
    void quorumNeedsDistinctApprovers() throws Exception {
        ApprovalStackResource.opa.putData("portcullis/config/approval/min_approvals", "2");
        CompletableFuture<HttpResponse<String>> held = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(),
                false), Map.of());
        String id = client.awaitPending(carol(), "alice", start).getString("id");

        HttpResponse<String> first = client.vote(carol(), id, "approve", "ok");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(first.body()).getString("status")).isEqualTo("pending");
        assertThat(new JsonObject(first.body()).getInteger("min_approvals")).isEqualTo(2);
        HttpResponse<String> again = client.vote(carol(), id, "approve", "ok again");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(again.body()).getJsonObject("error").getString("code"))
                .isEqualTo("approval_already_voted");
        ApprovalClient.sleep(300);
        assertThat(held).isNotDone();

        HttpResponse<String> second = client.vote(approverOfTestIssuer("erin"), id, "approve", "second pair of eyes");
        assertThat(new JsonObject(second.body()).getString("status")).isEqualTo("approved");
        assertThat(new JsonObject(second.body()).getJsonArray("votes")).hasSize(2);
        assertThat(held.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void asynchronousRequestRepeatsWithApprovalId() {
        JsonObject body = ApprovalClient.largeChat(marker(), false);
        HttpResponse<String> accepted = client.chat(Tokens.alice(), body, Map.of("Prefer", "respond-async")).join();
        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonObject status = new JsonObject(accepted.body());
        String id = status.getString("id");
        assertThat(status.getString("status")).isEqualTo("pending");
        assertThat(accepted.headers().firstValue("Location")).contains("/v1/approvals/" + id);
        assertThat(client.get(Tokens.alice(), "/v1/approvals/" + id).body()).contains("\"status\":\"pending\"");
        // Repeating before the approval, asynchronously, gives the same approval.
        HttpResponse<String> early = client.chat(Tokens.alice(), body, Map.of("Prefer", "respond-async",
                RequestHold.APPROVAL_ID_HEADER, id)).join();
        assertThat(early.statusCode()).isEqualTo(202);

        client.vote(carol(), id, "approve", null);

        HttpResponse<String> otherBody = client.chat(Tokens.alice(), ApprovalClient.largeChat(marker(), false),
                Map.of(RequestHold.APPROVAL_ID_HEADER, id)).join();
        assertThat(otherBody.statusCode()).isEqualTo(403);
        assertThat(otherBody.body()).contains("approval_mismatch");
        HttpResponse<String> otherCaller = client.chat(carol(), body, Map.of(RequestHold.APPROVAL_ID_HEADER, id))
                .join();
        assertThat(otherCaller.statusCode()).isEqualTo(403);
        assertThat(otherCaller.body()).contains("approval_mismatch");
        HttpResponse<String> released = client.chat(Tokens.alice(), body, Map.of(RequestHold.APPROVAL_ID_HEADER, id))
                .join();
        assertThat(released.statusCode()).isEqualTo(200);
        HttpResponse<String> reused = client.chat(Tokens.alice(), body, Map.of(RequestHold.APPROVAL_ID_HEADER, id))
                .join();
        assertThat(reused.statusCode()).isEqualTo(403);
        assertThat(reused.body()).contains("already used");
        assertThat(ApprovalStackResource.simulator.requests()).hasSize(1);
    }

    @Test
    void unknownApprovalIdIsRejected() {
        JsonObject body = ApprovalClient.largeChat(marker(), false);
        HttpResponse<String> invalid = client.chat(Tokens.alice(), body,
                Map.of(RequestHold.APPROVAL_ID_HEADER, "not-an-id")).join();
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains(RequestHold.APPROVAL_ID_HEADER);
        HttpResponse<String> unknown = client.chat(Tokens.alice(), body,
                Map.of(RequestHold.APPROVAL_ID_HEADER, UUID.randomUUID().toString())).join();
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("approval_not_found");
    }

    private void awaitWebhook(String prefix) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (ApprovalStackResource.webhook.texts().stream().anyMatch(text -> text.startsWith(prefix))) {
                return;
            }
            ApprovalClient.sleep(50);
        }
        assertThat(ApprovalStackResource.webhook.texts()).anyMatch(text -> text.startsWith(prefix));
    }

    static String carol() {
        return KeycloakTokens.person("carol");
    }

    /** A second approver: a token of the test issuer for a member of the group approvers. */
    static String approverOfTestIssuer(String name) {
        return ApprovalStackResource.testIssuer.sign(ApprovalStackResource.testIssuer.validClaims(name)
                .put("groups", new io.vertx.core.json.JsonArray().add("approvers")));
    }

    private static String marker() {
        return UUID.randomUUID().toString();
    }
}
