package portcullis_test

test_identity_missing_or_malformed_denied if {
	no_failures(request_failures([
		{
			"label": "no identity",
			"input": object.remove(chat_input(alice, {}, {}), ["identity"]),
			"want": {"allow": false},
			"reasons_include": ["the input has no identity object"],
		},
		{
			"label": "identity is a string",
			"input": chat_input("alice", {}, {}),
			"want": {"allow": false},
			"reasons_include": ["the input has no identity object"],
		},
		{
			"label": "no subject",
			"input": chat_input(object.remove(alice, ["subject"]), {}, {}),
			"want": {"allow": false, "reasons": ["the identity has no subject"]},
		},
		{
			"label": "empty subject",
			"input": chat_input(object.union(alice, {"subject": ""}), {}, {}),
			"want": {"allow": false, "reasons": ["the identity has no subject"]},
		},
		{
			"label": "no agent flag",
			"input": chat_input(object.remove(alice, ["agent"]), {}, {}),
			"want": {"allow": false, "reasons": ["identity.agent is missing or not a boolean"]},
		},
		{
			"label": "agent flag is a string",
			"input": chat_input(object.union(alice, {"agent": "false"}), {}, {}),
			"want": {"allow": false, "reasons": ["identity.agent is missing or not a boolean"]},
		},
		{
			"label": "groups is a string",
			"input": chat_input(object.union(alice, {"groups": "engineers"}), {}, {}),
			"want": {"allow": false},
			"reasons_include": ["identity.groups is not a list"],
		},
	]))
}

test_group_rights if {
	no_failures(request_failures([
		{
			"label": "engineer, model of the group",
			"input": chat_input(alice, {"model": "model-b"}, {}),
			"want": {
				"allow": true,
				"reasons": [],
				"constraints": {
					"models": ["model-a", "model-b"],
					"max_tokens": 2048,
					"tools": ["bare_shell", "legacy_ftp", "read_file", "run_shell", "run_sql", "unlisted_tool", "write_file"],
					"tools_mode": "remove",
				},
			},
		},
		{
			"label": "support, group without max_tokens gets the default",
			"input": chat_input(bob, {}, {}),
			"want": {
				"allow": true,
				"constraints": {
					"models": ["model-a"],
					"max_tokens": 512,
					"tools": ["lookup_customer", "run_sql"],
					"tools_mode": "remove",
				},
			},
		},
		{
			"label": "two groups get the union, the higher max_tokens and the stricter tools_mode",
			"input": chat_input(object.union(alice, {"groups": ["engineers", "auditors"]}), {"model": "model-c"}, {}),
			"want": {
				"allow": true,
				"constraints": {
					"models": ["model-a", "model-b", "model-c"],
					"max_tokens": 2048,
					"tools": ["bare_shell", "legacy_ftp", "read_file", "run_shell", "run_sql", "unlisted_tool", "write_file"],
					"tools_mode": "deny",
				},
			},
		},
		{
			"label": "unknown groups are ignored next to a known one",
			"input": chat_input(object.union(alice, {"groups": ["interns", "engineers", 7]}), {}, {}),
			"want": {"allow": true},
		},
		{
			"label": "unknown group only",
			"input": chat_input(object.union(alice, {"groups": ["interns"]}), {}, {}),
			"want": {
				"allow": false,
				"reasons": ["none of the caller's groups has rights in the policy data"],
				"constraints": {"models": [], "tools": [], "tools_mode": "deny"},
			},
		},
		{
			"label": "no groups claim",
			"input": chat_input(object.remove(alice, ["groups"]), {}, {}),
			"want": {"allow": false, "reasons": ["none of the caller's groups has rights in the policy data"]},
		},
	]))
}

test_model_outside_allowed_list_denied if {
	no_failures(request_failures([
		{
			"label": "support asks for a model of engineers",
			"input": chat_input(bob, {"model": "model-b"}, {}),
			"want": {"allow": false, "reasons": ["model model-b is not allowed for this caller"]},
		},
		{
			"label": "model name that is not an identifier is not repeated",
			"input": chat_input(bob, {"model": "<script>alert(1)</script>"}, {}),
			"want": {"allow": false, "reasons": ["model (name withheld) is not allowed for this caller"]},
		},
	]))
}

