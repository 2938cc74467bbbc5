package portcullis_test

import data.portcullis

test_decision_allows_any_request if {
	result := portcullis.decision with input as {
		"identity": {"subject": "alice", "groups": ["engineers"], "purpose": "code-review"},
		"request": {"api": "chat.completions", "model": "smollm2-135m-instruct", "stream": true},
		"findings": {},
	}
	result.allow == true
	result.reasons == []
}

test_decision_allows_empty_input if {
	portcullis.decision.allow with input as {}
}
