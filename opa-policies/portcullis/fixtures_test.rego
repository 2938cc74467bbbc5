# Policy data, identities and input builders shared by the tests of package
# portcullis. The tests replace data.portcullis.config with fixture_config, so they
# check the rules, not the organisation's data.json. shipped_data_test.rego checks
# data.json itself. The shell and SQL patterns are the shipped ones, because the
# tests of commands.rego exist to check those patterns.
package portcullis_test

import data.portcullis

fixture_config := {
	"defaults": {"max_tokens": 512, "tools_mode": "remove"},
	"groups": {
		"engineers": {
			"models": ["model-a", "model-b"],
			"max_tokens": 2048,
			"tools": ["read_file", "run_shell", "run_sql", "write_file", "legacy_ftp", "bare_shell", "unlisted_tool"],
			"tools_mode": "remove",
			"tool_actions": {"read": "allow", "write": "approval", "destructive": "deny"},
		},
		# No max_tokens, so the default applies, and no write action, so writes are denied.
		"support": {
			"models": ["model-a"],
			"tools": ["lookup_customer", "run_sql"],
			"tool_actions": {"read": "allow"},
		},
		# "alow" is misspelt on purpose: it must count as "deny".
		"auditors": {
			"models": ["model-c"],
			"max_tokens": 1024,
			"tools": ["run_sql"],
			"tools_mode": "deny",
			"tool_actions": {"read": "allow", "write": "alow"},
		},
	},
	"clients": {
		"build-agent": {
			"purposes": ["ci-build", "release-automation"],
			"models": ["model-a", "model-b"],
			"max_tokens": 1024,
			"tools": ["read_file", "run_shell"],
			"tools_mode": "deny",
			"tool_actions": {"read": "allow", "write": "approval"},
		},
		"release-agent": {
			"purposes": ["release-automation"],
			"models": ["model-b", "model-c"],
			"max_tokens": 4096,
			"tools": ["run_shell", "write_file"],
			"tool_actions": {"read": "allow", "write": "allow"},
		},
		"helpdesk-bot": {
			"purposes": ["customer-support"],
			"models": ["model-a"],
			"tools": ["lookup_customer"],
			"tool_actions": {"read": "allow"},
		},
	},
	"agent_purposes": ["smoke-test"],
	"data_protection": {
		"secret_types": ["AWS_ACCESS_KEY", "PRIVATE_KEY", "PASSWORD"],
		"pii_types": ["EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON"],
		"mask_mode": "pseudonymize",
		"mask_response": "all",
		"clear_pii": [{"group": "support", "purpose": "customer-support"}],
	},
	"approval": {
		"approver_groups": ["approvers"],
		"min_approvals": 2,
		"request_ttl_seconds": 600,
		"tool_call_ttl_seconds": 120,
		"max_prompt_tokens": 1000,
		"production_purposes": ["release-automation", "production-change"],
	},
	"record": {
		"metadata_groups": ["auditors"],
		"metadata_purposes": ["customer-support"],
	},
	"tools": {
		"lookup_customer": {"kind": "read"},
		"read_file": {"kind": "read"},
		"write_file": {"kind": "write"},
		"run_shell": {"kind": "shell", "command_arguments": ["command", "argv"]},
		"run_sql": {"kind": "sql", "command_arguments": ["query", "sql"]},
		"legacy_ftp": {"kind": "ftp"},
		"bare_shell": {"kind": "shell"},
	},
	"shell": data.portcullis.config.shell,
	"sql": data.portcullis.config.sql,
}

alice := {
	"issuer": "http://127.0.0.1:8180/realms/portcullis",
	"subject": "0d6f2a4e-alice",
	"username": "alice",
	"email": "alice@example.com",
	"groups": ["engineers"],
	"roles": ["llm-user"],
	"client_id": "portcullis-cli",
	"agent": false,
	"purpose": "code-review",
	"actor": null,
	"expires_at": "2026-12-04T17:30:00Z",
}

bob := object.union(alice, {
	"subject": "5b0e71c2-bob",
	"username": "bob",
	"email": "bob@example.com",
	"groups": ["support"],
	"purpose": "customer-support",
})

dave := object.union(alice, {
	"subject": "9a4c3d10-dave",
	"username": "dave",
	"email": "dave@example.com",
	"groups": ["auditors"],
	"purpose": "audit-review",
})

# A service-account token: Keycloak adds client_id, so the gateway sets agent true.
agent(client_id, purpose) := {
	"issuer": "http://127.0.0.1:8180/realms/portcullis",
	"subject": sprintf("service-account-%s", [client_id]),
	"username": sprintf("service-account-%s", [client_id]),
	"groups": [],
	"roles": ["llm-user"],
	"client_id": client_id,
	"agent": true,
	"purpose": purpose,
	"actor": null,
	"expires_at": "2026-12-04T17:30:00Z",
}

actor(client_id) := {"subject": sprintf("service-account-%s", [client_id]), "client_id": client_id, "actor": null}

# Returns identity with the given actor chain, as a delegated token (RFC 8693) gives it.
acting(identity, chain) := object.union(identity, {"actor": chain})

chat_request := {
	"api": "chat.completions",
	"model": "model-a",
	"stream": true,
	"max_tokens": 256,
	"n": 1,
	"tools": [],
	"message_count": 1,
	"estimated_prompt_tokens": 120,
}

chat_input(identity, request_fields, findings) := {
	"version": "portcullis.policy.input/v1",
	"identity": identity,
	"request": object.union(chat_request, request_fields),
	"findings": findings,
	"session": {"id": "test-session", "turn": 1},
	"source": {"address": "127.0.0.1", "user_agent": "opa-test"},
	"time": "2026-12-04T17:25:03.120Z",
}

models_list_input(identity) := {
	"version": "portcullis.policy.input/v1",
	"identity": identity,
	"request": {"api": "models.list"},
	"findings": {},
	"session": {"id": "test-session", "turn": 1},
	"source": {"address": "127.0.0.1", "user_agent": "opa-test"},
	"time": "2026-12-04T17:25:03.120Z",
}

tool_input(identity, name, arguments) := {
	"version": "portcullis.policy.tool_input/v1",
	"identity": identity,
	"session": {"id": "test-session", "turn": 2},
	"request": {"model": "model-a"},
	"tool": {"name": name, "arguments": arguments},
}

decide(case_input, config) := result if {
	result := portcullis.decision with input as case_input
		with data.portcullis.config as config
}

decide_tool_call(case_input, config) := result if {
	result := portcullis.tool_call with input as case_input
		with data.portcullis.config as config
}

# Returns the rows of a table of request cases whose decision differs from the row's
# "want" (a partial decision, compared field by field) or lacks one of the row's
# "reasons_include". A row may replace the policy data with "config". Each failure
# carries the row's label and the decision, so a failing test shows which row broke.
request_failures(cases) := [{"label": case.label, "got": got} |
	some case in cases
	got := decide(case.input, object.get(case, "config", fixture_config))
	not case_passes(case, got)
]

# Returns the failing rows of a table of tool-call cases, as request_failures does.
tool_call_failures(cases) := [{"label": case.label, "got": got} |
	some case in cases
	got := decide_tool_call(case.input, object.get(case, "config", fixture_config))
	not case_passes(case, got)
]

case_passes(case, got) if {
	every key, value in object.get(case, "want", {}) {
		got[key] == value
	}
	every reason in object.get(case, "reasons_include", []) {
		reason in got.reasons
	}
}

# Succeeds when failures is empty, and prints it so that OPA shows the failing rows
# in the output of the failed test.
no_failures(failures) if {
	print("failed cases:", failures)
	count(failures) == 0
}
