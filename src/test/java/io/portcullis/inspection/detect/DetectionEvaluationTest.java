package io.portcullis.inspection.detect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures precision and recall per entity type on the labelled Presidio recognizer cases. A
 * finding counts as correct when its type matches and its span overlaps a label of the case. A
 * label counts as found when a finding of its type overlaps it. Every 5th case (index 4, 9, ...)
 * is held out: it was set aside before the detectors were tuned, and is reported separately.
 * The table is written to target/detection-evaluation.md.
 */
class DetectionEvaluationTest {

    /** Presidio's type names, mapped to the names the detectors emit. */
    private static final Map<String, String> PRESIDIO_TYPES = Map.ofEntries(
            Map.entry("EMAIL_ADDRESS", EntityTypes.EMAIL_ADDRESS), Map.entry("PHONE_NUMBER", EntityTypes.PHONE_NUMBER),
            Map.entry("CREDIT_CARD", EntityTypes.CREDIT_CARD), Map.entry("IBAN_CODE", EntityTypes.IBAN),
            Map.entry("US_SSN", EntityTypes.US_SSN), Map.entry("IP_ADDRESS", EntityTypes.IP_ADDRESS),
            Map.entry("CRYPTO", EntityTypes.CRYPTO), Map.entry("UK_NHS", EntityTypes.UK_NHS),
            Map.entry("CA_SIN", EntityTypes.CA_SIN), Map.entry("ES_NIF", EntityTypes.ES_NIF),
            Map.entry("ES_NIE", EntityTypes.ES_NIE), Map.entry("IN_AADHAAR", EntityTypes.IN_AADHAAR),
            Map.entry("IT_FISCAL_CODE", EntityTypes.IT_FISCAL_CODE));

    static final int HELD_OUT_EVERY = 5;
    /** The project's goal for precision and recall of every structured type. */
    static final double GOAL = 0.95;

    /** The labelled cases; the national identifier cases were added in a file of their own. */
    private static final List<String> CASE_FILES = List.of("/pii/presidio_recognizer_cases.jsonl",
            "/pii/presidio_national_id_cases.jsonl");

    /** Counts of one entity type. */
    static final class Score {
        int labels;
        int labelsFound;
        int findings;
        int correctFindings;
        int cases;

        double precision() {
            return findings == 0 ? 1.0 : (double) correctFindings / findings;
        }

        double recall() {
            return labels == 0 ? 1.0 : (double) labelsFound / labels;
        }
    }

    @Test
    void precisionAndRecallPerType() throws IOException {
        CompositeDetector detector = CompositeDetector.allDetectors("US", 0.5);
        Map<String, Score> tuning = new TreeMap<>();
        Map<String, Score> heldOut = new TreeMap<>();
        List<String> misses = new ArrayList<>();
        // Each file has its own split, so that adding a file leaves the held-out cases of the others as they were.
        for (String resource : CASE_FILES) {
            List<JsonObject> cases = readCases(resource);
            for (int i = 0; i < cases.size(); i++) {
                JsonObject testCase = cases.get(i);
                if (!testCase.getBoolean("positions_complete")) {
                    continue;
                }
                Map<String, Score> scores = i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 ? heldOut : tuning;
                score(testCase, detector.detect(testCase.getString("text")), scores, misses);
            }
        }
        String report = "Tuning cases (four in five):\n\n" + table(tuning) + "\nHeld-out cases (every 5th):\n\n"
                + table(heldOut);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/detection-evaluation.md"), report);
        Files.writeString(Path.of("target/detection-evaluation-misses.txt"), String.join("\n", misses) + "\n");
        System.out.println(report);

        // Floors that the detectors reach on the tuning cases, not the goal of 0.95 for both.
        // docs/detection.md marks which types meet the goal.
        // Digit-only national identifiers without groups count only after a context word.
        Map<String, Double> recallFloors = Map.ofEntries(Map.entry(EntityTypes.EMAIL_ADDRESS, 0.95),
                Map.entry(EntityTypes.CREDIT_CARD, 0.95), Map.entry(EntityTypes.IBAN, 0.95),
                Map.entry(EntityTypes.IP_ADDRESS, 0.95), Map.entry(EntityTypes.CRYPTO, 0.95),
                Map.entry(EntityTypes.PHONE_NUMBER, 0.85), Map.entry(EntityTypes.US_SSN, 0.7),
                Map.entry(EntityTypes.ES_NIF, 0.95), Map.entry(EntityTypes.ES_NIE, 0.95),
                Map.entry(EntityTypes.CA_SIN, 0.7), Map.entry(EntityTypes.IN_AADHAAR, 0.7),
                Map.entry(EntityTypes.IT_FISCAL_CODE, 0.6), Map.entry(EntityTypes.UK_NHS, 0.5));
        recallFloors.forEach((type, floor) -> {
            assertThat(tuning.get(type).precision()).as("precision of %s", type).isGreaterThanOrEqualTo(0.95);
            assertThat(tuning.get(type).recall()).as("recall of %s", type).isGreaterThanOrEqualTo(floor);
        });
    }

