package portcullis_test

test_tool_call_decision_has_v1_shape if {
	decide_tool_call(tool_input(alice, "run_shell", {"command": "echo ok > status.txt"}), fixture_config) == {
		"version": "portcullis.policy.tool_decision/v1",
		"allow": true,
		"reasons": [],
		"approval": {
			"required": true,
			"approver_groups": ["approvers"],
			"min_approvals": 2,
			"ttl_seconds": 120,
			"reason": "tool run_shell: write call (output redirection)",
		},
	}
}

test_tool_call_input_missing_or_malformed_denied if {
	no_failures(tool_call_failures([
		{
			"label": "empty input",
			"input": {},
			"want": {
				"version": "portcullis.policy.tool_decision/v1",
				"allow": false,
				"approval": {"required": false},
			},
			"reasons_include": [
				"the input has no identity object",
				"the policy input version is not portcullis.policy.tool_input/v1",
				"the tool call has no name",
			],
		},
		{
			"label": "request decision version",
			"input": object.union(tool_input(alice, "read_file", {}), {"version": "portcullis.policy.input/v1"}),
			"want": {"allow": false, "reasons": ["the policy input version is not portcullis.policy.tool_input/v1"]},
		},
		{
			"label": "no tool",
			"input": object.remove(tool_input(alice, "read_file", {}), ["tool"]),
			"want": {"allow": false, "reasons": ["the tool call has no name"]},
		},
		{
			"label": "tool name is a number",
			"input": tool_input(alice, 7, {}),
			"want": {"allow": false, "reasons": ["the tool call has no name"]},
		},
		{
			"label": "tool not allowed for the caller",
			"input": tool_input(bob, "run_shell", {"command": "ls"}),
			"want": {"allow": false, "reasons": ["tool run_shell is not allowed for this caller"]},
		},
		{
			"label": "tool not described in the data",
			"input": tool_input(alice, "unlisted_tool", {}),
			"want": {"allow": false, "reasons": ["tool unlisted_tool is not described in the policy data"]},
		},
		{
			"label": "tool of an unknown kind",
			"input": tool_input(alice, "legacy_ftp", {}),
			"want": {"allow": false, "reasons": ["tool legacy_ftp has an unknown kind in the policy data"]},
		},
		{
			"label": "shell tool without command arguments in the data",
			"input": tool_input(alice, "bare_shell", {"command": "ls"}),
			"want": {"allow": false, "reasons": ["tool bare_shell was called without a command"]},
		},
		{
			"label": "command in an argument the data does not name",
			"input": tool_input(alice, "run_shell", {"script": "ls"}),
			"want": {"allow": false, "reasons": ["tool run_shell was called without a command"]},
		},
		{
			"label": "arguments are a string",
			"input": tool_input(alice, "run_shell", "ls"),
			"want": {"allow": false, "reasons": ["tool run_shell was called without a command"]},
		},
		{
			"label": "command is a number",
			"input": tool_input(alice, "run_shell", {"command": 42}),
			"want": {"allow": false},
			"reasons_include": ["tool run_shell: argument command is not a command"],
		},
		{
			"label": "argv with a number",
			"input": tool_input(alice, "run_shell", {"argv": ["ls", 1]}),
			"want": {"allow": false},
			"reasons_include": ["tool run_shell: argument argv is not a command"],
		},
		{
			"label": "second command argument malformed",
			"input": tool_input(alice, "run_sql", {"query": "SELECT 1", "sql": {"text": "DROP TABLE users"}}),
			"want": {"allow": false, "reasons": ["tool run_sql: argument sql is not a command"]},
		},
		{
			"label": "blank command",
			"input": tool_input(alice, "run_shell", {"command": "   "}),
			"want": {"allow": false},
			"reasons_include": ["tool run_shell: argument command is not a command"],
		},
		{
			"label": "separators only",
			"input": tool_input(alice, "run_shell", {"command": ";"}),
			"want": {"allow": false, "reasons": ["tool run_shell was called with an empty command"]},
		},
		{
			"label": "unknown group",
			"input": tool_input(object.union(alice, {"groups": ["interns"]}), "read_file", {}),
			"want": {"allow": false, "reasons": ["none of the caller's groups has rights in the policy data"]},
		},
	]))
}

