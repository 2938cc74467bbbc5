package io.portcullis.policy;

import java.util.List;

/**
 * A request decision of version {@value #VERSION}, as docs/policy.md describes it. Only
 * {@link DecisionParser} creates one from OPA's response, after checking every field.
 *
 * @param allow       false denies the request
 * @param reasons     shown to the caller on a deny
 * @param mask        entity types to mask and how
 * @param approval    whether a person has to approve the request first
 * @param constraints limits on model, tokens and tools
 * @param recording   how much of the exchange is recorded
 * @param decisionId  OPA's {@code decision_id}, or null when OPA's decision logging is off
 */
public record PolicyDecision(
        boolean allow,
        List<String> reasons,
        Mask mask,
        Approval approval,
        Constraints constraints,
        Recording recording,
        String decisionId) {

    public static final String VERSION = "portcullis.policy.decision/v1";

    public PolicyDecision {
        reasons = List.copyOf(reasons);
    }

    /**
     * Entity types to mask in the prompt and in the response, the masking mode (null when both
     * are empty), and whether the originals of the session's pseudonyms are restored in the
     * answer returned to the caller.
     */
    public record Mask(List<String> prompt, List<String> response, MaskMode mode, boolean restore) {

        public static final Mask NONE = new Mask(List.of(), List.of(), null, false);

        public Mask {
            prompt = List.copyOf(prompt);
            response = List.copyOf(response);
        }

        public boolean required() {
            return !prompt.isEmpty() || !response.isEmpty();
        }
    }

    public enum MaskMode {
        REDACT, PSEUDONYMIZE
    }

    /**
     * Whether the request waits for people to approve it.
     *
     * @param approverGroups groups whose members may approve; not empty when required
     * @param minApprovals   approvals needed, at least 1
     * @param ttlSeconds     how long the request waits, or null for the gateway's default
     * @param reason         shown to approvers, or null
     */
    public record Approval(boolean required, List<String> approverGroups, int minApprovals, Integer ttlSeconds,
            String reason) {

        public static final Approval NONE = new Approval(false, List.of(), 1, null, null);

        public Approval {
            approverGroups = List.copyOf(approverGroups);
        }
    }

    /**
     * Limits the policy puts on a request.
     *
     * @param models    allowed model ids, or null for no model limit
     * @param maxTokens cap on {@code max_tokens} and {@code max_completion_tokens}, or null for no cap
     * @param tools     allowed function tool names, or null for no tool limit
     * @param toolsMode what happens to a tool outside {@code tools}
     */
    public record Constraints(List<String> models, Integer maxTokens, List<String> tools, ToolsMode toolsMode) {

        public static final Constraints NONE = new Constraints(null, null, null, ToolsMode.REMOVE);

        public Constraints {
            models = models == null ? null : List.copyOf(models);
            tools = tools == null ? null : List.copyOf(tools);
        }
    }

    public enum ToolsMode {
        /** Remove the tool from the request and forward the rest. */
        REMOVE,
        /** Deny the whole request. */
        DENY
    }

    public enum Recording {
        FULL, METADATA
    }
}
