"""Checks the gateway's OpenAI compatibility with the official OpenAI Python SDK.

Each check streams or requests a chat completion through the gateway from the upstream
simulator (the model given by --model) and prints one JSON line with its outcome. The
process exits non-zero when any check fails, and the JSON lines name the failed checks.
"""

import argparse
import json
import sys

import openai


def stream_text(client, model, metadata, **extra):
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Say hello."}],
        stream=True,
        metadata=metadata,
        **extra,
    )
    texts = {}
    tool_arguments = {}
    usage = None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage.total_tokens
        for choice in chunk.choices:
            if choice.delta.content:
                texts[choice.index] = texts.get(choice.index, "") + choice.delta.content
            for call in choice.delta.tool_calls or []:
                if call.function and call.function.arguments:
                    tool_arguments[call.index] = tool_arguments.get(call.index, "") + call.function.arguments
    return texts, tool_arguments, usage


def check_usage(client, model):
    texts, _, usage = stream_text(client, model, {"sim_recording": "openai-chat_agent-run.1"},
                                  stream_options={"include_usage": True})
    return usage is not None and usage > 0, {"usage_total_tokens": usage}


def check_multiple_choices(client, model):
    texts, _, _ = stream_text(client, model, {}, n=3)
    return sorted(texts) == [0, 1, 2], {"choices": sorted(texts)}


def check_tool_calls(client, model):
    _, arguments, _ = stream_text(client, model, {"sim_recording": "openai-chat_parallel-tool-calls"},
                                  tools=[{"type": "function", "function": {"name": "get_weather"}}])
    parsed = [json.loads(value) for _, value in sorted(arguments.items())]
    return len(parsed) == 2, {"tool_arguments": parsed}


def expect_stream_error(client, model, metadata, code):
    try:
        stream_text(client, model, metadata)
    except openai.APIError as error:
        body = error.body if isinstance(error.body, dict) else {}
        return body.get("code") == code, {"raised": type(error).__name__, "code": body.get("code")}
    return False, {"raised": None}


def check_truncated_stream(client, model):
    return expect_stream_error(client, model, {"sim_fault": "truncate"}, "upstream_stream_truncated")


def check_garbage_stream(client, model):
    return expect_stream_error(client, model, {"sim_fault": "garbage"}, "upstream_invalid_response")


def check_rate_limit(client, model):
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}],
                                       metadata={"sim_fault": "status:429"})
    except openai.RateLimitError as error:
        return error.response.headers.get("retry-after") == "7", {"retry_after": error.response.headers.get("retry-after")}
    return False, {"raised": None}


def check_bad_token(base_url, model):
    client = openai.OpenAI(base_url=base_url, api_key="not-a-token", max_retries=0)
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}])
    except openai.AuthenticationError as error:
        return error.status_code == 401, {"status": error.status_code}
    return False, {"raised": None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="gateway base URL, such as http://127.0.0.1:8081/v1")
    parser.add_argument("--token", required=True, help="OIDC access token, sent as the API key")
    parser.add_argument("--model", required=True, help="a model the gateway routes to the simulator")
    args = parser.parse_args()

    client = openai.OpenAI(base_url=args.base_url, api_key=args.token, max_retries=0, timeout=30)
    checks = {
        "usage": lambda: check_usage(client, args.model),
        "multiple_choices": lambda: check_multiple_choices(client, args.model),
        "tool_calls": lambda: check_tool_calls(client, args.model),
        "truncated_stream": lambda: check_truncated_stream(client, args.model),
        "garbage_stream": lambda: check_garbage_stream(client, args.model),
        "rate_limit": lambda: check_rate_limit(client, args.model),
        "bad_token": lambda: check_bad_token(args.base_url, args.model),
    }
    failed = 0
    for name, check in checks.items():
        try:
            passed, detail = check()
        except Exception as error:  # noqa: BLE001 - any exception is a failed check, reported below
            passed, detail = False, {"exception": repr(error)}
        failed += 0 if passed else 1
        print(json.dumps({"check": name, "passed": passed, **detail}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