test_tool_call_classes_for_engineers if {
	no_failures(tool_call_failures([
		{
			"label": "read allowed",
			"input": tool_input(alice, "run_shell", {"command": "git status"}),
			"want": {"allow": true, "reasons": [], "approval": {"required": false}},
		},
		{
			"label": "SQL write held",
			"input": tool_input(alice, "run_sql", {"query": "UPDATE users SET active = false WHERE id = 7"}),
			"want": {
				"allow": true,
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 2,
					"ttl_seconds": 120,
					"reason": "tool run_sql: write call (a statement that is not a known read, data or schema change)",
				},
			},
		},
		{
			"label": "write tool held",
			"input": tool_input(alice, "write_file", {"path": "notes.txt", "content": "x"}),
			"want": {
				"allow": true,
				"approval": {
					"required": true,
					"approver_groups": ["approvers"],
					"min_approvals": 2,
					"ttl_seconds": 120,
					"reason": "tool write_file: write call (the tool is marked as a write)",
				},
			},
		},
		{
			"label": "destructive shell command denied",
			"input": tool_input(alice, "run_shell", {"command": "rm -rf /"}),
			"want": {
				"allow": false,
				"reasons": ["tool run_shell: destructive calls are not allowed for this caller (recursive delete)"],
				"approval": {"required": false},
			},
		},
		{
			"label": "destructive SQL denied",
			"input": tool_input(alice, "run_sql", {"query": "DROP TABLE users"}),
			"want": {"allow": false, "reasons": ["tool run_sql: destructive calls are not allowed for this caller (DROP)"]},
		},
	]))
}

test_tool_call_actions_per_caller if {
	no_failures(tool_call_failures([
		{
			"label": "support: read allowed",
			"input": tool_input(bob, "run_sql", {"query": "SELECT name FROM customers WHERE id = 7"}),
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "support: write denied",
			"input": tool_input(bob, "run_sql", {"query": "UPDATE customers SET vip = true WHERE id = 7"}),
			"want": {
				"allow": false,
				"reasons": ["tool run_sql: write calls are not allowed for this caller (a statement that is not a known read, data or schema change)"],
			},
		},
		{
			"label": "auditors: misspelt action denies",
			"input": tool_input(dave, "run_sql", {"query": "INSERT INTO notes VALUES (1)"}),
			"want": {"allow": false, "reasons": ["tool run_sql: write calls are not allowed for this caller (a statement that is not a known read, data or schema change)"]},
		},
		{
			"label": "agent: write held",
			"input": tool_input(agent("build-agent", "ci-build"), "run_shell", {"command": "make install"}),
			"want": {"allow": true, "approval": {
				"required": true,
				"approver_groups": ["approvers"],
				"min_approvals": 2,
				"ttl_seconds": 120,
				"reason": "tool run_shell: write call (a command that is not on the read-only list)",
			}},
		},
		{
			"label": "agent: write allowed without approval",
			"input": tool_input(agent("release-agent", "release-automation"), "write_file", {"path": "CHANGELOG.md"}),
			"want": {"allow": true, "approval": {"required": false}},
		},
		{
			"label": "agent without purpose denied",
			"input": tool_input(agent("release-agent", null), "write_file", {"path": "CHANGELOG.md"}),
			"want": {"allow": false, "reasons": ["agent release-agent has no purpose, and agents must state one"]},
		},
		{
			"label": "delegation: the stricter action of the two",
			"input": tool_input(acting(agent("release-agent", "release-automation"), actor("build-agent")), "run_shell", {"command": "make release"}),
			"want": {"allow": true, "approval": {
				"required": true,
				"approver_groups": ["approvers"],
				"min_approvals": 2,
				"ttl_seconds": 120,
				"reason": "tool run_shell: write call (a command that is not on the read-only list)",
			}},
		},
		{
			"label": "delegation: tool of the subject but not of the actor",
			"input": tool_input(acting(agent("release-agent", "release-automation"), actor("build-agent")), "write_file", {"path": "CHANGELOG.md"}),
			"want": {"allow": false, "reasons": ["tool write_file is not allowed for this caller"]},
		},
	]))
}

test_tool_call_without_valid_settings_denied if {
	no_failures(tool_call_failures([
		{
			"label": "write without approval settings",
			"input": tool_input(alice, "write_file", {"path": "notes.txt"}),
			"config": json.patch(fixture_config, [{"op": "remove", "path": "/approval/tool_call_ttl_seconds"}]),
			"want": {
				"allow": false,
				"reasons": ["the tool call needs approval, but the policy data has no valid approval settings"],
				"approval": {"required": false},
			},
		},
		{
			"label": "rights without max_tokens and no default",
			"input": tool_input(bob, "lookup_customer", {"id": 7}),
			"config": object.remove(fixture_config, ["defaults"]),
			"want": {"allow": false, "reasons": ["no policy rule allows this tool call"]},
		},
	]))
}
