# Placeholder policy of the Portcullis gateway. The gateway queries
# POST /v1/data/portcullis/decision with {"input": ...} and reads back the decision
# object. This version allows every request until the real rules are written.
package portcullis

# TODO: replace with rules over input.identity, input.request and input.findings.
decision := {
	"allow": true,
	"reasons": [],
}
