package io.portcullis.inspection.detect;

import io.portcullis.policy.PolicyConfig;
import io.portcullis.testsupport.TestPolicyConfig;
import io.portcullis.testsupport.OpaServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Custom entities read from a real OPA of the test's own, which serves this clone's
 * opa-policies/ and whose data the test changes through OPA's REST Data API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpaCustomEntitySourceTest {

    private static final String DOCUMENT = "portcullis/config/custom_entities";

    private static final OpaServer OPA = new OpaServer();
    private static Vertx vertx;

    @BeforeAll
    static void startOpa() {
        OPA.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopOpa() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        OPA.stop();
    }

    /** Runs first, because the other tests replace the shipped document. */
    @Test
    @Order(1)
    void shippedDocumentHasNoEntities() {
        DetectingFindings findings = new DetectingFindings(CompositeDetector.allDetectors("US", 0.5));
        OpaCustomEntitySource source = new OpaCustomEntitySource(vertx, findings, config(), policy());
        await(source);
        assertThat(source.status().error()).isNull();
        assertThat(source.status().detectors()).isZero();
        source.close();
    }

    @Test
    void documentChangesWithoutRestart() {
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
    void invalidEntryKeepsLastValidSet() {
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

    private static void put(String document) {
        OPA.putData(DOCUMENT, document);
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
        return policyAt(OPA.url());
    }

    private static PolicyConfig policyAt(String url) {
        return new TestPolicyConfig(url, Duration.ofMillis(200), 1);
    }
}
