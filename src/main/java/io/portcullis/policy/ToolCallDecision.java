package io.portcullis.policy;

import java.util.List;

/**
 * A tool-call decision of version {@value #VERSION}, as docs/policy.md describes it.
 *
 * @param allow      false removes the tool call from the answer
 * @param reasons    why it was denied, shown to the agent
 * @param approval   whether a person has to approve the call first
 * @param decisionId OPA's {@code decision_id}, or null
 */
public record ToolCallDecision(boolean allow, List<String> reasons, PolicyDecision.Approval approval,
        String decisionId) {

    public static final String VERSION = "portcullis.policy.tool_decision/v1";
    public static final String INPUT_VERSION = "portcullis.policy.tool_input/v1";

    public ToolCallDecision {
        reasons = List.copyOf(reasons);
    }
}