test_agent_needs_allowed_purpose if {
	no_failures(request_failures([
		{
			"label": "agent with a purpose of its client",
			"input": chat_input(agent("build-agent", "ci-build"), {}, {}),
			"want": {
				"allow": true,
				"constraints": {
					"models": ["model-a", "model-b"],
					"max_tokens": 1024,
					"tools": ["read_file", "run_shell"],
					"tools_mode": "deny",
				},
			},
		},
		{
			"label": "agent with a purpose allowed to every agent",
			"input": chat_input(agent("build-agent", "smoke-test"), {}, {}),
			"want": {"allow": true},
		},
		{
			"label": "agent without purpose",
			"input": chat_input(object.remove(agent("build-agent", ""), ["purpose"]), {}, {}),
			"want": {"allow": false, "reasons": ["agent build-agent has no purpose, and agents must state one"]},
		},
		{
			"label": "agent with a null purpose",
			"input": chat_input(agent("build-agent", null), {}, {}),
			"want": {"allow": false, "reasons": ["agent build-agent has no purpose, and agents must state one"]},
		},
		{
			"label": "agent with a purpose of another client",
			"input": chat_input(agent("build-agent", "customer-support"), {}, {}),
			"want": {"allow": false, "reasons": ["agent build-agent may not act with purpose customer-support"]},
		},
		{
			"label": "agent of an unknown client",
			"input": chat_input(agent("crawler", "ci-build"), {}, {}),
			"want": {"allow": false, "reasons": ["agent client crawler has no rights in the policy data"]},
		},
		{
			"label": "agent without client_id",
			"input": chat_input(object.remove(agent("build-agent", "ci-build"), ["client_id"]), {}, {}),
			"want": {"allow": false, "reasons": ["the agent token has no client_id"]},
		},
		{
			"label": "agent in a group still gets only its client's rights",
			"input": chat_input(object.union(agent("build-agent", "ci-build"), {"groups": ["auditors"]}), {"model": "model-c"}, {}),
			"want": {"allow": false, "reasons": ["model model-c is not allowed for this caller"]},
		},
	]))
}

test_delegation_limited_to_intersection if {
	no_failures(request_failures([
		{
			"label": "agent subject, agent actor",
			"input": chat_input(acting(agent("release-agent", "release-automation"), actor("build-agent")), {"model": "model-b"}, {}),
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
			"label": "model of the subject but not of the actor",
			"input": chat_input(acting(agent("release-agent", "release-automation"), actor("build-agent")), {"model": "model-c"}, {}),
			"want": {"allow": false, "reasons": ["model model-c is not allowed for this caller"]},
		},
		{
			"label": "person subject, agent actor",
			"input": chat_input(acting(object.union(alice, {"purpose": "ci-build"}), actor("build-agent")), {}, {}),
			"want": {
				"allow": true,
				"constraints": {
					"models": ["model-a", "model-b"],
					"max_tokens": 1024,
					"tools": ["read_file", "run_shell"],
					"tools_mode": "deny",
				},
			},
		},
		{
			"label": "actor not allowed the token's purpose",
			"input": chat_input(acting(alice, actor("build-agent")), {}, {}),
			"want": {"allow": false, "reasons": ["actor build-agent may not act with purpose code-review"]},
		},
		{
			"label": "actor in a token without purpose",
			"input": chat_input(acting(object.remove(alice, ["purpose"]), actor("build-agent")), {}, {}),
			"want": {"allow": false, "reasons": ["actor build-agent has no purpose, and agents must state one"]},
		},
		{
			"label": "chain of two actors intersects all three",
			"input": chat_input(
				acting(agent("release-agent", "release-automation"), object.union(actor("build-agent"), {"actor": actor("release-agent")})),
				{"model": "model-b"},
				{},
			),
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
			"label": "unknown actor client",
			"input": chat_input(acting(alice, actor("stranger")), {}, {}),
			"want": {"allow": false, "reasons": ["actor client stranger has no rights in the policy data"]},
		},
		{
			"label": "unknown client deeper in the chain",
			"input": chat_input(
				acting(agent("release-agent", "release-automation"), object.union(actor("build-agent"), {"actor": actor("stranger")})),
				{"model": "model-b"},
				{},
			),
			"want": {"allow": false, "reasons": ["actor client stranger has no rights in the policy data"]},
		},
		{
			"label": "actor without client_id",
			"input": chat_input(acting(alice, {"subject": "someone", "actor": null}), {}, {}),
			"want": {"allow": false, "reasons": ["the delegated token names an actor without a client_id"]},
		},
		{
			"label": "actor is a string",
			"input": chat_input(acting(alice, "build-agent"), {}, {}),
			"want": {"allow": false, "reasons": ["the delegated token names an actor without a client_id"]},
		},
	]))
}

test_rights_without_max_tokens_denied if {
	no_failures(request_failures([{
		"label": "group without max_tokens and no default",
		"input": chat_input(bob, {}, {}),
		"config": object.remove(fixture_config, ["defaults"]),
		"want": {
			"allow": false,
			"reasons": ["no policy rule allows this request"],
			"constraints": {"models": [], "tools": [], "tools_mode": "deny"},
		},
	}]))
}

test_rights_without_defaults if {
	no_failures(request_failures([
		{
			"label": "no default tools_mode counts as remove",
			"input": chat_input(bob, {}, {}),
			"config": json.patch(fixture_config, [{"op": "remove", "path": "/defaults/tools_mode"}]),
			"want": {
				"allow": true,
				"constraints": {
					"models": ["model-a"],
					"max_tokens": 512,
					"tools": ["lookup_customer", "run_sql"],
					"tools_mode": "remove",
				},
			},
		},
		{
			# Leaving the actor out of the intersection would give the subject's rights.
			"label": "actor without max_tokens and no default leaves no rights",
			"input": chat_input(acting(agent("build-agent", "smoke-test"), actor("helpdesk-bot")), {}, {}),
			"config": object.remove(fixture_config, ["defaults"]),
			"want": {
				"allow": false,
				"reasons": ["no policy rule allows this request"],
				"constraints": {"models": [], "tools": [], "tools_mode": "deny"},
			},
		},
	]))
}
