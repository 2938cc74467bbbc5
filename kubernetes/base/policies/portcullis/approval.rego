# Which requests wait for a person's approval: prompts estimated above a per-request
# token limit, and requests whose purpose changes production. Approvers, the number
# of approvals and how long a request waits come from data.portcullis.config.approval.
package portcullis

import data.portcullis.config

approval_reasons contains reason if {
	input.request.api == "chat.completions"
	tokens := input.request.estimated_prompt_tokens
	is_number(tokens)
	limit := config.approval.max_prompt_tokens
	tokens > limit
	reason := sprintf("the prompt is estimated at %v tokens, above the limit of %v per request", [tokens, limit])
}

approval_reasons contains reason if {
	input.request.api == "chat.completions"
	caller_purpose in config.approval.production_purposes
	reason := sprintf("purpose %s changes production", [display_name(caller_purpose)])
}

# Returns the approval fields shared by requests and tool calls, with the time to live
# read from config.approval[ttl_key]. Undefined when the data lacks approvers or a
# valid time to live, because a hold that nobody can release must not be issued.
approval_settings(ttl_key) := {
	"approver_groups": groups,
	"min_approvals": min_approvals,
	"ttl_seconds": ttl,
} if {
	groups := config.approval.approver_groups
	is_array(groups)
	count(groups) > 0
	min_approvals := object.get(config.approval, "min_approvals", 1)
	positive_integer(min_approvals)
	ttl := config.approval[ttl_key]
	positive_integer(ttl)
}

# A request that needs approval is denied when the data cannot say who approves it,
# instead of being let through without a hold.
approval_problems contains "the request needs approval, but the policy data has no valid approval settings" if {
	count(approval_reasons) > 0
	not approval_settings("request_ttl_seconds")
}

request_approval := object.union(approval_settings("request_ttl_seconds"), {
	"required": true,
	"reason": concat("; ", sort(approval_reasons)),
}) if {
	count(approval_reasons) > 0
} else := {"required": false}
