package portcullis_test

import data.portcullis

test_allowed_decision_has_v1_shape if {
	decide(chat_input(alice, {}, {}), fixture_config) == {
		"version": "portcullis.policy.decision/v1",
		"allow": true,
		"reasons": [],
		"mask": {"prompt": [], "response": ["EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER"], "mode": "pseudonymize"},
		"approval": {"required": false},
		"constraints": {
			"models": ["model-a", "model-b"],
			"max_tokens": 2048,
			"tools": ["bare_shell", "legacy_ftp", "read_file", "run_shell", "run_sql", "unlisted_tool", "write_file"],
			"tools_mode": "remove",
		},
		"record": "full",
	}
}

test_empty_input_denied_with_v1_shape if {
	decide({}, fixture_config) == {
		"version": "portcullis.policy.decision/v1",
		"allow": false,
		"reasons": [
			"the input has no identity object",
			"the input has no request object",
			"the policy input version is not portcullis.policy.input/v1",
		],
		"mask": {"prompt": [], "response": [], "mode": "pseudonymize"},
		"approval": {"required": false},
		"constraints": {"models": [], "tools": [], "tools_mode": "deny"},
		"record": "full",
	}
}

test_decision_defined_without_policy_data if {
	result := portcullis.decision with input as chat_input(alice, {}, {})
		with data.portcullis.config as {}
	result.allow == false
	result.reasons == ["none of the caller's groups has rights in the policy data"]
	result.mask.mode == "redact"
}

test_request_missing_or_malformed_denied if {
	no_failures(request_failures([
		{
			"label": "input is a string",
			"input": "chat",
			"want": {"allow": false},
			"reasons_include": ["the input has no request object"],
		},
		{
			"label": "no version",
			"input": object.remove(chat_input(alice, {}, {}), ["version"]),
			"want": {"allow": false, "reasons": ["the policy input version is not portcullis.policy.input/v1"]},
		},
		{
			"label": "a future version",
			"input": object.union(chat_input(alice, {}, {}), {"version": "portcullis.policy.input/v2"}),
			"want": {"allow": false, "reasons": ["the policy input version is not portcullis.policy.input/v1"]},
		},
		{
			"label": "no request",
			"input": object.remove(chat_input(alice, {}, {}), ["request"]),
			"want": {"allow": false, "reasons": ["the input has no request object"]},
		},
		{
			"label": "request is a list",
			"input": object.union(chat_input(alice, {}, {}), {"request": []}),
			"want": {"allow": false, "reasons": ["the input has no request object"]},
		},
		{
			"label": "no api",
			"input": json.patch(chat_input(alice, {}, {}), [{"op": "remove", "path": "/request/api"}]),
			"want": {"allow": false, "reasons": ["request.api is missing or not one of chat.completions, models.list"]},
		},
		{
			"label": "unsupported api",
			"input": chat_input(alice, {"api": "embeddings"}, {}),
			"want": {"allow": false, "reasons": ["request.api is missing or not one of chat.completions, models.list"]},
		},
		{
			"label": "no model",
			"input": json.patch(chat_input(alice, {}, {}), [{"op": "remove", "path": "/request/model"}]),
			"want": {"allow": false, "reasons": ["the request names no model"]},
		},
		{
			"label": "empty model",
			"input": chat_input(alice, {"model": ""}, {}),
			"want": {"allow": false, "reasons": ["the request names no model"]},
		},
		{
			"label": "no prompt token estimate",
			"input": json.patch(chat_input(alice, {}, {}), [{"op": "remove", "path": "/request/estimated_prompt_tokens"}]),
			"want": {"allow": false, "reasons": ["request.estimated_prompt_tokens is missing or not a number"]},
		},
		{
			"label": "prompt token estimate is a string",
			"input": chat_input(alice, {"estimated_prompt_tokens": "5000"}, {}),
			"want": {"allow": false, "reasons": ["request.estimated_prompt_tokens is missing or not a number"]},
		},
		{
			"label": "negative prompt token estimate",
			"input": chat_input(alice, {"estimated_prompt_tokens": -1}, {}),
			"want": {"allow": false, "reasons": ["request.estimated_prompt_tokens is missing or not a number"]},
		},
		{
			"label": "no findings",
			"input": object.remove(chat_input(alice, {}, {}), ["findings"]),
			"want": {"allow": false, "reasons": ["the input has no findings object"]},
		},
		{
			"label": "findings is a list",
			"input": chat_input(alice, {}, ["EMAIL_ADDRESS"]),
			"want": {"allow": false, "reasons": ["the input has no findings object"]},
		},
	]))
}

test_models_list_returns_callers_models if {
	no_failures(request_failures([
		{
			"label": "engineer",
			"input": models_list_input(alice),
			"want": {
				"allow": true,
				"reasons": [],
				"mask": {"prompt": [], "response": [], "mode": "pseudonymize"},
				"approval": {"required": false},
				"constraints": {
					"models": ["model-a", "model-b"],
					"max_tokens": 2048,
					"tools": ["bare_shell", "legacy_ftp", "read_file", "run_shell", "run_sql", "unlisted_tool", "write_file"],
					"tools_mode": "remove",
				},
			},
		},
		{
			"label": "no findings object is needed",
			"input": object.remove(models_list_input(bob), ["findings"]),
			"want": {"allow": true},
		},
		{
			"label": "production purpose holds nothing",
			"input": models_list_input(agent("release-agent", "release-automation")),
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "delegated token lists the intersection",
			"input": models_list_input(acting(agent("release-agent", "release-automation"), actor("build-agent"))),
			"want": {
				"allow": true,
				"constraints": {
					"models": ["model-b"],
					"max_tokens": 1024,
					"tools": ["run_shell"],
					"tools_mode": "deny",
				},
			},
		},
		{
			"label": "unknown group",
			"input": models_list_input(object.union(alice, {"groups": ["interns"]})),
			"want": {
				"allow": false,
				"reasons": ["none of the caller's groups has rights in the policy data"],
				"constraints": {"models": [], "tools": [], "tools_mode": "deny"},
			},
		},
		{
			"label": "agent without purpose",
			"input": models_list_input(agent("build-agent", null)),
			"want": {"allow": false, "reasons": ["agent build-agent has no purpose, and agents must state one"]},
		},
	]))
}
