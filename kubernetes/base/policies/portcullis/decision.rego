# The request decision that the gateway reads from POST /v1/data/portcullis/decision,
# in the shape portcullis.policy.decision/v1 of docs/policy.md. This file checks the
# input and assembles the decision. The other files decide its parts: access.rego
# (rights and models), data_protection.rego (secrets, masking, recording) and
# approval.rego (holds).
#
# Anything missing or malformed in the input denies the request with a reason, and a
# request is allowed only when every check has passed and the caller has rights.
package portcullis

input_problems contains "the policy input version is not portcullis.policy.input/v1" if {
	not input.version == "portcullis.policy.input/v1"
}

request_object := input.request if is_object(input.request)

input_problems contains "the input has no request object" if not request_object

input_problems contains "request.api is missing or not one of chat.completions, models.list" if {
	request_object
	not object.get(input.request, "api", null) in {"chat.completions", "models.list"}
}

input_problems contains "the request names no model" if {
	input.request.api == "chat.completions"
	not is_non_empty_string(object.get(input.request, "model", null))
}

input_problems contains "request.estimated_prompt_tokens is missing or not a number" if {
	input.request.api == "chat.completions"
	not valid_prompt_token_estimate(object.get(input.request, "estimated_prompt_tokens", null))
}

# findings is {} when nothing was found, so a missing object means the prompt was not
# inspected.
input_problems contains "the input has no findings object" if {
	input.request.api == "chat.completions"
	not findings_object
}

valid_prompt_token_estimate(value) if {
	is_number(value)
	value >= 0
}

findings_object := input.findings if is_object(input.findings)

request_deny_reasons := union({
	input_problems,
	identity_problems,
	access_problems,
	model_problems,
	secret_problems,
	approval_problems,
})

default request_allowed := false

request_allowed if {
	count(request_deny_reasons) == 0
	effective_rights
}

request_reasons := [] if {
	request_allowed
} else := reasons if {
	reasons := sort(request_deny_reasons)
	count(reasons) > 0
} else := ["no policy rule allows this request"]

# constraints.models and constraints.tools are always present, because the gateway
# reads an absent list as no limit.
request_constraints := {
	"models": sort(rights.models),
	"max_tokens": rights.max_tokens,
	"tools": sort(rights.tools),
	"tools_mode": rights.tools_mode,
} if {
	rights := effective_rights
} else := {"models": [], "tools": [], "tools_mode": "deny"}

# A denied request is never held, so that the caller gets the reasons at once.
decision_approval := request_approval if {
	request_allowed
} else := {"required": false}

decision := {
	"version": "portcullis.policy.decision/v1",
	"allow": request_allowed,
	"reasons": request_reasons,
	"mask": request_mask,
	"approval": decision_approval,
	"constraints": request_constraints,
	"record": record_mode,
}
