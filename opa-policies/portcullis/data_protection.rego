# What happens to sensitive data: prompts with secrets are denied, personal data is
# masked unless the caller's group and purpose may see it in clear, and some groups
# and purposes are recorded as metadata only. The entity types and the exceptions
# come from data.portcullis.config.data_protection and .record.
package portcullis

import data.portcullis.config

# Entity types found in the prompt. A count that is not 0 counts as found, so that an
# odd count never hides a type.
found_types := {entity_type |
	is_object(input.findings)
	some entity_type, entity_count in input.findings
	entity_count != 0
}

# Found types that the data lists as secrets or as personal data. Each found type is
# looked up in the data's list, instead of building a set of the whole list on every
# request.
found_secret_types := {entity_type |
	some entity_type in found_types
	entity_type in config.data_protection.secret_types
}

found_pii_types := {entity_type |
	some entity_type in found_types
	entity_type in config.data_protection.pii_types
}

secret_problems contains reason if {
	input.request.api == "chat.completions"
	count(found_secret_types) > 0
	reason := sprintf("the prompt contains secrets (%s); remove them and send the request again", [concat(", ", sort(found_secret_types))])
}

# Personal data in clear is a right of a person's group combined with a purpose. Agents
# have no groups, and actors of a delegated token have no such right, so both always
# get masked data.
pii_in_clear if {
	input.identity.agent == false
	not delegated
	some grant in config.data_protection.clear_pii
	grant.group in caller_groups
	grant.purpose == caller_purpose
}

mask_mode := mode if {
	mode := config.data_protection.mask_mode
	mode in {"redact", "pseudonymize"}
} else := "redact"

# Every found type is masked in the prompt, unknown types and secrets included, except
# the personal data types that the caller may see in clear.
prompt_mask_types := found_types - found_pii_types if {
	pii_in_clear
} else := found_types

# A model can write personal data that the prompt did not contain, so by default
# ("all") responses are masked for every personal data type. "found" masks only the
# types found in the prompt.
response_mask_types := set() if {
	pii_in_clear
} else := found_pii_types if {
	config.data_protection.mask_response == "found"
} else := {entity_type | some entity_type in config.data_protection.pii_types}

base_mask := {
	"prompt": sort(prompt_mask_types),
	"response": sort(response_mask_types),
	"mode": mask_mode,
} if {
	input.request.api == "chat.completions"
} else := {"prompt": [], "response": [], "mode": mask_mode}

# With restore_originals, the gateway puts the caller's own values back in place of the
# pseudonyms that the model repeats in its answer. Only pseudonyms can be restored.
request_mask := object.union(base_mask, {"restore": true}) if {
	mask_mode == "pseudonymize"
	config.data_protection.restore_originals == true
} else := base_mask

default record_mode := "full"

record_mode := "metadata" if {
	some group in caller_groups
	group in config.record.metadata_groups
}

record_mode := "metadata" if caller_purpose in config.record.metadata_purposes
