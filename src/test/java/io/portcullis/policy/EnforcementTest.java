package io.portcullis.policy;

import io.portcullis.api.ChatRequest;
import io.portcullis.api.ChatRequestParser;
import io.portcullis.error.ErrorCode;
import io.portcullis.error.GatewayException;
import io.portcullis.policy.Enforcement.Enforced;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnforcementTest {

    private static final String MESSAGES = "\"model\": \"sim-gpt\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";
    private static final String WEATHER = "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}";
    private static final String SHELL = "{\"type\": \"function\", \"function\": {\"name\": \"run_shell\"}}";
    private static final String CUSTOM = "{\"type\": \"custom\", \"custom\": {\"name\": \"grammar\"}}";

    /**
     * Lists the cases, each with a label, the request's extra members, the decision's constraints, and the
     * forwarded body's extra members (null: forwarded unchanged, byte for byte).
     */
    static Stream<Arguments> rewrites() {
        return Stream.of(
                Arguments.of("no constraints", "", "{}", null),
                Arguments.of("max_tokens lowered", ", \"max_tokens\": 4096", "{\"max_tokens\": 512}",
                        ", \"max_tokens\": 512"),
                Arguments.of("max_completion_tokens lowered", ", \"max_completion_tokens\": 4096",
                        "{\"max_tokens\": 512}", ", \"max_completion_tokens\": 512"),
                Arguments.of("both fields lowered", ", \"max_tokens\": 4096, \"max_completion_tokens\": 2048",
                        "{\"max_tokens\": 512}", ", \"max_tokens\": 512, \"max_completion_tokens\": 512"),
                Arguments.of("only the field above the cap lowered",
                        ", \"max_tokens\": 100, \"max_completion_tokens\": 2048", "{\"max_tokens\": 512}",
                        ", \"max_tokens\": 100, \"max_completion_tokens\": 512"),
                Arguments.of("cap set when absent", "", "{\"max_tokens\": 512}", ", \"max_completion_tokens\": 512"),
                Arguments.of("cap set when null", ", \"max_tokens\": null", "{\"max_tokens\": 512}",
                        ", \"max_tokens\": null, \"max_completion_tokens\": 512"),
                Arguments.of("value below the cap kept", ", \"max_tokens\": 100", "{\"max_tokens\": 512}", null),
                Arguments.of("value equal to the cap kept", ", \"max_completion_tokens\": 512",
                        "{\"max_tokens\": 512}", null),
                Arguments.of("allowed model kept", "", "{\"models\": [\"sim-gpt\", \"sim-gpt-mini\"]}", null),
                Arguments.of("allowed tools kept", ", \"tools\": [" + WEATHER + "]",
                        "{\"tools\": [\"get_weather\"]}", null),
                Arguments.of("tool removed", ", \"tools\": [" + WEATHER + ", " + SHELL + "]",
                        "{\"tools\": [\"get_weather\"]}", ", \"tools\": [" + WEATHER + "]"),
                Arguments.of("last tool removed with tool_choice and parallel_tool_calls",
                        ", \"tools\": [" + SHELL + "], \"tool_choice\": \"required\", \"parallel_tool_calls\": true",
                        "{\"tools\": [\"get_weather\"]}", ""),
                Arguments.of("tool_choice naming a removed tool dropped",
                        ", \"tools\": [" + WEATHER + ", " + SHELL + "], \"tool_choice\": {\"type\": \"function\","
                                + " \"function\": {\"name\": \"run_shell\"}}",
                        "{\"tools\": [\"get_weather\"]}", ", \"tools\": [" + WEATHER + "]"),
                Arguments.of("tool_choice naming a kept tool kept",
                        ", \"tools\": [" + WEATHER + ", " + SHELL + "], \"tool_choice\": {\"type\": \"function\","
                                + " \"function\": {\"name\": \"get_weather\"}}",
                        "{\"tools\": [\"get_weather\"]}",
                        ", \"tools\": [" + WEATHER + "], \"tool_choice\": {\"type\": \"function\","
                                + " \"function\": {\"name\": \"get_weather\"}}"),
                Arguments.of("string tool_choice kept while tools remain",
                        ", \"tools\": [" + WEATHER + ", " + SHELL + "], \"tool_choice\": \"auto\"",
                        "{\"tools\": [\"get_weather\"]}", ", \"tools\": [" + WEATHER + "], \"tool_choice\": \"auto\""),
                Arguments.of("allowed_tools narrowed",
                        ", \"tools\": [" + WEATHER + ", " + SHELL + "], \"tool_choice\": {\"type\": \"allowed_tools\","
                                + " \"allowed_tools\": {\"mode\": \"auto\", \"tools\": [" + WEATHER + ", " + SHELL + "]}}",
                        "{\"tools\": [\"get_weather\"]}",
                        ", \"tools\": [" + WEATHER + "], \"tool_choice\": {\"type\": \"allowed_tools\","
                                + " \"allowed_tools\": {\"mode\": \"auto\", \"tools\": [" + WEATHER + "]}}"),
                Arguments.of("allowed_tools with no kept tool dropped",
                        ", \"tools\": [" + WEATHER + ", " + SHELL + "], \"tool_choice\": {\"type\": \"allowed_tools\","
                                + " \"allowed_tools\": {\"mode\": \"required\", \"tools\": [" + SHELL + "]}}",
                        "{\"tools\": [\"get_weather\"]}", ", \"tools\": [" + WEATHER + "]"),
                Arguments.of("custom tool removed", ", \"tools\": [" + WEATHER + ", " + CUSTOM + "]",
                        "{\"tools\": [\"get_weather\", \"grammar\"]}", ", \"tools\": [" + WEATHER + "]"),
                Arguments.of("empty allow list removes every tool", ", \"tools\": [" + WEATHER + "]",
                        "{\"tools\": []}", ""),
                Arguments.of("legacy function removed with function_call",
                        ", \"functions\": [{\"name\": \"get_weather\"}, {\"name\": \"run_shell\"}],"
                                + " \"function_call\": {\"name\": \"run_shell\"}",
                        "{\"tools\": [\"get_weather\"]}", ", \"functions\": [{\"name\": \"get_weather\"}]"),
                Arguments.of("last legacy function removed with function_call",
                        ", \"functions\": [{\"name\": \"run_shell\"}], \"function_call\": \"auto\"",
                        "{\"tools\": [\"get_weather\"]}", ""),
                Arguments.of("tools removed and cap set", ", \"tools\": [" + SHELL + "], \"stream\": true",
                        "{\"tools\": [], \"max_tokens\": 64}", ", \"stream\": true, \"max_completion_tokens\": 64"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rewrites")
    void constraintsRewriteRequest(String label, String members, String constraints, String expected) {
        ChatRequest request = request(members);
        Enforced enforced = Enforcement.apply(decision("\"allow\": true, \"constraints\": " + constraints), request);
        if (expected == null) {
            assertThat(enforced.rewritten()).isFalse();
            assertThat(enforced.request()).isSameAs(request);
            return;
        }
        assertThat(enforced.rewritten()).isTrue();
        assertThat(enforced.request().json()).isEqualTo(new JsonObject("{" + MESSAGES + expected + "}"));
        assertThat(new JsonObject(enforced.request().raw())).isEqualTo(enforced.request().json());
    }

    @Test
    void capIsReported() {
        Enforced enforced = Enforcement.apply(decision("\"allow\": true, \"constraints\": {\"max_tokens\": 512}"),
                request(", \"max_tokens\": 10"));
        assertThat(enforced.maxTokensCap()).isEqualTo(512);
        Enforced uncapped = Enforcement.apply(decision("\"allow\": true"), request(""));
        assertThat(uncapped.maxTokensCap()).isNull();
    }

    @Test
    void rewrittenRequestIsParsedAgain() {
        Enforced enforced = Enforcement.apply(decision("\"allow\": true, \"constraints\": {\"max_tokens\": 7,"
                + " \"tools\": [\"get_weather\"]}"), request(", \"tools\": [" + WEATHER + ", " + SHELL + "]"));
        assertThat(enforced.request().maxTokens()).isEqualTo(7);
        assertThat(enforced.request().toolNames()).containsExactly("get_weather");
    }

    /** Lists the cases, each with a label, the request's extra members, the decision's members, the caller's message and param. */
    static Stream<Arguments> denials() {
        return Stream.of(
                Arguments.of("deny with reasons", "", "\"allow\": false, \"reasons\": [\"off hours\", \"no purpose\"]",
                        "off hours; no purpose", null),
                Arguments.of("deny without reasons", "", "\"allow\": false",
                        ErrorCode.POLICY_DENIED.message(), null),
                Arguments.of("deny with control characters", "", "\"allow\": false, \"reasons\": [\"a\\nb\"]",
                        "a b", null),
                Arguments.of("deny beats constraints", "", "\"allow\": false, \"reasons\": [\"no\"],"
                        + " \"constraints\": {\"max_tokens\": 5}", "no", null),
                Arguments.of("model outside the list", "", "\"allow\": true, \"constraints\": {\"models\": [\"other\"]}",
                        "The policy does not allow the model 'sim-gpt'.", "model"),
                Arguments.of("empty model list", "", "\"allow\": true, \"constraints\": {\"models\": []}",
                        "The policy does not allow the model 'sim-gpt'.", "model"),
                Arguments.of("tool outside the list in deny mode", ", \"tools\": [" + WEATHER + ", " + SHELL + "]",
                        "\"allow\": true, \"constraints\": {\"tools\": [\"get_weather\"], \"tools_mode\": \"deny\"}",
                        "The policy does not allow these tools: run_shell.", "tools"),
                Arguments.of("custom tool in deny mode", ", \"tools\": [" + CUSTOM + "]",
                        "\"allow\": true, \"constraints\": {\"tools\": [\"grammar\"], \"tools_mode\": \"deny\"}",
                        "The policy does not allow these tools: custom tool.", "tools"),
                Arguments.of("legacy function in deny mode", ", \"functions\": [{\"name\": \"run_shell\"}]",
                        "\"allow\": true, \"constraints\": {\"tools\": [], \"tools_mode\": \"deny\"}",
                        "The policy does not allow these tools: run_shell.", "tools"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("denials")
    void decisionDeniesRequest(String label, String members, String decision, String message, String param) {
        ChatRequest request = request(members);
        assertThatThrownBy(() -> Enforcement.apply(decision(decision), request))
                .isInstanceOfSatisfying(GatewayException.class, failure -> {
                    assertThat(failure.errorCode()).isEqualTo(ErrorCode.POLICY_DENIED);
                    assertThat(failure.getMessage()).isEqualTo(message);
                    assertThat(failure.param()).isEqualTo(param);
                });
    }

    @Test
    void longReasonsAreShortened() {
        String reason = "r".repeat(3000);
        assertThatThrownBy(() -> Enforcement.apply(decision("\"allow\": false, \"reasons\": [\"" + reason + "\"]"),
                request("")))
                .hasMessageStartingWith("rrrr")
                .hasMessageEndingWith("...")
                .satisfies(failure -> assertThat(failure.getMessage()).hasSizeLessThan(2100));
    }

    @Test
    void maskingDecisionIsForwarded() {
        Enforced enforced = Enforcement.apply(decision("\"allow\": true, \"mask\": {\"prompt\": [\"EMAIL_ADDRESS\"],"
                + " \"response\": [\"IBAN\"], \"mode\": \"redact\"}"), request(""));
        assertThat(enforced.rewritten()).isFalse();
    }

    @Test
    void requiredApprovalIsLeftToApprovalStage() {
        Enforced enforced = Enforcement.apply(decision("\"allow\": true, \"approval\": {\"required\": true,"
                + " \"approver_groups\": [\"approvers\"]}"), request(""));
        assertThat(enforced.rewritten()).isFalse();
    }

    @Test
    void emptyMaskListsDoNotDeny() {
        Enforced enforced = Enforcement.apply(decision("\"allow\": true, \"mask\": {\"prompt\": [], \"response\": []},"
                + " \"approval\": {\"required\": false}"), request(""));
        assertThat(enforced.rewritten()).isFalse();
    }

    @Test
    void modelListIsFiltered() {
        List<String> routed = List.of("down-model", "sim-gpt", "sim-gpt-mini");
        assertThat(Enforcement.visibleModels(decision("\"allow\": true"), routed)).isEqualTo(routed);
        assertThat(Enforcement.visibleModels(decision("\"allow\": true, \"constraints\": {\"models\":"
                + " [\"sim-gpt-mini\", \"unrouted\", \"sim-gpt\"]}"), routed)).containsExactly("sim-gpt", "sim-gpt-mini");
        assertThat(Enforcement.visibleModels(decision("\"allow\": true, \"constraints\": {\"models\": []}"), routed))
                .isEmpty();
    }

    @Test
    void modelListIgnoresMaskAndApproval() {
        PolicyDecision decision = decision("\"allow\": true, \"mask\": {\"prompt\": [\"IBAN\"], \"mode\": \"redact\"},"
                + " \"approval\": {\"required\": true, \"approver_groups\": [\"approvers\"]}");
        assertThat(Enforcement.visibleModels(decision, List.of("sim-gpt"))).containsExactly("sim-gpt");
    }

    @Test
    void deniedModelListFails() {
        assertThatThrownBy(() -> Enforcement.visibleModels(decision("\"allow\": false, \"reasons\": [\"no\"]"),
                List.of("sim-gpt")))
                .isInstanceOfSatisfying(GatewayException.class,
                        failure -> assertThat(failure.errorCode()).isEqualTo(ErrorCode.POLICY_DENIED))
                .hasMessage("no");
    }

    private static ChatRequest request(String members) {
        return ChatRequestParser.parse(Buffer.buffer("{" + MESSAGES + members + "}"));
    }

    private static PolicyDecision decision(String members) {
        return DecisionParser.parse(new JsonObject("{\"result\": {\"version\": \"portcullis.policy.decision/v1\", "
                + members + "}}"));
    }
}
