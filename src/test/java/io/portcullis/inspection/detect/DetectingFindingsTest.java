package io.portcullis.inspection.detect;

import io.portcullis.api.ChatRequest;
import io.portcullis.api.ChatRequestParser;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DetectingFindingsTest {

    private final DetectingFindings findings = new DetectingFindings(CompositeDetector.allDetectors("US", 0.5));

    @Test
    void everyRoleAndPartIsRead() {
        String body = """
                {"model": "m", "messages": [
                  {"role": "system", "content": "Escalate to ops@example.com."},
                  {"role": "user", "content": [
                    {"type": "text", "text": "My card is 4111 1111 1111 1111."},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "lookup", "arguments": "{\\"ip\\": \\"192.0.2.10\\"}"}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "owner: jane@example.com"},
                  {"role": "assistant", "content": null, "function_call": {"name": "f",
                    "arguments": "{\\"key\\": \\"AKIAIOSFODNN7EXAMPLE\\"}"}}]}
                """;
        assertThat(findings.detect(request(body)).counts()).isEqualTo(Map.of(
                "AWS_ACCESS_KEY", 1, "CREDIT_CARD", 1, "EMAIL_ADDRESS", 2, "IP_ADDRESS", 1));
    }

    @Test
    void plainPromptHasNoFindings() {
        String body = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Say hello in 3 languages.\"}]}";
        assertThat(findings.detect(request(body)).isEmpty()).isTrue();
    }

    @Test
    void minimumConfidenceDropsWeakFindings() {
        String body = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Order 536221234 shipped\"}]}";
        assertThat(findings.detect(request(body)).isEmpty()).isTrue();
        DetectingFindings everything = new DetectingFindings(CompositeDetector.allDetectors("US", 0.0));
        assertThat(everything.detect(request(body)).counts()).isEqualTo(Map.of("US_SSN", 1));
    }

    @Test
    void contextWordBeforeEntityCounts() {
        String before = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"my ssn is 536221234\"}]}";
        String after = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"536221234 is my ssn\"}]}";
        assertThat(findings.detect(request(before)).counts()).isEqualTo(Map.of("US_SSN", 1));
        assertThat(findings.detect(request(after)).isEmpty()).isTrue();
    }

    @Test
    void repeatedTextCountedAndKept() {
        String body = """
                {"model": "m", "messages": [
                  {"role": "user", "content": "Mail ops@example.com please."},
                  {"role": "assistant", "content": "Done."},
                  {"role": "user", "content": "Mail ops@example.com please."}]}
                """;
        ScannedPrompt scanned = findings.scan(request(body));

        assertThat(scanned.findings().counts()).isEqualTo(Map.of("EMAIL_ADDRESS", 2));
        assertThat(scanned.detector()).isSameAs(findings.detector());
        assertThat(scanned.detect("Mail ops@example.com please."))
                .extracting(Finding::type, Finding::start, Finding::end)
                .containsExactly(tuple("EMAIL_ADDRESS", 5, 20));
        // A text the inspection did not see is scanned by the inspection's detector.
        assertThat(scanned.detect("Write to bob@example.org."))
                .isEqualTo(findings.detector().detect("Write to bob@example.org."));
    }

    private static ChatRequest request(String body) {
        return ChatRequestParser.parse(Buffer.buffer(body));
    }
}
