package portcullis_test

test_oversized_prompt_held_for_approval if {
	no_failures(request_failures([
		{
			"label": "one token above the limit",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1001}, {}),
			"want": {
				"allow": true,
				"reasons": [],
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 2,
					"ttl_seconds": 600,
					"reason": "the prompt is estimated at 1001 tokens, above the limit of 1000 per request",
				},
			},
		},
		{
			"label": "exactly at the limit",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1000}, {}),
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "denied request is not held",
			"input": chat_input(alice, {"estimated_prompt_tokens": 5000}, {"PASSWORD": 1}),
			"want": {"allow": false, "approval": {"required": false}},
		},
	]))
}

test_production_purpose_held_for_approval if {
	no_failures(request_failures([
		{
			"label": "agent with a production purpose",
			"input": chat_input(agent("release-agent", "release-automation"), {"model": "model-b"}, {}),
			"want": {
				"allow": true,
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 2,
					"ttl_seconds": 600,
					"reason": "purpose release-automation changes production",
				},
			},
		},
		{
			"label": "production purpose and oversized prompt give both reasons",
			"input": chat_input(object.union(alice, {"purpose": "production-change"}), {"estimated_prompt_tokens": 4000}, {}),
			"want": {
				"allow": true,
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 2,
					"ttl_seconds": 600,
					"reason": "purpose production-change changes production; the prompt is estimated at 4000 tokens, above the limit of 1000 per request",
				},
			},
		},
		{
			"label": "other purpose",
			"input": chat_input(agent("build-agent", "ci-build"), {}, {}),
			"want": {"allow": true, "approval": {"required": false}},
		},
	]))
}

test_approval_without_valid_settings_denied if {
	reason := "the request needs approval, but the policy data has no valid approval settings"
	no_failures(request_failures([
		{
			"label": "no approver groups",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1001}, {}),
			"config": json.patch(fixture_config, [{"op": "remove", "path": "/approval/approver_groups"}]),
			"want": {"allow": false, "reasons": [reason], "approval": {"required": false}},
		},
		{
			"label": "empty approver groups",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1001}, {}),
			"config": json.patch(fixture_config, [{"op": "replace", "path": "/approval/approver_groups", "value": []}]),
			"want": {"allow": false, "reasons": [reason]},
		},
		{
			"label": "time to live of 0",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1001}, {}),
			"config": json.patch(fixture_config, [{"op": "replace", "path": "/approval/request_ttl_seconds", "value": 0}]),
			"want": {"allow": false, "reasons": [reason]},
		},
		{
			"label": "fractional min_approvals",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1001}, {}),
			"config": json.patch(fixture_config, [{"op": "replace", "path": "/approval/min_approvals", "value": 1.5}]),
			"want": {"allow": false, "reasons": [reason]},
		},
		{
			"label": "min_approvals absent defaults to 1",
			"input": chat_input(alice, {"estimated_prompt_tokens": 1001}, {}),
			"config": json.patch(fixture_config, [{"op": "remove", "path": "/approval/min_approvals"}]),
			"want": {
				"allow": true,
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 1,
					"ttl_seconds": 600,
					"reason": "the prompt is estimated at 1001 tokens, above the limit of 1000 per request",
				},
			},
		},
	]))
}
