# Checks of the shipped data document, data.json: that it is well formed, and that the
# users and agents of the local Keycloak realm (stack/keycloak/portcullis-realm.json)
# get the decisions that the README describes. Change these tests together with
# data.json.
package portcullis_test

shipped := data.portcullis.config

shipped_entries := array.concat(
	[entry | some entry in shipped.groups],
	[entry | some entry in shipped.clients],
)

shipped_patterns := array.concat(
	array.concat(shipped.shell.write_patterns, shipped.shell.destructive_patterns),
	array.concat(shipped.sql.write_patterns, shipped.sql.destructive_patterns),
)

test_shipped_patterns_are_valid_regexes if {
	invalid := [pattern.name |
		some pattern in shipped_patterns
		not valid_pattern(pattern)
	]
	invalid_reads := [pattern | some pattern in shipped.sql.read_patterns; not regex.is_valid(pattern)]
	no_failures(array.concat(invalid, invalid_reads))
}

valid_pattern(pattern) if {
	is_string(pattern.name)
	regex.is_valid(pattern.pattern)
	regex.is_valid(object.get(pattern, "unless", ""))
}

test_shipped_entries_are_well_formed if {
	malformed := [entry |
		some entry in shipped_entries
		not well_formed_entry(entry)
	]
	no_failures(malformed)
}

well_formed_entry(entry) if {
	is_array(entry.models)
	is_array(entry.tools)
	object.get(entry, "tools_mode", "remove") in {"remove", "deny"}
	every class, action in entry.tool_actions {
		class in {"read", "write", "destructive"}
		action in {"allow", "approval", "deny"}
	}
	every tool in entry.tools {
		shipped.tools[tool].kind in {"read", "write", "shell", "sql"}
	}
}

test_shipped_clients_state_purposes if {
	without_purposes := [client_id |
		some client_id, client in shipped.clients
		count(client.purposes) == 0
	]
	no_failures(without_purposes)
}

realm_alice := object.union(alice, {"purpose": "code-review"})

realm_bob := bob

realm_carol := object.union(alice, {
	"subject": "e3b1c7d2-carol",
	"username": "carol",
	"email": "carol@example.com",
	"groups": ["approvers"],
	"roles": ["llm-user", "llm-admin"],
	"purpose": "release-approval",
})

realm_dave := dave

realm_model := "smollm2-135m-instruct"

test_realm_requests if {
	no_failures(request_failures([
		{
			"label": "alice: engineer, personal data masked",
			"input": chat_input(realm_alice, {"model": realm_model}, {"EMAIL_ADDRESS": 1}),
			"config": shipped,
			"want": {
				"allow": true,
				"mask": {"prompt": ["EMAIL_ADDRESS"], "response": ["EMAIL_ADDRESS"], "mode": "pseudonymize"},
				"approval": {"required": false},
				"record": "full",
			},
		},
		{
			"label": "alice: secret denied",
			"input": chat_input(realm_alice, {"model": realm_model}, {"AWS_ACCESS_KEY": 1}),
			"config": shipped,
			"want": {"allow": false, "reasons": ["the prompt contains secrets (AWS_ACCESS_KEY); remove them and send the request again"]},
		},
		{
			"label": "bob: support, personal data in clear, recorded as metadata",
			"input": chat_input(realm_bob, {"model": realm_model}, {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}),
			"config": shipped,
			"want": {
				"allow": true,
				"mask": {"prompt": [], "response": [], "mode": "pseudonymize"},
				"record": "metadata",
			},
		},
		{
			"label": "bob: model of engineers denied",
			"input": chat_input(realm_bob, {"model": "gpt-4o-mini"}, {}),
			"config": shipped,
			"want": {"allow": false, "reasons": ["model gpt-4o-mini is not allowed for this caller"]},
		},
		{
			"label": "carol: approver",
			"input": chat_input(realm_carol, {"model": realm_model}, {}),
			"config": shipped,
			"want": {"allow": true},
		},
		{
			"label": "dave: auditor, recorded as metadata",
			"input": chat_input(realm_dave, {"model": realm_model}, {}),
			"config": shipped,
			"want": {"allow": true, "record": "metadata"},
		},
		{
			"label": "alice: oversized prompt held",
			"input": chat_input(realm_alice, {"model": realm_model, "estimated_prompt_tokens": 4001}, {}),
			"config": shipped,
			"want": {"allow": true, "approval": {
				"required": true,
				"approver_groups": ["approvers"],
				"min_approvals": 1,
				"ttl_seconds": 900,
				"reason": "the prompt is estimated at 4001 tokens, above the limit of 4000 per request",
			}},
		},
		{
			"label": "build-agent: purpose ci-build",
			"input": chat_input(agent("build-agent", "ci-build"), {"model": realm_model}, {}),
			"config": shipped,
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "delegating-agent acting with build-agent: intersection, held",
			"input": chat_input(acting(agent("delegating-agent", "release-automation"), actor("build-agent")), {"model": realm_model}, {}),
			"config": shipped,
			"want": {
				"allow": true,
				"constraints": {
					"models": [realm_model],
					"max_tokens": 1024,
					"tools": ["read_file", "run_shell"],
					"tools_mode": "deny",
				},
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 1,
					"ttl_seconds": 900,
					"reason": "purpose release-automation changes production",
				},
			},
		},
	]))
}

test_realm_tool_calls if {
	no_failures(tool_call_failures([
		{
			"label": "alice: read",
			"input": tool_input(realm_alice, "run_shell", {"command": "git log --oneline -5"}),
			"config": shipped,
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "alice: write held",
			"input": tool_input(realm_alice, "run_sql", {"query": "UPDATE builds SET state = 'done' WHERE id = 7"}),
			"config": shipped,
			"want": {"allow": true, "approval": {
				"required": true,
				"approver_groups": ["approvers"],
				"min_approvals": 1,
				"ttl_seconds": 300,
				"reason": "tool run_sql: write call (a statement that is not a known read, data or schema change)",
			}},
		},
		{
			"label": "alice: destructive denied",
			"input": tool_input(realm_alice, "run_shell", {"command": "rm -rf /"}),
			"config": shipped,
			"want": {"allow": false, "reasons": ["tool run_shell: destructive calls are not allowed for this caller (recursive delete)"]},
		},
		{
			"label": "bob: read",
			"input": tool_input(realm_bob, "run_sql", {"query": "SELECT name FROM customers WHERE id = 7"}),
			"config": shipped,
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "bob: write denied",
			"input": tool_input(realm_bob, "run_sql", {"query": "DELETE FROM customers WHERE id = 7"}),
			"config": shipped,
			"want": {"allow": false, "reasons": ["tool run_sql: write calls are not allowed for this caller (a statement that is not a known read, data or schema change)"]},
		},
	]))
}
