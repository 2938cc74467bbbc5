package io.portcullis.inspection.detect;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomEntitiesTest {

    private static final String SOURCE = "data.portcullis.config.custom_entities";

    @Test
    void patternAndDictionaryFound() {
        List<Detector> detectors = CustomEntities.fromJson(SOURCE, new JsonObject("""
                {"patterns": {"customer_id": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9]{6}", "confidence": 0.8}},
                 "dictionaries": {"code_names": {"type": "PROJECT_CODE_NAME", "words": ["Bluebird", "Night Jar"]}}}
                """));
        CompositeDetector detector = new CompositeDetector(detectors, 0.5);
        String text = "Ticket for CUST-004211 about bluebird and Night Jar, not Bluebirds.";
        assertThat(detector.detect(text)).containsExactly(
                new Finding("CUSTOMER_ID", 11, 22, 0.8),
                new Finding("PROJECT_CODE_NAME", 29, 37, 0.9),
                new Finding("PROJECT_CODE_NAME", 42, 51, 0.9));
    }

    @Test
    void caseSensitiveDictionary() {
        List<Detector> detectors = CustomEntities.fromJson(SOURCE, new JsonObject("""
                {"dictionaries": {"names": {"type": "CODE", "words": ["Apollo"], "case_sensitive": true}}}
                """));
        assertThat(detectors.getFirst().detect("apollo Apollo")).containsExactly(new Finding("CODE", 7, 13, 0.9));
    }

    @Test
    void emptyDocumentHasNoEntities() {
        assertThat(CustomEntities.fromJson(SOURCE, new JsonObject())).isEmpty();
    }

    @Test
    void invalidRegexNamesEntry() {
        JsonObject document = new JsonObject("""
                {"patterns": {"broken": {"type": "CUSTOMER_ID", "regex": "CUST-[0-9"}}}
                """);
        assertThatThrownBy(() -> CustomEntities.fromJson(SOURCE, document))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid data.portcullis.config.custom_entities.patterns.broken.regex:")
                .hasMessageContaining("java.util.regex.Pattern syntax");
    }

    @Test
    void regexMatchingEmptyStringRejected() {
        JsonObject document = new JsonObject("""
                {"patterns": {"anything": {"type": "CUSTOMER_ID", "regex": "[0-9]*"}}}
                """);
        assertThatThrownBy(() -> CustomEntities.fromJson(SOURCE, document))
                .hasMessageContaining("patterns.anything.regex: it matches the empty string");
    }

    @Test
    void lowerCaseTypeRejected() {
        JsonObject document = new JsonObject("""
                {"patterns": {"id": {"type": "customer id", "regex": "C[0-9]+"}}}
                """);
        assertThatThrownBy(() -> CustomEntities.fromJson(SOURCE, document))
                .hasMessageContaining("patterns.id.type=customer id")
                .hasMessageContaining("such as CUSTOMER_ID");
    }

    @Test
    void confidenceOutOfRangeRejected() {
        JsonObject document = new JsonObject("""
                {"patterns": {"id": {"type": "ID", "regex": "C[0-9]+", "confidence": 2}}}
                """);
        assertThatThrownBy(() -> CustomEntities.fromJson(SOURCE, document))
                .hasMessageContaining("patterns.id.confidence=2");
    }

    @Test
    void blankWordRejected() {
        JsonObject document = new JsonObject("""
                {"dictionaries": {"names": {"type": "CODE", "words": ["Apollo", " "]}}}
                """);
        assertThatThrownBy(() -> CustomEntities.fromJson(SOURCE, document))
                .hasMessageContaining("dictionaries.names.words[1]: the word is blank");
    }

    @Test
    void missingWordsRejected() {
        JsonObject document = new JsonObject("""
                {"dictionaries": {"names": {"type": "CODE"}}}
                """);
        assertThatThrownBy(() -> CustomEntities.fromJson(SOURCE, document))
                .hasMessageContaining("dictionaries.names.words=missing");
    }

    @Test
    void patternHeldWhileIncomplete() {
        Detector detector = CustomEntities.pattern("test", "CUSTOMER_ID", "CUST-[0-9]{6}\\b", 0.9);
        assertThat(detector.holdFrom("Ticket CUST-0042")).isEqualTo(7);
        assertThat(detector.holdFrom("Ticket CUST-004211")).isEqualTo(7);
        assertThat(detector.holdFrom("Ticket CUST-004211 is open")).isEqualTo(26);
    }

    @Test
    void dictionaryHeldWhilePrefixOfWord() {
        Detector detector = CustomEntities.dictionary("test", "CODE", List.of("Night Jar"), 0.9, false);
        assertThat(detector.holdFrom("We call it Night")).isEqualTo(11);
        assertThat(detector.holdFrom("We call it Nightly")).isEqualTo(18);
    }
}
