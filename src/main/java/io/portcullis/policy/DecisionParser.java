package io.portcullis.policy;

import io.portcullis.policy.PolicyDecision.Approval;
import io.portcullis.policy.PolicyDecision.Constraints;
import io.portcullis.policy.PolicyDecision.Mask;
import io.portcullis.policy.PolicyDecision.MaskMode;
import io.portcullis.policy.PolicyDecision.Recording;
import io.portcullis.policy.PolicyDecision.ToolsMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads OPA's response to a request decision query strictly. Everything that docs/policy.md does
 * not allow is rejected with {@link InvalidDecisionException}: an undefined result, a result
 * that is not an object, another version, a missing {@code version} or {@code allow}, a field
 * of the wrong type or range, and members the contract does not list. Unknown members are
 * rejected because a misspelled constraint would otherwise be ignored and the request let through
 * with fewer limits than the policy author meant.
 */
final class DecisionParser {

    private static final Set<String> DECISION_MEMBERS = Set.of("version", "allow", "reasons", "mask", "approval",
            "constraints", "record");
    private static final Set<String> TOOL_DECISION_MEMBERS = Set.of("version", "allow", "reasons", "approval");
    private static final Set<String> MASK_MEMBERS = Set.of("prompt", "response", "mode", "restore");
    private static final Set<String> APPROVAL_MEMBERS = Set.of("required", "approver_groups", "min_approvals",
            "ttl_seconds", "reason");
    private static final Set<String> CONSTRAINT_MEMBERS = Set.of("models", "max_tokens", "tools", "tools_mode");
    /** Maximum length of a member name or string value quoted in a log message. */
    private static final int MAX_QUOTED = 64;

    private DecisionParser() {
    }

    /**
     * Parses the body of {@code POST /v1/data/<path>}: {@code {"result": ..., "decision_id": ...}}.
     *
     * @throws InvalidDecisionException when the result is undefined or not a valid decision
     */
    static PolicyDecision parse(JsonObject response) {
        if (!response.containsKey("result")) {
            throw new InvalidDecisionException("the result is undefined: no rule matched the decision path, or the"
                    + " policy is not loaded");
        }
        if (!(response.getValue("result") instanceof JsonObject decision)) {
            throw new InvalidDecisionException("the result is " + describe(response.getValue("result"))
                    + ", not an object");
        }
        checkMembers(decision, "", DECISION_MEMBERS);
        String version = requiredString(decision, "version", "version");
        if (!PolicyDecision.VERSION.equals(version)) {
            throw new InvalidDecisionException("version is '" + quote(version) + "', but this gateway accepts "
                    + PolicyDecision.VERSION + " only");
        }
        if (!decision.containsKey("allow")) {
            throw new InvalidDecisionException("allow is missing");
        }
        return new PolicyDecision(
                booleanValue(decision.getValue("allow"), "allow"),
                strings(decision, "reasons", "reasons", false),
                mask(decision),
                approval(decision),
                constraints(decision),
                recording(decision),
                decisionId(response));
    }

    /**
     * Parses the body of a tool-call decision query, version {@value ToolCallDecision#VERSION}.
     *
     * @throws InvalidDecisionException when the result is undefined or not a valid tool-call decision
     */
    static ToolCallDecision parseToolCall(JsonObject response) {
        if (!(response.getValue("result") instanceof JsonObject decision)) {
            throw new InvalidDecisionException("the tool-call result is " + describe(response.getValue("result"))
                    + ", not an object");
        }
        checkMembers(decision, "", TOOL_DECISION_MEMBERS);
        String version = requiredString(decision, "version", "version");
        if (!ToolCallDecision.VERSION.equals(version)) {
            throw new InvalidDecisionException("version is '" + quote(version) + "', but this gateway accepts "
                    + ToolCallDecision.VERSION + " only for tool calls");
        }
        if (!decision.containsKey("allow")) {
            throw new InvalidDecisionException("allow is missing");
        }
        return new ToolCallDecision(
                booleanValue(decision.getValue("allow"), "allow"),
                strings(decision, "reasons", "reasons", false),
                approval(decision),
                decisionId(response));
    }

    private static Mask mask(JsonObject decision) {
        if (!decision.containsKey("mask")) {
            return Mask.NONE;
        }
        JsonObject mask = object(decision.getValue("mask"), "mask");
        checkMembers(mask, "mask.", MASK_MEMBERS);
        List<String> prompt = strings(mask, "prompt", "mask.prompt", true);
        List<String> response = strings(mask, "response", "mask.response", true);
        MaskMode mode = mask.containsKey("mode")
                ? enumValue(mask.getValue("mode"), "mask.mode", MaskMode.class) : null;
        if (mode == null && (!prompt.isEmpty() || !response.isEmpty())) {
            throw new InvalidDecisionException("mask.mode is missing, and it is required when mask.prompt or"
                    + " mask.response lists entity types");
        }
        boolean restore = mask.containsKey("restore") && booleanValue(mask.getValue("restore"), "mask.restore");
        if (restore && mode != MaskMode.PSEUDONYMIZE) {
            throw new InvalidDecisionException("mask.restore is true, and it requires mask.mode \"pseudonymize\"");
        }
        return new Mask(prompt, response, mode, restore);
    }

