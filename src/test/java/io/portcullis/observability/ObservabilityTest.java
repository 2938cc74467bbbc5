package io.portcullis.observability;

import io.portcullis.recording.OutboxRelay;
import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.hasItem;

/**
 * Metrics and health of a running gateway against the upstream simulator, with real Keycloak
 * tokens and PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(GatewayStackResource.class)
class ObservabilityTest {

    private static final String TTFT = "portcullis_stream_time_to_first_token_seconds_count";
    private static final String UPSTREAM = "portcullis_upstream_latency_seconds_count";
    private static final String FINDINGS = "portcullis_inspection_findings_total";
    private static final String REQUESTS = "http_server_requests_seconds_count";

    @Inject
    BrokerStatus broker;

    @Inject
    OutboxRelay relay;

    @AfterEach
    void restoreBroker() {
        broker.register(relay::brokerState);
    }

    @Test
    void streamRecordsFirstTokenAndLatency() {
        String before = PrometheusText.scrape();
        post(request(true, "Say hello.")).then().statusCode(200);
        String after = PrometheusText.scrape();

        assertThat(PrometheusText.sum(after, TTFT, "upstream=\"sim\""))
                .isEqualTo(PrometheusText.sum(before, TTFT, "upstream=\"sim\"") + 1);
        assertThat(PrometheusText.sum(after, UPSTREAM, "upstream=\"sim\"", "outcome=\"2xx\""))
                .isEqualTo(PrometheusText.sum(before, UPSTREAM, "upstream=\"sim\"", "outcome=\"2xx\"") + 1);
    }

    @Test
    void nonStreamedRequestHasNoFirstToken() {
        String before = PrometheusText.scrape();
        post(request(false, "Say hello.")).then().statusCode(200);
        String after = PrometheusText.scrape();

        assertThat(PrometheusText.sum(after, TTFT)).isEqualTo(PrometheusText.sum(before, TTFT));
        assertThat(PrometheusText.sum(after, UPSTREAM, "upstream=\"sim\""))
                .isEqualTo(PrometheusText.sum(before, UPSTREAM, "upstream=\"sim\"") + 1);
    }

    @Test
    void unreachableUpstreamCountsAsError() {
        String before = PrometheusText.scrape();
        post(request(false, "Say hello.").put("model", "down-model")).then().statusCode(502);
        String after = PrometheusText.scrape();

        assertThat(PrometheusText.sum(after, UPSTREAM, "upstream=\"down\"", "outcome=\"error\""))
                .isEqualTo(PrometheusText.sum(before, UPSTREAM, "upstream=\"down\"", "outcome=\"error\"") + 1);
    }

    @Test
    void findingsAreCountedByType() {
        String before = PrometheusText.scrape();
        post(request(false, "Write to jane.doe@example.com and john.roe@example.org.")).then().statusCode(200);
        String after = PrometheusText.scrape();

        String email = "entity_type=\"EMAIL_ADDRESS\"";
        assertThat(PrometheusText.sum(after, FINDINGS, email)).isEqualTo(PrometheusText.sum(before, FINDINGS, email) + 2);
    }

    @Test
    void requestsAreCountedByRouteAndStatus() {
        String route = "uri=\"/v1/chat/completions\"";
        String before = PrometheusText.scrape();
        post(request(false, "Say hello.")).then().statusCode(200);
        post(request(false, "Say hello.").put("messages", "not an array")).then().statusCode(400);
        post(request(false, "Say hello.").put("model", "no-such-model")).then().statusCode(404);
        String after = PrometheusText.scrape();

        assertThat(PrometheusText.sum(after, REQUESTS, route, "status=\"200\""))
                .isEqualTo(PrometheusText.sum(before, REQUESTS, route, "status=\"200\"") + 1);
        assertThat(PrometheusText.sum(after, REQUESTS, route, "status=\"400\""))
                .isEqualTo(PrometheusText.sum(before, REQUESTS, route, "status=\"400\"") + 1);
        // Micrometer files every 404 under uri="NOT_FOUND", so that unknown paths add no time series.
        String notFound = "uri=\"NOT_FOUND\"";
        assertThat(PrometheusText.sum(after, REQUESTS, notFound, "status=\"404\""))
                .isEqualTo(PrometheusText.sum(before, REQUESTS, notFound, "status=\"404\"") + 1);
    }

    @Test
    void policyDecisionsAreCountedByOutcome() {
        String allow = "outcome=\"allow\"";
        String before = PrometheusText.scrape();
        post(request(false, "Say hello.")).then().statusCode(200);
        String after = PrometheusText.scrape();

        assertThat(PrometheusText.sum(after, "portcullis_policy_decisions_total", allow))
                .isEqualTo(PrometheusText.sum(before, "portcullis_policy_decisions_total", allow) + 1);
    }

    @Test
    void readinessChecksOpaDatabaseAndKafka() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'opa' }.status", equalTo("UP"))
                // This replica relays, or another process on the same database does.
                .body("checks.find { it.name == 'kafka' }.data.broker",
                        is(oneOf("reachable", "not contacted yet", "standby")))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }

    @Test
    void kafkaOutageKeepsReplicaReady() {
        broker.register(() -> BrokerStatus.State.UNREACHABLE);
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'kafka' }.data.broker", equalTo("unreachable"));
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void opaOutageMakesReplicaUnready() {
        GatewayStackResource.policy.stopListening();
        try {
            given().when().get("/q/health/ready")
                    .then().statusCode(503)
                    .body("status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'opa' }.status", equalTo("DOWN"));
            // A replica without OPA fails every request, but restarting it would not bring OPA back.
            given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            GatewayStackResource.policy.resumeListening();
        }
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    private static Response post(JsonObject body) {
        return given().header("Authorization", "Bearer " + Tokens.alice())
                .contentType("application/json").body(body.encode())
                .when().post("/v1/chat/completions");
    }

    private static JsonObject request(boolean stream, String prompt) {
        JsonObject request = new JsonObject().put("model", "sim-gpt")
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
        if (stream) {
            request.put("stream", true);
        }
        return request;
    }
}