    private static void score(JsonObject testCase, List<Finding> findings, Map<String, Score> scores, List<String> misses) {
        String text = testCase.getString("text");
        for (Object typeUnderTest : testCase.getJsonArray("entity_types_under_test").stream().distinct().toList()) {
            String type = PRESIDIO_TYPES.get((String) typeUnderTest);
            Score score = scores.computeIfAbsent(type, t -> new Score());
            score.cases++;
            List<int[]> labels = new ArrayList<>();
            for (Object entity : testCase.getJsonArray("entities")) {
                JsonObject label = (JsonObject) entity;
                if (type.equals(PRESIDIO_TYPES.get(label.getString("type")))) {
                    labels.add(new int[] {text.offsetByCodePoints(0, label.getInteger("start")),
                            text.offsetByCodePoints(0, label.getInteger("end"))});
                }
            }
            List<Finding> ofType = findings.stream().filter(f -> f.type().equals(type)).toList();
            score.labels += labels.size();
            score.findings += ofType.size();
            for (int[] label : labels) {
                if (ofType.stream().anyMatch(f -> f.overlaps(label[0], label[1]))) {
                    score.labelsFound++;
                } else {
                    misses.add("missed " + type + " at line " + line(testCase) + ": " + text.substring(label[0], label[1]));
                }
            }
            for (Finding finding : ofType) {
                if (labels.stream().anyMatch(label -> finding.overlaps(label[0], label[1]))) {
                    score.correctFindings++;
                } else {
                    misses.add("false " + type + " at line " + line(testCase) + ": "
                            + text.substring(finding.start(), finding.end()));
                }
            }
        }
    }

    private static int line(JsonObject testCase) {
        return testCase.getJsonObject("source").getInteger("line");
    }

    static String table(Map<String, Score> scores) {
        StringBuilder table = new StringBuilder("| Type | Cases | Labels | Found | Findings | Correct | Precision"
                + " | Recall | Goal 0.95 met |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        scores.forEach((type, s) -> table.append(String.format(java.util.Locale.ROOT,
                "| %s | %d | %d | %d | %d | %d | %.3f | %.3f | %s |%n", type, s.cases, s.labels, s.labelsFound,
                s.findings, s.correctFindings, s.precision(), s.recall(), goalMet(s.precision(), s.recall()))));
        return table.toString();
    }

    /** Returns "yes", or "no" with the measure that misses the goal of 0.95. */
    static String goalMet(double precision, double recall) {
        boolean precise = precision >= GOAL;
        boolean complete = recall >= GOAL;
        if (precise && complete) {
            return "yes";
        }
        return precise ? "no (recall)" : complete ? "no (precision)" : "no";
    }

    private static List<JsonObject> readCases(String resource) throws IOException {
        try (InputStream in = DetectionEvaluationTest.class.getResourceAsStream(resource)) {
            String content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<JsonObject> cases = new ArrayList<>();
            for (String line : content.split("\n")) {
                if (!line.isBlank()) {
                    cases.add(new JsonObject(line));
                }
            }
            return cases;
        }
    }
}
