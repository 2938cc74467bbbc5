package io.portcullis.observability;

import io.portcullis.testsupport.GatewayStackResource;
import io.portcullis.testsupport.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the OpenTelemetry SDK switched on, the spans of a chat request reach the OTLP endpoint,
 * here a collector stand-in on 127.0.0.1 that records what it receives.
 */
@QuarkusTest
@TestProfile(TracingTest.TracesOn.class)
@QuarkusTestResource(GatewayStackResource.class)
class TracingTest {

    static final int COLLECTOR_PORT = 8384;
    private static OtlpCollector collector;

    @BeforeAll
    static void startCollector() throws IOException {
        collector = OtlpCollector.start(COLLECTOR_PORT);
    }

    @AfterAll
    static void stopCollector() {
        collector.close();
    }

    @Test
    void chatRequestIsExported() throws InterruptedException {
        given().header("Authorization", "Bearer " + Tokens.alice())
                .contentType("application/json")
                .body("{\"model\":\"sim-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(200);

        String exported = collector.awaitBodyContaining("/v1/chat/completions", 20_000);
        assertThat(exported).as("OTLP export that names the route").isNotNull();
        assertThat(exported).contains("portcullis");
        assertThat(collector.paths()).allMatch("/v1/traces"::equals);
    }

    /** Turns the SDK on and exports over OTLP/HTTP to the collector stand-in. */
    public static class TracesOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + COLLECTOR_PORT,
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.bsp.schedule.delay", "100ms");
        }
    }

}
