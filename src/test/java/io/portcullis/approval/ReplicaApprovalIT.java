package io.portcullis.approval;

import io.portcullis.simulator.UpstreamSimulator;
import io.portcullis.testsupport.GatewayProcess;
import io.portcullis.testsupport.KeycloakTokens;
import io.portcullis.testsupport.OpaServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of the packaged gateway, each a separate JVM, sharing the real PostgreSQL, with a
 * real OPA of the test's own and real Keycloak tokens: an approval given on one replica releases
 * the request held on the other, and a pending approval survives a replica that is killed and
 * started again.
 */
class ReplicaApprovalIT {

    private static UpstreamSimulator simulator;
    private static OpaServer opa;
    private static GatewayProcess first;
    private static GatewayProcess second;

    @BeforeAll
    static void startReplicas() {
        simulator = new UpstreamSimulator();
        simulator.start(0);
        opa = new OpaServer();
        opa.start();
        Map<String, String> properties = Map.of(
                "portcullis.policy.url", opa.url(),
                "portcullis.policy.timeout", "3s",
                "portcullis.upstreams.local.base-url", simulator.baseUrl(),
                "portcullis.approval.poll-interval", "30s",
                "portcullis.approval.keep-alive-interval", "1s",
                "portcullis.approval.cancel-grace", "2s");
        first = new GatewayProcess("first", properties);
        second = new GatewayProcess("second", properties);
        first.start();
        second.start();
    }

    @AfterAll
    static void stopReplicas() {
        if (first != null) {
            first.kill();
        }
        if (second != null) {
            second.kill();
        }
        if (opa != null) {
            opa.stop();
        }
        if (simulator != null) {
            simulator.stop();
        }
    }

    @Test
    void approvalOnOtherReplicaReleasesRequest() throws Exception {
        Instant start = Instant.now();
        ApprovalClient onFirst = new ApprovalClient(first.baseUrl());
        ApprovalClient onSecond = new ApprovalClient(second.baseUrl());
        onFirst.warmUp(alice());
        CompletableFuture<HttpResponse<String>> held = onFirst.chat(alice(),
                ApprovalClient.largeChat(UUID.randomUUID().toString(), false), Map.of());
        String id = onSecond.awaitPending(carol(), "alice", start).getString("id");

        // The replicas poll only every 30 s here, so a release within seconds comes from NOTIFY.
        assertThat(onSecond.vote(carol(), id, "approve", "from the other replica").statusCode()).isEqualTo(200);

        HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("object")).isEqualTo("chat.completion");
    }

    @Test
    void pendingApprovalSurvivesRestart() throws Exception {
        Instant start = Instant.now();
        ApprovalClient onFirst = new ApprovalClient(first.baseUrl());
        JsonObject body = ApprovalClient.largeChat(UUID.randomUUID().toString(), false);
        onFirst.warmUp(alice());
        CompletableFuture<HttpResponse<String>> lost = onFirst.chat(alice(), body, Map.of());
        String id = onFirst.awaitPending(carol(), "alice", start).getString("id");

        first.kill();
        assertThat(lost).failsWithin(10, TimeUnit.SECONDS);
        first.start();

        JsonObject status = new JsonObject(onFirst.get(alice(), "/v1/approvals/" + id).body());
        assertThat(status.getString("status")).isEqualTo("pending");
        // The caller retries the same request on the restarted replica and attaches to the approval.
        CompletableFuture<HttpResponse<String>> retried = onFirst.chat(alice(), body, Map.of());
        ApprovalClient.sleep(500);
        assertThat(retried).isNotDone();
        assertThat(new ApprovalClient(second.baseUrl()).vote(carol(), id, "approve", null).statusCode())
                .isEqualTo(200);

        HttpResponse<String> response = retried.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(RequestHold.APPROVAL_ID_HEADER)).contains(id);
    }

    private static String alice() {
        return KeycloakTokens.person("alice");
    }

    private static String carol() {
        return KeycloakTokens.person("carol");
    }
}
