"""Streams one chat completion through Portcullis with the official OpenAI Python SDK.

Only base_url and api_key differ from a direct OpenAI call: the API key is the caller's
OIDC access token. Prints the streamed text and a JSON summary on the last line; exits
non-zero when the stream fails or yields no text.
"""

import argparse
import json
import sys

import openai


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="gateway base URL, such as http://127.0.0.1:8080/v1")
    parser.add_argument("--token", required=True, help="OIDC access token, sent as the API key")
    parser.add_argument("--model", required=True, help="model id routed by the gateway")
    parser.add_argument("--prompt", default="Name three colors.", help="user message")
    args = parser.parse_args()

    client = openai.OpenAI(base_url=args.base_url, api_key=args.token, max_retries=0, timeout=120)
    stream = client.chat.completions.create(
        model=args.model,
        messages=[{"role": "user", "content": args.prompt}],
        max_tokens=32,
        stream=True,
        stream_options={"include_usage": True},
    )
    text = []
    finish_reason = None
    usage = None
    chunks = 0
    for chunk in stream:
        chunks += 1
        if chunk.usage is not None:
            usage = chunk.usage.model_dump()
        for choice in chunk.choices:
            if choice.delta.content:
                text.append(choice.delta.content)
                print(choice.delta.content, end="", flush=True)
            if choice.finish_reason:
                finish_reason = choice.finish_reason
    print()
    summary = {"chunks": chunks, "text": "".join(text), "finish_reason": finish_reason, "usage": usage,
               "session_id": None}
    print(json.dumps(summary))
    if not text or finish_reason is None:
        print("The stream ended without text or without a finish reason.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
