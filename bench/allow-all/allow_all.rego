# Policy of the "Portcullis, like LiteLLM" configuration in bench/run.sh: it allows every
# request and every tool call, asks for no masking, no approval and no constraints, so that
# the gateway runs without the stages that LiteLLM proxy lacks. Never load it outside the
# benchmark.
package portcullis

decision := {"version": "portcullis.policy.decision/v1", "allow": true}

tool_call := {"version": "portcullis.policy.tool_decision/v1", "allow": true}
