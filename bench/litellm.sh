#!/usr/bin/env bash
# LiteLLM proxy for the comparison in bench/run.sh, from a pinned PyPI release in a venv of
# its own under $PORTCULLIS_CACHE.
#
#   bench/litellm.sh install
#   bench/litellm.sh start PORT UPSTREAM_BASE_URL MODEL WORK_DIR
#
# start writes WORK_DIR/litellm.yaml, runs the proxy under gunicorn on 127.0.0.1:PORT in the background
# with its log in WORK_DIR/litellm.log, waits until it responds, and prints its pid. The
# proxy routes MODEL to UPSTREAM_BASE_URL (an OpenAI-compatible base URL ending in /v1)
# and accepts the key in $BENCH_LITELLM_KEY as its master key, without a database.
#
# LiteLLM must reach nothing but 127.0.0.1. start therefore sets:
#   - LITELLM_LOCAL_MODEL_COST_MAP=True: the cost map bundled in the package, instead of
#     one fetched at start;
#   - telemetry off (--telemetry False and the config), no callbacks, no spend logs;
#   - HTTP_PROXY and HTTPS_PROXY to 127.0.0.1:9, where nothing listens, with NO_PROXY for
#     loopback, so that an HTTP client that honours them fails instead of going out.
# bench/run.sh also lists the proxy's TCP connections after the load and fails when one has
# a peer outside 127.0.0.0/8.
set -euo pipefail

# shellcheck source=stack/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../stack/env.sh"

LITELLM_VERSION=${BENCH_LITELLM_VERSION:-1.106.12}
LITELLM_VENV=$PORTCULLIS_CACHE/litellm-$LITELLM_VERSION
# Gunicorn worker processes, one per core of the machine the page was measured on.
# NOTE: without --run_gunicorn, LiteLLM 1.106.12 starts its workers through uvicorn, whose
# supervisor restarted the second worker again and again on a busy 2-core machine.
LITELLM_WORKERS=${BENCH_LITELLM_WORKERS:-2}
START_TIMEOUT=120

die() {
    printf '[litellm] ERROR: %s\n' "$*" >&2
    exit 1
}

install() {
    if [[ -x $LITELLM_VENV/bin/litellm ]]; then
        return 0
    fi
    printf '[litellm] installing litellm[proxy]==%s into %s\n' "$LITELLM_VERSION" "$LITELLM_VENV" >&2
    python3 -m venv "$LITELLM_VENV"
    "$LITELLM_VENV/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION" ||
        die "pip could not install litellm[proxy]==$LITELLM_VERSION; see its output above"
}

write_config() {
    local upstream=$1 model=$2 config=$3
    cat >"$config" <<YAML
# Written by bench/litellm.sh. One model on the upstream simulator, master-key
# authentication without a database, and no logging, callbacks or telemetry.
model_list:
  - model_name: $model
    litellm_params:
      model: openai/$model
      api_base: $upstream
      api_key: simulator-ignores-this-key
litellm_settings:
  telemetry: false
  turn_off_message_logging: true
  drop_params: true
  request_timeout: 30
  num_retries: 0
general_settings:
  master_key: os.environ/BENCH_LITELLM_KEY
  disable_spend_logs: true
  disable_error_logs: true
  disable_adding_master_key_hash_to_db: true
YAML
}

start() {
    local port=${1:?usage: $0 start PORT UPSTREAM_BASE_URL MODEL WORK_DIR}
    local upstream=${2:?usage: $0 start PORT UPSTREAM_BASE_URL MODEL WORK_DIR}
    local model=${3:?usage: $0 start PORT UPSTREAM_BASE_URL MODEL WORK_DIR}
    local work_dir=${4:?usage: $0 start PORT UPSTREAM_BASE_URL MODEL WORK_DIR}
    local config=$work_dir/litellm.yaml log_file=$work_dir/litellm.log pid waited=0
    [[ -n ${BENCH_LITELLM_KEY:-} ]] || die "BENCH_LITELLM_KEY is not set; export the master key that callers send"
    [[ -x $LITELLM_VENV/bin/litellm ]] || die "LiteLLM is not installed; run: $0 install"
    mkdir -p "$work_dir"
    write_config "$upstream" "$model" "$config"
    (
        cd "$work_dir"
        export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR
        export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
        export http_proxy=$HTTP_PROXY https_proxy=$HTTPS_PROXY
        export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
        unset DATABASE_URL
        exec "$LITELLM_VENV/bin/litellm" --config "$config" --host 127.0.0.1 --port "$port" \
            --run_gunicorn --num_workers "$LITELLM_WORKERS" --telemetry False
    ) >"$log_file" 2>&1 &
    pid=$!
    until curl -fsS -o /dev/null --max-time 3 -H "Authorization: Bearer $BENCH_LITELLM_KEY" \
        "http://127.0.0.1:$port/v1/models" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$log_file" >&2
            die "LiteLLM exited during start; its log is $log_file"
        fi
        ((waited < START_TIMEOUT)) || die "LiteLLM did not respond on port $port within $START_TIMEOUT s; see $log_file"
        sleep 1
        waited=$((waited + 1))
    done
    printf '%s\n' "$pid"
}

case ${1:-} in
    install) install ;;
    start) start "${@:2}" ;;
    version) printf '%s\n' "$LITELLM_VERSION" ;;
    *)
        echo "usage: $0 install|start PORT UPSTREAM_BASE_URL MODEL WORK_DIR|version" >&2
        exit 2
        ;;
esac