    private static Approval approval(JsonObject decision) {
        if (!decision.containsKey("approval")) {
            return Approval.NONE;
        }
        JsonObject approval = object(decision.getValue("approval"), "approval");
        checkMembers(approval, "approval.", APPROVAL_MEMBERS);
        boolean required = approval.containsKey("required")
                && booleanValue(approval.getValue("required"), "approval.required");
        List<String> groups = strings(approval, "approver_groups", "approval.approver_groups", true);
        if (required && groups.isEmpty()) {
            throw new InvalidDecisionException("approval.approver_groups is missing or empty, and it is required when"
                    + " approval.required is true");
        }
        Integer minApprovals = positiveInteger(approval, "min_approvals", "approval.min_approvals");
        Integer ttlSeconds = positiveInteger(approval, "ttl_seconds", "approval.ttl_seconds");
        String reason = approval.containsKey("reason")
                ? requiredString(approval, "reason", "approval.reason") : null;
        return new Approval(required, groups, minApprovals == null ? 1 : minApprovals, ttlSeconds, reason);
    }

    private static Constraints constraints(JsonObject decision) {
        if (!decision.containsKey("constraints")) {
            return Constraints.NONE;
        }
        JsonObject constraints = object(decision.getValue("constraints"), "constraints");
        checkMembers(constraints, "constraints.", CONSTRAINT_MEMBERS);
        List<String> models = constraints.containsKey("models")
                ? strings(constraints, "models", "constraints.models", true) : null;
        Integer maxTokens = positiveInteger(constraints, "max_tokens", "constraints.max_tokens");
        List<String> tools = constraints.containsKey("tools")
                ? strings(constraints, "tools", "constraints.tools", true) : null;
        ToolsMode toolsMode = constraints.containsKey("tools_mode")
                ? enumValue(constraints.getValue("tools_mode"), "constraints.tools_mode", ToolsMode.class)
                : ToolsMode.REMOVE;
        return new Constraints(models, maxTokens, tools, toolsMode);
    }

    private static Recording recording(JsonObject decision) {
        return decision.containsKey("record")
                ? enumValue(decision.getValue("record"), "record", Recording.class) : Recording.FULL;
    }

    /**
     * OPA's decision id when it is a printable string of up to 128 characters, else null: it goes
     * into a response header and log lines, and the decision itself does not depend on it.
     */
    private static String decisionId(JsonObject response) {
        if (response.getValue("decision_id") instanceof String id && id.matches("[\\x21-\\x7e]{1,128}")) {
            return id;
        }
        return null;
    }

    private static void checkMembers(JsonObject object, String prefix, Set<String> allowed) {
        for (String name : object.fieldNames()) {
            if (!allowed.contains(name)) {
                throw new InvalidDecisionException("unknown member '" + quote(prefix + name) + "'; version "
                        + PolicyDecision.VERSION + " has " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static JsonObject object(Object value, String field) {
        if (value instanceof JsonObject object) {
            return object;
        }
        throw wrongType(field, value, "an object");
    }

    private static boolean booleanValue(Object value, String field) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw wrongType(field, value, "a boolean");
    }

    private static String requiredString(JsonObject object, String member, String field) {
        if (!object.containsKey(member)) {
            throw new InvalidDecisionException(field + " is missing");
        }
        if (object.getValue(member) instanceof String s) {
            return s;
        }
        throw wrongType(field, object.getValue(member), "a string");
    }

    /**
     * Reads an optional array of strings, empty when absent.
     *
     * @param names true when the entries name something (entity types, models, tools, groups) and so
     *              must not be blank
     */
    private static List<String> strings(JsonObject object, String member, String field, boolean names) {
        if (!object.containsKey(member)) {
            return List.of();
        }
        if (!(object.getValue(member) instanceof JsonArray array)) {
            throw wrongType(field, object.getValue(member), "an array of strings");
        }
        List<String> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String value) || (names && value.isBlank())) {
                throw wrongType(field + "[" + i + "]", array.getValue(i),
                        names ? "a non-blank string" : "a string");
            }
            values.add(value);
        }
        return values;
    }

    /** Reads an optional integer of at least 1, or null when absent. */
    private static Integer positiveInteger(JsonObject object, String member, String field) {
        if (!object.containsKey(member)) {
            return null;
        }
        Object value = object.getValue(member);
        if (value instanceof Number number) {
            BigDecimal decimal = new BigDecimal(number.toString());
            if (decimal.signum() > 0 && decimal.stripTrailingZeros().scale() <= 0
                    && decimal.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                return decimal.intValueExact();
            }
            throw new InvalidDecisionException(field + " is " + number + ", but it must be an integer from 1 to "
                    + Integer.MAX_VALUE);
        }
        throw wrongType(field, value, "an integer");
    }

    private static <E extends Enum<E>> E enumValue(Object value, String field, Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT);
            if (name.equals(value)) {
                return constant;
            }
            names.add(name);
        }
        if (value instanceof String s) {
            throw new InvalidDecisionException(field + " is '" + quote(s) + "', but it must be one of "
                    + String.join(", ", names));
        }
        throw wrongType(field, value, "one of the strings " + String.join(", ", names));
    }

    private static InvalidDecisionException wrongType(String field, Object value, String expected) {
        return new InvalidDecisionException(field + " is " + describe(value) + ", but it must be " + expected);
    }

    /** Names the JSON type of a value, so that log lines do not repeat what the policy returned. */
    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof JsonArray) {
            return "an array";
        }
        return "an object";
    }

    private static String quote(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > MAX_QUOTED ? printable.substring(0, MAX_QUOTED) + "..." : printable;
    }
}
