package io.portcullis.policy;

import io.portcullis.policy.PolicyDecision.MaskMode;
import io.portcullis.policy.PolicyDecision.Recording;
import io.portcullis.policy.PolicyDecision.ToolsMode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecisionParserTest {

    private static final String V1 = "\"version\": \"portcullis.policy.decision/v1\"";

    /** Lists the cases, each with a label, OPA's response body, and a fragment of the logged reason. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("undefined result", "{}", "undefined"),
                Arguments.of("undefined with decision id", "{\"decision_id\": \"d-1\"}", "undefined"),
                Arguments.of("null result", "{\"result\": null}", "the result is null"),
                Arguments.of("boolean result", "{\"result\": true}", "the result is a boolean"),
                Arguments.of("array result", "{\"result\": [1]}", "the result is an array"),
                Arguments.of("string result", "{\"result\": \"allow\"}", "the result is a string"),
                Arguments.of("version missing", result("\"allow\": true"), "version is missing"),
                Arguments.of("version not a string", result("\"version\": 1, \"allow\": true"),
                        "version is a number"),
                Arguments.of("another version", result("\"version\": \"portcullis.policy.decision/v2\", \"allow\": true"),
                        "accepts portcullis.policy.decision/v1 only"),
                Arguments.of("allow missing", result(V1), "allow is missing"),
                Arguments.of("allow a string", result(V1 + ", \"allow\": \"true\""), "allow is a string"),
                Arguments.of("allow null", result(V1 + ", \"allow\": null"), "allow is null"),
                Arguments.of("allow a number", result(V1 + ", \"allow\": 1"), "allow is a number"),
                Arguments.of("unknown member", result(V1 + ", \"allow\": true, \"constraint\": {}"),
                        "unknown member 'constraint'"),
                Arguments.of("reasons a string", allow("\"reasons\": \"no\""), "reasons is a string"),
                Arguments.of("reasons with a number", allow("\"reasons\": [\"a\", 2]"), "reasons[1] is a number"),
                Arguments.of("reasons null", allow("\"reasons\": null"), "reasons is null"),
                Arguments.of("mask an array", allow("\"mask\": []"), "mask is an array"),
                Arguments.of("mask.prompt a string", allow("\"mask\": {\"prompt\": \"EMAIL_ADDRESS\"}"),
                        "mask.prompt is a string"),
                Arguments.of("mask.prompt blank entry", allow("\"mask\": {\"prompt\": [\" \"], \"mode\": \"redact\"}"),
                        "mask.prompt[0] is a string, but it must be a non-blank string"),
                Arguments.of("mask.response with null",
                        allow("\"mask\": {\"response\": [null], \"mode\": \"redact\"}"), "mask.response[0] is null"),
                Arguments.of("mask.mode unknown", allow("\"mask\": {\"prompt\": [\"IBAN\"], \"mode\": \"hash\"}"),
                        "mask.mode is 'hash'"),
                Arguments.of("mask.mode upper case",
                        allow("\"mask\": {\"prompt\": [\"IBAN\"], \"mode\": \"REDACT\"}"), "mask.mode is 'REDACT'"),
                Arguments.of("mask.mode missing with types", allow("\"mask\": {\"prompt\": [\"IBAN\"]}"),
                        "mask.mode is missing"),
                Arguments.of("mask.restore a string",
                        allow("\"mask\": {\"prompt\": [], \"mode\": \"pseudonymize\", \"restore\": \"yes\"}"),
                        "mask.restore is a string"),
                Arguments.of("mask.restore with redact",
                        allow("\"mask\": {\"prompt\": [\"IBAN\"], \"mode\": \"redact\", \"restore\": true}"),
                        "mask.restore is true, and it requires mask.mode \"pseudonymize\""),
                Arguments.of("mask unknown member", allow("\"mask\": {\"prompts\": []}"),
                        "unknown member 'mask.prompts'"),
                Arguments.of("approval a boolean", allow("\"approval\": true"), "approval is a boolean"),
                Arguments.of("approval.required a string", allow("\"approval\": {\"required\": \"yes\"}"),
                        "approval.required is a string"),
                Arguments.of("approval without groups", allow("\"approval\": {\"required\": true}"),
                        "approval.approver_groups is missing or empty"),
                Arguments.of("approval with empty groups",
                        allow("\"approval\": {\"required\": true, \"approver_groups\": []}"),
                        "approval.approver_groups is missing or empty"),
                Arguments.of("approval.min_approvals zero", allow(approval("\"min_approvals\": 0")),
                        "approval.min_approvals is 0"),
                Arguments.of("approval.min_approvals fractional", allow(approval("\"min_approvals\": 1.5")),
                        "approval.min_approvals is 1.5"),
                Arguments.of("approval.ttl_seconds a string", allow(approval("\"ttl_seconds\": \"600\"")),
                        "approval.ttl_seconds is a string"),
                Arguments.of("approval.reason a number", allow(approval("\"reason\": 7")),
                        "approval.reason is a number"),
                Arguments.of("approval unknown member", allow(approval("\"approvers\": [\"a\"]")),
                        "unknown member 'approval.approvers'"),
                Arguments.of("constraints an array", allow("\"constraints\": []"), "constraints is an array"),
                Arguments.of("constraints.models a string", allow("\"constraints\": {\"models\": \"sim-gpt\"}"),
                        "constraints.models is a string"),
                Arguments.of("constraints.models with an object", allow("\"constraints\": {\"models\": [{}]}"),
                        "constraints.models[0] is an object"),
                Arguments.of("constraints.models null", allow("\"constraints\": {\"models\": null}"),
                        "constraints.models is null"),
                Arguments.of("constraints.max_tokens zero", allow("\"constraints\": {\"max_tokens\": 0}"),
                        "constraints.max_tokens is 0"),
                Arguments.of("constraints.max_tokens negative", allow("\"constraints\": {\"max_tokens\": -5}"),
                        "constraints.max_tokens is -5"),
                Arguments.of("constraints.max_tokens fractional", allow("\"constraints\": {\"max_tokens\": 10.5}"),
                        "constraints.max_tokens is 10.5"),
                Arguments.of("constraints.max_tokens beyond int",
                        allow("\"constraints\": {\"max_tokens\": 4294967296}"), "constraints.max_tokens is 4294967296"),
                Arguments.of("constraints.max_tokens a string", allow("\"constraints\": {\"max_tokens\": \"256\"}"),
                        "constraints.max_tokens is a string"),
                Arguments.of("constraints.tools a boolean", allow("\"constraints\": {\"tools\": false}"),
                        "constraints.tools is a boolean"),
                Arguments.of("constraints.tools_mode unknown", allow("\"constraints\": {\"tools_mode\": \"strip\"}"),
                        "constraints.tools_mode is 'strip'"),
                Arguments.of("constraints.tools_mode a boolean", allow("\"constraints\": {\"tools_mode\": true}"),
                        "constraints.tools_mode is a boolean"),
                Arguments.of("constraints unknown member", allow("\"constraints\": {\"max_token\": 5}"),
                        "unknown member 'constraints.max_token'"),
                Arguments.of("record unknown", allow("\"record\": \"none\""), "record is 'none'"),
                Arguments.of("record an object", allow("\"record\": {}"), "record is an object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedDecisionIsRejected(String label, String answer, String reason) {
        JsonObject response = new JsonObject(answer);
        assertThatThrownBy(() -> DecisionParser.parse(response))
                .isInstanceOf(InvalidDecisionException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void minimalDecisionGetsDefaults() {
        PolicyDecision decision = DecisionParser.parse(new JsonObject(result(V1 + ", \"allow\": true")));
        assertThat(decision.allow()).isTrue();
        assertThat(decision.reasons()).isEmpty();
        assertThat(decision.mask().required()).isFalse();
        assertThat(decision.approval().required()).isFalse();
        assertThat(decision.approval().minApprovals()).isEqualTo(1);
        assertThat(decision.constraints().models()).isNull();
        assertThat(decision.constraints().maxTokens()).isNull();
        assertThat(decision.constraints().tools()).isNull();
        assertThat(decision.constraints().toolsMode()).isEqualTo(ToolsMode.REMOVE);
        assertThat(decision.recording()).isEqualTo(Recording.FULL);
        assertThat(decision.decisionId()).isNull();
    }

    @Test
    void documentedExampleIsRead() {
        String answer = """
                {"decision_id": "4ca636c1-55e4-417a-b1d8-4aceb67960d1", "result": {
                  "version": "portcullis.policy.decision/v1",
                  "allow": true,
                  "reasons": [],
                  "mask": {"prompt": ["EMAIL_ADDRESS"], "response": ["EMAIL_ADDRESS"], "mode": "pseudonymize"},
                  "approval": {"required": false},
                  "constraints": {"models": ["smollm2-135m-instruct"], "max_tokens": 1024,
                                  "tools": ["get_weather"], "tools_mode": "remove"},
                  "record": "full"}}""";
        PolicyDecision decision = DecisionParser.parse(new JsonObject(answer));
        assertThat(decision.decisionId()).isEqualTo("4ca636c1-55e4-417a-b1d8-4aceb67960d1");
        assertThat(decision.mask().prompt()).containsExactly("EMAIL_ADDRESS");
        assertThat(decision.mask().response()).containsExactly("EMAIL_ADDRESS");
        assertThat(decision.mask().mode()).isEqualTo(MaskMode.PSEUDONYMIZE);
        assertThat(decision.mask().restore()).isFalse();
        assertThat(decision.constraints().models()).containsExactly("smollm2-135m-instruct");
        assertThat(decision.constraints().maxTokens()).isEqualTo(1024);
        assertThat(decision.constraints().tools()).containsExactly("get_weather");
    }

    @Test
    void denyKeepsReasonsInOrder() {
        PolicyDecision decision = DecisionParser.parse(new JsonObject(
                result(V1 + ", \"allow\": false, \"reasons\": [\"outside office hours\", \"no purpose\"]")));
        assertThat(decision.allow()).isFalse();
        assertThat(decision.reasons()).containsExactly("outside office hours", "no purpose");
    }

    @Test
    void fullApprovalIsRead() {
        PolicyDecision decision = DecisionParser.parse(new JsonObject(allow(approval(
                "\"min_approvals\": 2, \"ttl_seconds\": 600, \"reason\": \"production data\""))));
        assertThat(decision.approval().required()).isTrue();
        assertThat(decision.approval().approverGroups()).containsExactly("approvers");
        assertThat(decision.approval().minApprovals()).isEqualTo(2);
        assertThat(decision.approval().ttlSeconds()).isEqualTo(600);
        assertThat(decision.approval().reason()).isEqualTo("production data");
    }

    @Test
    void emptyMaskListsNeedNoMode() {
        PolicyDecision decision = DecisionParser.parse(new JsonObject(allow("\"mask\": {\"prompt\": [], \"response\": []}")));
        assertThat(decision.mask().required()).isFalse();
    }

    @Test
    void integralFloatIsAcceptedAsInteger() {
        PolicyDecision decision = DecisionParser.parse(new JsonObject(allow("\"constraints\": {\"max_tokens\": 64.0}")));
        assertThat(decision.constraints().maxTokens()).isEqualTo(64);
    }

    @Test
    void emptyModelListAllowsNoModel() {
        PolicyDecision decision = DecisionParser.parse(new JsonObject(allow("\"constraints\": {\"models\": []}")));
        assertThat(decision.constraints().models()).isEqualTo(List.of());
    }

    @Test
    void unsafeDecisionIdIsDropped() {
        for (String id : List.of("", "has space", "line\nbreak", "x".repeat(129))) {
            JsonObject response = new JsonObject(result(V1 + ", \"allow\": true")).put("decision_id", id);
            assertThat(DecisionParser.parse(response).decisionId()).as("decision id %s", id).isNull();
        }
        JsonObject numeric = new JsonObject(result(V1 + ", \"allow\": true")).put("decision_id", 42);
        assertThat(DecisionParser.parse(numeric).decisionId()).isNull();
    }

    @Test
    void reasonQuotesNoLongValue() {
        String longVersion = "v".repeat(500);
        JsonObject response = new JsonObject(result("\"version\": \"" + longVersion + "\", \"allow\": true"));
        assertThatThrownBy(() -> DecisionParser.parse(response))
                .hasMessageNotContaining(longVersion)
                .hasMessageContaining("...");
    }

    private static String result(String members) {
        return "{\"result\": {" + members + "}}";
    }

    private static String allow(String members) {
        return result(V1 + ", \"allow\": true, " + members);
    }

    private static String approval(String members) {
        return "\"approval\": {\"required\": true, \"approver_groups\": [\"approvers\"], " + members + "}";
    }
}
