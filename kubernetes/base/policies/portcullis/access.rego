# Who the caller is and what it may use. Rights come from data.portcullis.config:
# a person gets the union of the entries of their groups, an agent (identity.agent
# true, a client with a service-account token) the entry of its client, and a
# delegated token the intersection of the subject's rights and the rights of every
# actor in its chain. A caller that no entry covers has no rights at all.
package portcullis

import data.portcullis.config

# Tool-call classes. The actions that an entry's tool_actions gives them are
# "allow", "approval" or "deny".
tool_classes := ["read", "write", "destructive"]

is_non_empty_string(value) if {
	is_string(value)
	value != ""
}

# In OPA (checked with 1.22.4), `not is_boolean(input.identity.agent)` is undefined,
# not true, when the field is missing, so a check written that way never fires.
# Negated checks of input fields therefore read the field with object.get and a null
# default. They pass the field's value, not the enclosing object, to functions,
# because OPA 1.22.4 spends about as much on passing an object argument to a function
# as on evaluating a small rule.

positive_integer(value) if {
	is_number(value)
	value >= 1
	value == round(value)
}

# Returns value when it looks like an identifier, so that a reason never repeats
# arbitrary text from a token or a request back to the caller or into the logs.
display_name(value) := value if {
	is_string(value)
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$`, value)
} else := "(name withheld)"

# The gateway drops non-string entries of the groups claim, and so does the policy.
caller_groups := {group | some group in input.identity.groups; is_string(group)}

caller_purpose := input.identity.purpose if is_non_empty_string(input.identity.purpose)

identity_object := input.identity if is_object(input.identity)

identity_problems contains "the input has no identity object" if not identity_object

identity_problems contains "the identity has no subject" if {
	identity_object
	not is_non_empty_string(object.get(input.identity, "subject", null))
}

identity_problems contains "identity.agent is missing or not a boolean" if {
	identity_object
	not is_boolean(object.get(input.identity, "agent", null))
}

identity_problems contains "identity.groups is not a list" if {
	groups := object.get(input.identity, "groups", null)
	groups != null
	not is_array(groups)
}

# The actors of a delegated token, each an object {"subject", "client_id", "actor"}
# whose nested actor is the previous party in the chain (RFC 8693 "act"). The set is
# empty when identity.actor is null or absent, which the first line checks before the
# walk, because most tokens carry no actor.
actor_chain contains actor if {
	input.identity.actor != null
	some path, actor
	walk(input.identity.actor, [path, actor])
	every key in path {
		key == "actor"
	}
	actor != null
}

delegated if count(actor_chain) > 0

# Entries of the caller's groups that the data defines. Unknown groups grant nothing.
known_group_entries := [config.groups[group] | some group in caller_groups]

subject_entries := known_group_entries if input.identity.agent == false

subject_entries := [config.clients[input.identity.client_id]] if input.identity.agent == true

access_problems contains "none of the caller's groups has rights in the policy data" if {
	input.identity.agent == false
	count(known_group_entries) == 0
}

access_problems contains "the agent token has no client_id" if {
	input.identity.agent == true
	not is_non_empty_string(object.get(input.identity, "client_id", null))
}

access_problems contains reason if {
	input.identity.agent == true
	client_id := input.identity.client_id
	is_non_empty_string(client_id)
	not config.clients[client_id]
	reason := sprintf("agent client %s has no rights in the policy data", [display_name(client_id)])
}

access_problems contains reason if {
	input.identity.agent == true
	config.clients[input.identity.client_id]
	not purpose_allowed(input.identity.client_id)
	reason := purpose_problem("agent", input.identity.client_id)
}

access_problems contains "the delegated token names an actor without a client_id" if {
	some actor in actor_chain
	not actor_client_id(actor)
}

# An actor may be any JSON value, and object.get fails on a value that is not an
# object, so this check takes the actor itself.
actor_client_id(actor) := actor.client_id if is_non_empty_string(actor.client_id)

access_problems contains reason if {
	some actor in actor_chain
	is_non_empty_string(actor.client_id)
	not config.clients[actor.client_id]
	reason := sprintf("actor client %s has no rights in the policy data", [display_name(actor.client_id)])
}

# An actor acts under the token's purpose, so it must be allowed that purpose as if
# it called the gateway itself.
access_problems contains reason if {
	some actor in actor_chain
	config.clients[actor.client_id]
	not purpose_allowed(actor.client_id)
	reason := purpose_problem("actor", actor.client_id)
}

purpose_allowed(client_id) if caller_purpose in config.clients[client_id].purposes

purpose_allowed(_) if caller_purpose in config.agent_purposes

purpose_problem(role, client_id) := sprintf("%s %s may not act with purpose %s", [role, display_name(client_id), display_name(caller_purpose)]) if {
	caller_purpose
} else := sprintf("%s %s has no purpose, and agents must state one", [role, display_name(client_id)])

# Returns value when it is a valid max_tokens, else the data's default when that is
# valid. Undefined otherwise.
max_tokens_or_default(value) := value if {
	positive_integer(value)
} else := config.defaults.max_tokens if {
	positive_integer(config.defaults.max_tokens)
}

# The tools_mode of an entry that names none.
default_tools_mode := mode if {
	mode := config.defaults.tools_mode
} else := "remove"

# Rights that any one of entries grants: the union of models and tools, the highest
# max_tokens, the stricter tools_mode and, per tool-call class, the most permissive
# action. Undefined when no entry has a valid max_tokens and the data has no default.
# The helpers get sets of strings, not entries, because of the cost of object
# arguments.
union_rights(entries) := {
	"models": {model | some entry in entries; some model in entry.models},
	"tools": {tool | some entry in entries; some tool in entry.tools},
	"max_tokens": max({limit |
		some entry in entries
		limit := max_tokens_or_default(object.get(entry, "max_tokens", null))
	}),
	"tools_mode": strictest_tools_mode({object.get(entry, "tools_mode", default_tools_mode) | some entry in entries}),
	"tool_actions": {class: most_permissive_action(actions) |
		some class in tool_classes
		actions := {object.get(entry, ["tool_actions", class], "deny") | some entry in entries}
	},
}

# Rights that every one of all grants: the intersection of models and tools, the
# lowest max_tokens, the stricter tools_mode and, per tool-call class, the least
# permissive action. Each element of all is a result of union_rights.
intersect_rights(all) := {
	"models": intersection({rights.models | some rights in all}),
	"tools": intersection({rights.tools | some rights in all}),
	"max_tokens": min({rights.max_tokens | some rights in all}),
	"tools_mode": strictest_tools_mode({rights.tools_mode | some rights in all}),
	"tool_actions": {class: least_permissive_action(actions) |
		some class in tool_classes
		actions := {rights.tool_actions[class] | some rights in all}
	},
}

# Any tools_mode other than "remove", a misspelt one included, counts as "deny".
strictest_tools_mode(modes) := "remove" if {
	every mode in modes {
		mode == "remove"
	}
} else := "deny"

# A misspelt or missing action counts as "deny".
most_permissive_action(actions) := "allow" if {
	"allow" in actions
} else := "approval" if {
	"approval" in actions
} else := "deny"

least_permissive_action(actions) := "deny" if {
	"deny" in actions
} else := "approval" if {
	"approval" in actions
} else := "allow"

subject_rights := union_rights(subject_entries)

# Each actor limits the token as if it called the gateway itself.
actor_rights := [union_rights([config.clients[actor.client_id]]) | some actor in actor_chain]

access_checks_passed if {
	count(identity_problems) == 0
	count(access_problems) == 0
}

# The caller's rights after every check of this file has passed. Undefined otherwise,
# which the decisions treat as no rights. Most tokens carry no actor, so the
# intersection is computed only for delegated tokens.
effective_rights := subject_rights if {
	access_checks_passed
	not delegated
}

# An actor whose rights are undefined (its entry has no valid max_tokens and the data
# has no default) leaves the token without rights.
effective_rights := intersect_rights(array.concat([subject_rights], actor_rights)) if {
	access_checks_passed
	delegated
	count(actor_rights) == count(actor_chain)
}

model_problems contains reason if {
	input.request.api == "chat.completions"
	model := input.request.model
	is_non_empty_string(model)
	rights := effective_rights
	not model in rights.models
	reason := sprintf("model %s is not allowed for this caller", [display_name(model)])
}
