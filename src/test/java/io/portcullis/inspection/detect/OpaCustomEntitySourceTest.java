package io.portcullis.inspection.detect;

import io.portcullis.policy.PolicyConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Custom entities read from a real OPA that this test starts on its own port with its own data,
 * then changes through OPA's REST Data API.
 */
class OpaCustomEntitySourceTest {

    private static final int PORT = Integer.parseInt(System.getProperty("portcullis.test.opa-port", "8282"));
    private static final String BASE = "http://127.0.0.1:" + PORT;
    private static final String DOCUMENT = "/v1/data/portcullis/config/custom_entities";

    private static Process opa;
    private static Vertx vertx;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startOpa() throws Exception {
        String cache = System.getenv().getOrDefault("PORTCULLIS_CACHE", System.getProperty("user.home") + "/.cache/portcullis");
        Path binary = Path.of(cache, "bin", "opa");
        assertThat(binary).as("OPA binary; install it with stack/opa.sh install").isExecutable();
        Path data = Files.createTempFile("custom-entities", ".json");
        Files.writeString(data, """
                {"portcullis": {"config": {"custom_entities": {
                  "patterns": {"customer_id": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9]{6}"}}}}}}
                """);
        opa = new ProcessBuilder(binary.toString(), "run", "--server", "--addr", "127.0.0.1:" + PORT,
                "--skip-version-check", "--log-level", "error", data.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        waitUntilReady();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopOpa() throws InterruptedException {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        if (opa != null) {
            opa.destroy();
            opa.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void documentChangesWithoutRestart() throws Exception {
        put("""
                {"patterns": {"customer_id": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9]{6}"}}}
                """);
        DetectingFindings findings = new DetectingFindings(CompositeDetector.allDetectors("US", 0.5));
        OpaCustomEntitySource source = new OpaCustomEntitySource(vertx, findings, config(), policy());
        await(source);
        assertThat(types(findings, "Ticket CUST-004211 is open")).containsExactly("CUSTOMER_ID");
        assertThat(source.status().detectors()).isEqualTo(1);

        put("""
                {"dictionaries": {"code_names": {"type": "PROJECT_CODE_NAME", "words": ["Bluebird"]}}}
                """);
        await(source);
        assertThat(types(findings, "Ticket CUST-004211 about Bluebird")).containsExactly("PROJECT_CODE_NAME");
        assertThat(source.status().error()).isNull();
        source.close();
    }

    @Test
    void invalidEntryKeepsLastValidSet() throws Exception {
        put("""
                {"patterns": {"customer_id": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9]{6}"}}}
                """);
        DetectingFindings findings = new DetectingFindings(CompositeDetector.allDetectors("US", 0.5));
        OpaCustomEntitySource source = new OpaCustomEntitySource(vertx, findings, config(), policy());
        await(source);

        put("""
                {"patterns": {"customer_id": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9]{6}"},
                              "broken": {"type": "TICKET", "regex": "T-[0-9"}}}
                """);
        await(source);
        assertThat(source.status().error())
                .startsWith("Invalid data.portcullis.config.custom_entities.patterns.broken.regex");
        assertThat(types(findings, "CUST-004211 wrote to jane@example.com"))
                .containsExactly("CUSTOMER_ID", "EMAIL_ADDRESS");
        source.close();
    }

    @Test
    void unreachableOpaKeepsBuiltInDetectors() {
        DetectingFindings findings = new DetectingFindings(CompositeDetector.allDetectors("US", 0.5));
        PolicyConfig nowhere = policyAt("http://127.0.0.1:9");
        OpaCustomEntitySource source = new OpaCustomEntitySource(vertx, findings, config(), nowhere);
        await(source);
        assertThat(source.status().error()).startsWith("reading data.portcullis.config.custom_entities from OPA failed");
        assertThat(types(findings, "jane@example.com")).containsExactly("EMAIL_ADDRESS");
        source.close();
    }

    private static List<String> types(DetectingFindings findings, String text) {
        return findings.detector().detect(text).stream().map(Finding::type).toList();
    }

    private static void await(OpaCustomEntitySource source) {
        source.refresh().toCompletionStage().toCompletableFuture().join();
    }

    private static void put(String document) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + DOCUMENT))
                .PUT(HttpRequest.BodyPublishers.ofString(document)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT %s: %s", DOCUMENT, response.body()).isEqualTo(204);
    }

    private static void waitUntilReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // OPA is still starting.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("OPA did not start on port " + PORT + " within 20 s");
    }

    /** The defaults of CustomEntityConfig, with a refresh interval long enough that only the test refreshes. */
    private static CustomEntityConfig config() {
        return new CustomEntityConfig() {
            @Override
            public Map<String, PatternEntry> patterns() {
                return Map.of();
            }

            @Override
            public Map<String, DictionaryEntry> dictionaries() {
                return Map.of();
            }

            @Override
            public String opaPath() {
                return "portcullis/config/custom_entities";
            }

            @Override
            public Duration refreshInterval() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration fetchTimeout() {
                return Duration.ofSeconds(2);
            }
        };
    }

    private static PolicyConfig policy() {
        return policyAt(BASE);
    }

    private static PolicyConfig policyAt(String url) {
        return new PolicyConfig() {
            @Override
            public String url() {
                return url;
            }

            @Override
            public String decisionPath() {
                return "portcullis/decision";
            }

            @Override
            public String toolCallPath() {
                return "portcullis/tool_call";
            }

            @Override
            public Duration timeout() {
                return Duration.ofMillis(200);
            }

            @Override
            public int maxConnections() {
                return 1;
            }

            @Override
            public Optional<List<String>> trustedProxies() {
                return Optional.empty();
            }
        };
    }
}
