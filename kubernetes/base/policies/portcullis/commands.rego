# Classifies a tool call as "read", "write" or "destructive". The tool's kind comes
# from data.portcullis.config.tools: "read" and "write" tools have a fixed class, and
# the commands of "shell" and "sql" tools are matched against the patterns in
# config.shell and config.sql. A command is a read only when it matches a known read
# and no write pattern, so anything unfamiliar is at least a write and waits for
# approval instead of running.
#
# NOTE: these are text patterns, not parsers. Quoting, escapes, aliases, scripts and
# SQL functions with side effects can hide what a command does. Run the tools with
# least privilege (a read-only database role, a sandboxed shell) as well.
package portcullis

import data.portcullis.config

tool_name := input.tool.name if is_non_empty_string(input.tool.name)

tool_spec := config.tools[tool_name]

tool_kind := tool_spec.kind

# Returns the command text of a tool argument: a string, or an argv-style list of
# strings joined by spaces.
command_text(value) := value if {
	is_string(value)
	trim_space(value) != ""
}

command_text(value) := concat(" ", value) if {
	is_array(value)
	count(value) > 0
	every item in value {
		is_string(item)
	}
}

command_arguments := {field | some field in tool_spec.command_arguments; input.tool.arguments[field]}

tool_commands contains text if {
	some field in command_arguments
	text := command_text(input.tool.arguments[field])
}

# Redirections to /dev/null and file descriptor copies such as 2>&1 write nothing, so
# they are removed before the write patterns and the read list are applied. Each must
# end where a word ends, so that ">/dev/nullfile" and ">&2file" stay writes, and the
# separator after it is kept, so that no two commands merge into one.
shell_normalized(command) := without_null_redirects if {
	without_copies := regex.replace(command, `[0-9]*>&([0-9]+|-)(\s|$|[;&|)])`, " $2")
	without_null_redirects := regex.replace(without_copies, `[0-9&]*>>?\s*/dev/null(\s|$|[;&|)])`, " $1")
}

# Returns the simple commands of a command line, split at ; & | and line breaks.
shell_segments(command) := [segment |
	some part in regex.split(`[;&|\n]+`, shell_normalized(command))
	segment := trim_space(part)
	segment != ""
]

# A segment is a read when its program, or its program and first argument (as in
# "git status"), is on config.shell.read_commands.
shell_read_segment(segment) if {
	words := regex.split(`\s+`, segment)
	words[0] in config.shell.read_commands
}

shell_read_segment(segment) if {
	words := regex.split(`\s+`, segment)
	concat(" ", [words[0], words[1]]) in config.shell.read_commands
}

sql_statements(command) := [statement |
	some part in split(command, ";")
	statement := trim_space(part)
	statement != ""
]

# Each statement is checked as written and with its comments removed, so that neither
# a WHERE inside a comment nor a comment before a keyword changes the class.
sql_variants contains variant if {
	some command in tool_commands
	some statement in sql_statements(command)
	some variant in {statement, strip_sql_comments(statement)}
}

strip_sql_comments(statement) := trim_space(regex.replace(regex.replace(statement, `(?s)/\*.*?\*/`, " "), `--[^\n]*`, " "))

sql_read_statement(statement) if {
	some pattern in config.sql.read_patterns
	regex.match(pattern, statement)
}

# A pattern is {"name", "pattern"} with an optional "unless": the pattern matches a
# text that matches "pattern" and not "unless".
pattern_matches(pattern, text) if {
	regex.match(pattern.pattern, text)
	not unless_matches(pattern, text)
}

unless_matches(pattern, text) if regex.match(pattern.unless, text)

destructive_findings contains pattern.name if {
	tool_kind == "shell"
	some command in tool_commands
	some pattern in config.shell.destructive_patterns
	pattern_matches(pattern, command)
}

destructive_findings contains pattern.name if {
	tool_kind == "sql"
	some statement in sql_variants
	some pattern in config.sql.destructive_patterns
	pattern_matches(pattern, statement)
}

write_findings contains pattern.name if {
	tool_kind == "shell"
	some command in tool_commands
	some pattern in config.shell.write_patterns
	pattern_matches(pattern, shell_normalized(command))
}

write_findings contains "a command that is not on the read-only list" if {
	tool_kind == "shell"
	some command in tool_commands
	some segment in shell_segments(command)
	not shell_read_segment(segment)
}

write_findings contains pattern.name if {
	tool_kind == "sql"
	some statement in sql_variants
	some pattern in config.sql.write_patterns
	pattern_matches(pattern, statement)
}

# A comment before SELECT does not make a read a write, because the write and
# destructive patterns above see each statement with and without its comments.
write_findings contains "a statement that is not a known read" if {
	tool_kind == "sql"
	some command in tool_commands
	some statement in sql_statements(command)
	not sql_read_statement(statement)
	not sql_read_statement(strip_sql_comments(statement))
}

command_units(command) := shell_segments(command) if tool_kind == "shell"

command_units(command) := sql_statements(command) if tool_kind == "sql"

# Commands that consist only of separators, such as ";", run nothing that the patterns
# could classify.
empty_commands := {command | some command in tool_commands; count(command_units(command)) == 0}

command_class := "destructive" if {
	count(destructive_findings) > 0
} else := "write" if {
	count(write_findings) > 0
} else := "read" if {
	count(tool_commands) > 0
	count(empty_commands) == 0
}

tool_class := "read" if tool_kind == "read"

tool_class := "write" if tool_kind == "write"

tool_class := command_class if tool_kind in {"shell", "sql"}

# Why the tool call has its class, for reasons and approval messages.
tool_class_details := {"the tool is marked as a write"} if {
	tool_kind == "write"
} else := destructive_findings if {
	tool_class == "destructive"
} else := write_findings
