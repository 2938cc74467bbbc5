package io.portcullis.inspection;

import io.portcullis.api.ChatRequest;
import io.portcullis.api.ChatRequestParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptInspectorTest {

    /** Lists the cases, each with a label, the messages, and the estimated prompt tokens. */
    static Stream<Arguments> estimates() {
        return Stream.of(
                Arguments.of("one character", "[{\"role\": \"user\", \"content\": \"a\"}]", 1),
                Arguments.of("four characters", "[{\"role\": \"user\", \"content\": \"abcd\"}]", 1),
                Arguments.of("five characters", "[{\"role\": \"user\", \"content\": \"abcde\"}]", 2),
                Arguments.of("empty content", "[{\"role\": \"user\", \"content\": \"\"}]", 0),
                Arguments.of("null content", "[{\"role\": \"assistant\", \"content\": null}]", 0),
                Arguments.of("sum over messages", "[{\"role\": \"system\", \"content\": \"abc\"},"
                        + " {\"role\": \"user\", \"content\": \"defgh\"}]", 2),
                Arguments.of("text parts", "[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"abcd\"},"
                        + " {\"type\": \"text\", \"text\": \"e\"}]}]", 2),
                Arguments.of("image part not counted", "[{\"role\": \"user\", \"content\": [{\"type\": \"image_url\","
                        + " \"image_url\": {\"url\": \"https://example.com/a-long-image-address.png\"}}]}]", 0),
                Arguments.of("code points, not UTF-16 units",
                        "[{\"role\": \"user\", \"content\": \"\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\"}]", 1),
                Arguments.of("tool calls counted", "[{\"role\": \"assistant\", \"content\": null, \"tool_calls\":"
                        + " [{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": \"f\","
                        + " \"arguments\": \"{}\"}}]}]", 2),
                Arguments.of("name and unknown part counted", "[{\"role\": \"user\", \"name\": \"abcd\", \"content\":"
                        + " [{\"type\": \"input_text\", \"text\": \"efgh\"}]}]", 2),
                Arguments.of("data URI not counted", "[{\"role\": \"user\", \"content\": [{\"type\": \"input_audio\","
                        + " \"input_audio\": {\"data\": \"data:audio/wav;base64,AAAA\"}}]}]", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("estimates")
    void promptTokensAreEstimated(String label, String messages, long tokens) {
        JsonObject body = new JsonObject().put("messages", new JsonArray(messages));
        assertThat(PromptInspector.estimateTokens(body)).isEqualTo(tokens);
    }

    @Test
    void summaryDescribesRequest() {
        ChatRequest request = request("{\"model\": \"sim-gpt\", \"stream\": true, \"n\": 2, \"max_tokens\": 99,"
                + " \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\","
                + " \"content\": \"Weather?\"}], \"tools\": [{\"type\": \"function\", \"function\":"
                + " {\"name\": \"get_weather\"}}], \"functions\": [{\"name\": \"legacy_lookup\"}, {\"bad\": 1}]}");
        RequestSummary summary = PromptInspector.summarize(request);
        assertThat(summary.api()).isEqualTo("chat.completions");
        assertThat(summary.model()).isEqualTo("sim-gpt");
        assertThat(summary.stream()).isTrue();
        assertThat(summary.choices()).isEqualTo(2);
        assertThat(summary.maxTokens()).isEqualTo(99);
        assertThat(summary.tools()).containsExactly("get_weather", "legacy_lookup");
        assertThat(summary.messageCount()).isEqualTo(2);
        // 17 characters of content, 11 of the tool name and 13 of the legacy function name.
        assertThat(summary.estimatedPromptTokens()).isEqualTo(11);
    }

    @Test
    void maxCompletionTokensWins() {
        RequestSummary summary = PromptInspector.summarize(request("{\"model\": \"m\", \"max_tokens\": 10,"
                + " \"max_completion_tokens\": 20, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"));
        assertThat(summary.maxTokens()).isEqualTo(20);
    }

    @Test
    void noDetectorMeansNoFindings() {
        Inspection inspection = new PromptInspector(List.of()).inspect(simpleRequest());
        assertThat(inspection.findings().counts()).isEmpty();
        assertThat(inspection.findings().isEmpty()).isTrue();
    }

    @Test
    void detectorCountsAreAdded() {
        FindingsDetector emails = request -> Findings.of(Map.of("EMAIL_ADDRESS", 2));
        FindingsDetector mixed = request -> Findings.of(Map.of("EMAIL_ADDRESS", 1, "IBAN", 1, "PHONE_NUMBER", 0));
        Inspection inspection = new PromptInspector(List.of(emails, mixed)).inspect(simpleRequest());
        assertThat(inspection.findings().counts()).containsExactly(Map.entry("EMAIL_ADDRESS", 3), Map.entry("IBAN", 1));
    }

    @Test
    void invalidFindingIsRejected() {
        assertThatThrownBy(() -> Findings.of(Map.of("IBAN", -1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Findings.of(Map.of(" ", 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void modelsListSummaryHasApiOnly() {
        RequestSummary summary = RequestSummary.modelsList();
        assertThat(summary.isModelsList()).isTrue();
        assertThat(summary.model()).isNull();
    }

    private static ChatRequest simpleRequest() {
        return request("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
    }

    private static ChatRequest request(String json) {
        return ChatRequestParser.parse(Buffer.buffer(json));
    }
}
