# The tool-call decision that the gateway reads from POST /v1/data/portcullis/tool_call
# once a model-emitted tool call has complete arguments. Input and decision are
# portcullis.policy.tool_input/v1 and portcullis.policy.tool_decision/v1 of
# docs/policy.md. commands.rego classifies the call, and the caller's tool_actions
# decide what each class gets: "allow", "approval" or "deny".
package portcullis

tool_input_problems contains "the policy input version is not portcullis.policy.tool_input/v1" if {
	not input.version == "portcullis.policy.tool_input/v1"
}

tool_input_problems contains "the tool call has no name" if not tool_name

tool_problems contains reason if {
	rights := effective_rights
	not tool_name in rights.tools
	reason := sprintf("tool %s is not allowed for this caller", [display_name(tool_name)])
}

tool_problems contains reason if {
	not tool_spec
	reason := sprintf("tool %s is not described in the policy data", [display_name(tool_name)])
}

tool_problems contains reason if {
	spec := tool_spec
	not known_tool_kind(spec)
	reason := sprintf("tool %s has an unknown kind in the policy data", [display_name(tool_name)])
}

tool_problems contains reason if {
	tool_kind in {"shell", "sql"}
	count(tool_commands) == 0
	reason := sprintf("tool %s was called without a command", [display_name(tool_name)])
}

tool_problems contains reason if {
	some field in command_arguments
	not command_text(input.tool.arguments[field])
	reason := sprintf("tool %s: argument %s is not a command", [display_name(tool_name), display_name(field)])
}

tool_problems contains reason if {
	count(empty_commands) > 0
	reason := sprintf("tool %s was called with an empty command", [display_name(tool_name)])
}

known_tool_kind(spec) if spec.kind in {"read", "write", "shell", "sql"}

tool_action := effective_rights.tool_actions[tool_class]

tool_action_problems contains reason if {
	tool_action == "deny"
	reason := sprintf("tool %s: %s calls are not allowed for this caller (%s)", [
		display_name(tool_name),
		tool_class,
		concat(", ", sort(tool_class_details)),
	])
}

tool_approval_problems contains "the tool call needs approval, but the policy data has no valid approval settings" if {
	tool_action == "approval"
	not approval_settings("tool_call_ttl_seconds")
}

tool_call_deny_reasons := union({
	tool_input_problems,
	identity_problems,
	access_problems,
	tool_problems,
	tool_action_problems,
	tool_approval_problems,
})

default tool_call_allowed := false

tool_call_allowed if {
	count(tool_call_deny_reasons) == 0
	tool_action in {"allow", "approval"}
}

tool_call_reasons := [] if {
	tool_call_allowed
} else := reasons if {
	reasons := sort(tool_call_deny_reasons)
	count(reasons) > 0
} else := ["no policy rule allows this tool call"]

tool_call_approval := object.union(approval_settings("tool_call_ttl_seconds"), {
	"required": true,
	"reason": sprintf("tool %s: %s call (%s)", [
		display_name(tool_name),
		tool_class,
		concat(", ", sort(tool_class_details)),
	]),
}) if {
	tool_call_allowed
	tool_action == "approval"
} else := {"required": false}

tool_call := {
	"version": "portcullis.policy.tool_decision/v1",
	"allow": tool_call_allowed,
	"reasons": tool_call_reasons,
	"approval": tool_call_approval,
}
