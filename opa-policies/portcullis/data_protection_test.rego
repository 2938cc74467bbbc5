package portcullis_test

all_pii := ["EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER"]

test_secrets_in_prompt_denied if {
	no_failures(request_failures([
		{
			"label": "two secret types",
			"input": chat_input(alice, {}, {"PASSWORD": 1, "AWS_ACCESS_KEY": 2, "EMAIL_ADDRESS": 1}),
			"want": {
				"allow": false,
				"reasons": ["the prompt contains secrets (AWS_ACCESS_KEY, PASSWORD); remove them and send the request again"],
				"mask": {"prompt": ["AWS_ACCESS_KEY", "EMAIL_ADDRESS", "PASSWORD"], "response": all_pii, "mode": "pseudonymize"},
			},
		},
		{
			"label": "support may see personal data, not secrets",
			"input": chat_input(bob, {}, {"PRIVATE_KEY": 1}),
			"want": {"allow": false, "reasons": ["the prompt contains secrets (PRIVATE_KEY); remove them and send the request again"]},
		},
		{
			"label": "a count that is not a number counts as found",
			"input": chat_input(alice, {}, {"PASSWORD": "1"}),
			"want": {"allow": false},
			"reasons_include": ["the prompt contains secrets (PASSWORD); remove them and send the request again"],
		},
		{
			"label": "a count of 0 is not a finding",
			"input": chat_input(alice, {}, {"PASSWORD": 0}),
			"want": {"allow": true, "mask": {"prompt": [], "response": all_pii, "mode": "pseudonymize"}},
		},
	]))
}

test_personal_data_masked_or_clear if {
	no_failures(request_failures([
		{
			"label": "engineer: masked in prompt and response",
			"input": chat_input(alice, {}, {"EMAIL_ADDRESS": 2, "PERSON": 1}),
			"want": {
				"allow": true,
				"mask": {"prompt": ["EMAIL_ADDRESS", "PERSON"], "response": all_pii, "mode": "pseudonymize"},
			},
		},
		{
			"label": "support with purpose customer-support: in clear",
			"input": chat_input(bob, {}, {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1}),
			"want": {"allow": true, "mask": {"prompt": [], "response": [], "mode": "pseudonymize"}},
		},
		{
			"label": "support with another purpose: masked",
			"input": chat_input(object.union(bob, {"purpose": "training"}), {}, {"EMAIL_ADDRESS": 1}),
			"want": {
				"allow": true,
				"mask": {"prompt": ["EMAIL_ADDRESS"], "response": all_pii, "mode": "pseudonymize"},
			},
		},
		{
			"label": "support without purpose: masked",
			"input": chat_input(object.remove(bob, ["purpose"]), {}, {"EMAIL_ADDRESS": 1}),
			"want": {"mask": {"prompt": ["EMAIL_ADDRESS"], "response": all_pii, "mode": "pseudonymize"}},
		},
		{
			"label": "support: a type that is not personal data stays masked",
			"input": chat_input(bob, {}, {"EMAIL_ADDRESS": 1, "LICENSE_PLATE": 1}),
			"want": {"mask": {"prompt": ["LICENSE_PLATE"], "response": [], "mode": "pseudonymize"}},
		},
		{
			"label": "support acting through an agent: masked",
			"input": chat_input(acting(bob, actor("helpdesk-bot")), {}, {"EMAIL_ADDRESS": 1}),
			"want": {
				"allow": true,
				"mask": {"prompt": ["EMAIL_ADDRESS"], "response": all_pii, "mode": "pseudonymize"},
			},
		},
		{
			"label": "agent in the support group: masked",
			"input": chat_input(object.union(agent("helpdesk-bot", "customer-support"), {"groups": ["support"]}), {}, {"PHONE_NUMBER": 1}),
			"want": {
				"allow": true,
				"mask": {"prompt": ["PHONE_NUMBER"], "response": all_pii, "mode": "pseudonymize"},
			},
		},
	]))
}

test_mask_settings_from_data if {
	no_failures(request_failures([
		{
			"label": "mask_response found masks only the prompt's types",
			"input": chat_input(alice, {}, {"PERSON": 1}),
			"config": json.patch(fixture_config, [{"op": "replace", "path": "/data_protection/mask_response", "value": "found"}]),
			"want": {"mask": {"prompt": ["PERSON"], "response": ["PERSON"], "mode": "pseudonymize"}},
		},
		{
			"label": "unknown mask_mode falls back to redact",
			"input": chat_input(alice, {}, {"PERSON": 1}),
			"config": json.patch(fixture_config, [{"op": "replace", "path": "/data_protection/mask_mode", "value": "hash"}]),
			"want": {"mask": {"prompt": ["PERSON"], "response": all_pii, "mode": "redact"}},
		},
		{
			"label": "restore_originals with pseudonyms restores",
			"input": chat_input(alice, {}, {"PERSON": 1}),
			"config": json.patch(fixture_config, [{"op": "add", "path": "/data_protection/restore_originals", "value": true}]),
			"want": {"mask": {"prompt": ["PERSON"], "response": all_pii, "mode": "pseudonymize", "restore": true}},
		},
		{
			"label": "restore_originals with redaction has nothing to restore",
			"input": chat_input(alice, {}, {"PERSON": 1}),
			"config": json.patch(fixture_config, [
				{"op": "add", "path": "/data_protection/restore_originals", "value": true},
				{"op": "replace", "path": "/data_protection/mask_mode", "value": "redact"},
			]),
			"want": {"mask": {"prompt": ["PERSON"], "response": all_pii, "mode": "redact"}},
		},
	]))
}

test_record_mode if {
	no_failures(request_failures([
		{
			"label": "engineer: full",
			"input": chat_input(alice, {}, {}),
			"want": {"record": "full"},
		},
		{
			"label": "auditor: metadata by group",
			"input": chat_input(dave, {"model": "model-c"}, {}),
			"want": {"allow": true, "record": "metadata"},
		},
		{
			"label": "support with customer-support: metadata by purpose",
			"input": chat_input(bob, {}, {}),
			"want": {"allow": true, "record": "metadata"},
		},
		{
			"label": "denied request keeps its record mode",
			"input": chat_input(dave, {"model": "model-a"}, {}),
			"want": {"allow": false, "record": "metadata"},
		},
	]))
}
