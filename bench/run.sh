#!/usr/bin/env bash
# Runs the benchmarks and writes docs/benchmarks.md:
#
# 1. Gateway overhead: the script starts the upstream simulator from the test classes and
#    the gateway jar on free loopback ports, then loads both with wrk (closed loop),
#    directly and through the gateway, non-streamed and streamed, at several connection
#    counts.
# 2. Policy round trip: PolicyRoundTripBenchmark from the test classes sends policy inputs
#    through the gateway's OpaClient to the stack's OPA at fixed rates (open loop).
# 3. Detection: bench/detection.sh scores the sensitive-data detectors on the labelled cases
#    and runs their JMH benchmark; its sections end the page.
#
# The page shows the policy round trip first.
#
#   bench/run.sh
#
# PostgreSQL, Keycloak and OPA must accept connections on their stack/env.sh ports. When
# one does not, the script starts all three with stack/postgres.sh, stack/keycloak.sh and
# stack/opa.sh. It builds the gateway with ./mvnw first. Logs and load outputs go to
# target/bench/. When any gateway response fails (non-2xx status, incomplete body, socket
# error or timeout), the script exits 1 and writes the page to
# target/bench/benchmarks-failed.md instead of the output below. Failed policy queries
# are counted on the page and do not fail the run, because a rate above what OPA can
# serve times out by design.
#
# Optional environment:
#   BENCH_CONNECTIONS     connection counts, space-separated (default "1 8 32")
#   BENCH_DURATION        measured seconds per wrk run (default 20)
#   BENCH_WARMUP          warm-up seconds before each wrk run, not recorded (default 3)
#   BENCH_POLICY_RATES    policy decisions per second, space-separated (default "100 300 1000")
#   BENCH_POLICY_DURATION measured seconds per policy rate (default 20)
#   BENCH_POLICY_WARMUP   warm-up seconds before each policy rate, not recorded (default 5)
#   BENCH_GATEWAY_HEAP    gateway heap option (default -Xmx512m, as in stack/gateway.sh)
#   BENCH_OUTPUT          page to write (default docs/benchmarks.md)
set -euo pipefail

# shellcheck source=stack/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../stack/env.sh"

read -ra CONNECTIONS <<<"${BENCH_CONNECTIONS:-1 8 32}"
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-3}
read -ra POLICY_RATES <<<"${BENCH_POLICY_RATES:-100 300 1000}"
POLICY_DURATION=${BENCH_POLICY_DURATION:-20}
POLICY_WARMUP=${BENCH_POLICY_WARMUP:-5}
# The project's goal for the policy round trip, in microseconds.
POLICY_GOAL_P99_US=500
GATEWAY_HEAP=${BENCH_GATEWAY_HEAP:--Xmx512m}
SIMULATOR_HEAP=-Xmx512m
POLICY_HEAP=-Xmx256m
# Sequential decisions whose OPA timers probe_opa_timers reads.
OPA_PROBE_QUERIES=50
OUTPUT=${BENCH_OUTPUT:-$PORTCULLIS_HOME/docs/benchmarks.md}

WORK_DIR=$PORTCULLIS_HOME/target/bench
CLASSPATH_FILE=$WORK_DIR/test-classpath.txt
LUA_SCRIPT=$PORTCULLIS_HOME/bench/chat.lua
RUN_JAR=$PORTCULLIS_HOME/target/quarkus-app/quarkus-run.jar
# A model that opa-policies/data.json allows the client build-agent. The simulator replays
# recorded gpt-4o-mini responses whatever the requested model is.
MODEL=gpt-4o-mini
# The simulator's default recording for a plain request without tools and with n = 1.
RECORDING=openai-chat_plain-text_usage-free
PROMPT='Name three colors.'
# A response slower than this counts as a wrk timeout, which fails the run.
WRK_TIMEOUT=10s
START_TIMEOUT=90
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

SIMULATOR_PID=
GATEWAY_PID=

log() {
    printf '[bench] %s\n' "$*"
}

die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 1
}

validate_settings() {
    local value
    for value in "$DURATION" "$WARMUP" "${CONNECTIONS[@]}" "$POLICY_DURATION" "$POLICY_WARMUP" "${POLICY_RATES[@]}"; do
        [[ $value =~ ^[1-9][0-9]*$ ]] ||
            die "invalid number '$value' in BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS or BENCH_POLICY_*. Use positive integers."
    done
    ((${#CONNECTIONS[@]} > 0)) || die "BENCH_CONNECTIONS is empty. Give at least one connection count."
    ((${#POLICY_RATES[@]} > 0)) || die "BENCH_POLICY_RATES is empty. Give at least one rate."
}

require_wrk() {
    command -v wrk >/dev/null && return 0
    ((EUID == 0)) || die "wrk is missing. Install the Debian package with: apt-get install wrk"
    log "installing wrk with apt-get"
    apt-get update -qq
    apt-get install -y -qq wrk >/dev/null
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

services_ready() {
    port_open "$PORTCULLIS_POSTGRES_PORT" &&
        curl -fsS -o /dev/null --max-time 3 "$PORTCULLIS_OIDC_ISSUER/.well-known/openid-configuration" &&
        curl -fsS -o /dev/null --max-time 3 "$PORTCULLIS_OPA_URL/health"
}

# The probe comes first because the stack scripts track their processes per clone, so
# they reject a port that a service started from another clone of the repository holds.
ensure_services() {
    if services_ready; then
        log "PostgreSQL (port $PORTCULLIS_POSTGRES_PORT), Keycloak ($PORTCULLIS_OIDC_ISSUER) and OPA ($PORTCULLIS_OPA_URL) answer"
        return 0
    fi
    log "starting PostgreSQL, Keycloak and OPA with the stack scripts"
    "$PORTCULLIS_HOME/stack/postgres.sh" start
    "$PORTCULLIS_HOME/stack/keycloak.sh" start
    "$PORTCULLIS_HOME/stack/opa.sh" start
}

# package compiles the test classes as well, since -DskipTests skips only running them.
build() {
    local start=$SECONDS
    log "building the gateway jar, the test classes and the test classpath with ./mvnw"
    mkdir -p "$WORK_DIR"
    (cd "$PORTCULLIS_HOME" && ./mvnw -q -B package -DskipTests \
        "$DEPENDENCY_PLUGIN:build-classpath" -Dmdep.outputFile="$CLASSPATH_FILE") ||
        die "the Maven build failed, see its output above"
    [[ -f $RUN_JAR ]] || die "$RUN_JAR is missing after the build"
    [[ -f $PORTCULLIS_HOME/target/test-classes/io/portcullis/simulator/UpstreamSimulator.class ]] ||
        die "the upstream simulator class is missing from target/test-classes after the build"
    [[ -f $PORTCULLIS_HOME/target/test-classes/io/portcullis/policy/PolicyRoundTripBenchmark.class ]] ||
        die "the policy benchmark class is missing from target/test-classes after the build"
    log "build took $((SECONDS - start)) s"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Sends SIGTERM to pid $1, waits up to 15 s, then sends SIGKILL.
stop_pid() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited >= 30)); then
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    if [[ -n $GATEWAY_PID ]]; then
        log "stopping the gateway (pid $GATEWAY_PID)"
        stop_pid "$GATEWAY_PID"
    fi
    if [[ -n $SIMULATOR_PID ]]; then
        log "stopping the upstream simulator (pid $SIMULATOR_PID)"
        stop_pid "$SIMULATOR_PID"
    fi
}

# Prints the tail of log file $1 to stderr and exits with message $2.
die_with_log() {
    printf '[bench] last 30 lines of %s:\n' "$1" >&2
    tail -n 30 "$1" >&2 || true
    die "$2"
}

start_simulator() {
    local log_file=$WORK_DIR/simulator.log port waited=0
    log "starting the upstream simulator (log: $log_file)"
    java "$SIMULATOR_HEAP" -cp "$PORTCULLIS_HOME/target/test-classes:$(<"$CLASSPATH_FILE")" \
        io.portcullis.simulator.UpstreamSimulator 0 >"$log_file" 2>&1 &
    SIMULATOR_PID=$!
    # With port 0 the simulator binds a free port and prints the address on stdout.
    until port=$(sed -n 's|^Upstream simulator listening on http://127\.0\.0\.1:\([0-9]*\)/v1$|\1|p' "$log_file") &&
        [[ -n $port ]]; do
        kill -0 "$SIMULATOR_PID" 2>/dev/null || die_with_log "$log_file" "the upstream simulator exited during start"
        ((waited < 2 * START_TIMEOUT)) || die_with_log "$log_file" "the upstream simulator did not listen within $START_TIMEOUT s"
        sleep 0.5
        waited=$((waited + 1))
    done
    SIMULATOR_URL=http://127.0.0.1:$port
    log "upstream simulator listening on $SIMULATOR_URL (pid $SIMULATOR_PID)"
}

start_gateway() {
    local log_file=$WORK_DIR/gateway.log port waited=0
    port=$(free_port)
    GATEWAY_URL=http://127.0.0.1:$port
    log "starting the gateway on $GATEWAY_URL (heap $GATEWAY_HEAP, log: $log_file)"
    # The working directory is target/bench, so that no config/application.properties
    # from the caller's directory changes the measured configuration. Upstreams set in the
    # environment are removed for the same reason, and because a second upstream that
    # claims $MODEL would stop the boot.
    (
        cd "$WORK_DIR"
        while read -r name; do
            unset "$name"
        done < <(compgen -e | grep '^PORTCULLIS_UPSTREAMS_' || true)
        PORTCULLIS_JSON_LOGS=false exec java "$GATEWAY_HEAP" \
            -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
            -Dportcullis.upstreams.sim.base-url="$SIMULATOR_URL/v1" \
            -Dportcullis.upstreams.sim.models="$MODEL" \
            -jar "$RUN_JAR"
    ) >"$log_file" 2>&1 &
    GATEWAY_PID=$!
    until curl -fsS -o /dev/null --max-time 3 "$GATEWAY_URL/q/health/ready" 2>/dev/null; do
        kill -0 "$GATEWAY_PID" 2>/dev/null || die_with_log "$log_file" "the gateway exited during start"
        ((waited < START_TIMEOUT)) ||
            die_with_log "$log_file" "GET $GATEWAY_URL/q/health/ready did not return 200 within $START_TIMEOUT s"
        sleep 1
        waited=$((waited + 1))
    done
    log "gateway ready after about $waited s (pid $GATEWAY_PID)"
}

refresh_token() {
    TOKEN=$("$PORTCULLIS_HOME/stack/keycloak.sh" client-token build-agent build-agent-secret) ||
        die "fetching a client credentials token for build-agent from Keycloak failed"
}

request_body() {
    printf '{"model":"%s","stream":%s,"messages":[{"role":"user","content":"%s"}]}' "$MODEL" "$1" "$PROMPT"
}

# Sends one request to base URL $1 with stream flag $2, saves the body to file $3, and
# dies unless the status is 200 and the body is complete.
smoke_request() {
    local base_url=$1 stream=$2 body_file=$3 status marker='"finish_reason"'
    [[ $stream == true ]] && marker='data: [DONE]'
    status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time 30 "$base_url/v1/chat/completions" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "$(request_body "$stream")") || die "POST $base_url/v1/chat/completions (stream $stream) failed"
    [[ $status == 200 ]] ||
        die "POST $base_url/v1/chat/completions (stream $stream) returned $status: $(head -c 500 "$body_file")"
    grep -qF -- "$marker" "$body_file" ||
        die "the response of $base_url (stream $stream) lacks '$marker': $(head -c 500 "$body_file")"
}

# Prints the user and system CPU time of pid $1 in clock ticks.
cpu_ticks() {
    # Fields after the command name, which is in brackets: utime is the 12th, stime the 13th.
    sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# Prints field $2 (such as VmRSS or VmHWM) of /proc/$1/status, in KiB.
proc_status_kib() {
    awk -v field="$2:" '$1 == field {print $2}' "/proc/$1/status"
}

# Prints the value of key $2 in the RESULT line $1.
result_field() {
    local value
    value=$(sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1")
    [[ -n $value ]] || die "key $2 is missing from the result line '$1'"
    printf '%s\n' "$value"
}

# Runs wrk with $3 connections for $4 seconds against base URL $2, streaming when $1 is
# true, and saves its output to file $5. Sets WRK_RESULT to its RESULT line, and adds the
# run to FAILED_RUNS when any response failed.
run_wrk() {
    local stream=$1 base_url=$2 connections=$3 seconds=$4 output=$5 threads=2
    ((connections >= threads)) || threads=$connections
    BENCH_TOKEN=$TOKEN BENCH_STREAM=$stream BENCH_MODEL=$MODEL \
        wrk --threads "$threads" --connections "$connections" --duration "${seconds}s" \
        --timeout "$WRK_TIMEOUT" --latency --script "$LUA_SCRIPT" \
        "$base_url/v1/chat/completions" >"$output" 2>&1 ||
        die_with_log "$output" "wrk failed against $base_url"
    WRK_RESULT=$(grep '^RESULT ' "$output") || die_with_log "$output" "wrk printed no RESULT line"
    if (($(count_failures "$WRK_RESULT") > 0)); then
        FAILED_RUNS+=("$output: $WRK_RESULT")
        log "FAILED responses in $output: $WRK_RESULT"
    fi
}

# Prints the failed responses, socket errors and timeouts in RESULT line $1. wrk's own
# status_errors are left out because they are a subset of non_2xx.
count_failures() {
    local key failures=0 value
    for key in non_2xx incomplete connect_errors read_errors write_errors timeouts; do
        value=$(result_field "$1" "$key")
        failures=$((failures + value))
    done
    printf '%s\n' "$failures"
}

# Measures one configuration: mode $1 (plain or stream), target $2 (direct or gateway),
# $3 connections. Stores the figures in RESULTS under "$1/$2/$3".
measure() {
    local mode=$1 target=$2 connections=$3 stream=false base_url=$SIMULATOR_URL name result ticks_before ticks_after
    [[ $mode == stream ]] && stream=true
    [[ $target == gateway ]] && base_url=$GATEWAY_URL
    name=$mode-$target-c$connections
    refresh_token
    run_wrk "$stream" "$base_url" "$connections" "$WARMUP" "$WORK_DIR/wrk-$name-warmup.txt"
    ticks_before=$(cpu_ticks "$GATEWAY_PID")
    run_wrk "$stream" "$base_url" "$connections" "$DURATION" "$WORK_DIR/wrk-$name.txt"
    ticks_after=$(cpu_ticks "$GATEWAY_PID")
    result=$WRK_RESULT
    RESULTS[$mode/$target/$connections]="$result gateway_ticks=$((ticks_after - ticks_before)) gateway_rss_kib=$(proc_status_kib "$GATEWAY_PID" VmRSS)"
    log "$name: $(result_field "$result" requests) requests, p50 $(result_field "$result" p50_us) us, p99 $(result_field "$result" p99_us) us"
}

# Prints microseconds $1 as milliseconds with two decimals.
ms() {
    awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'
}

# Prints the difference $1 - $2 of two microsecond values as signed milliseconds.
added_ms() {
    awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", (a - b) / 1000}'
}

# Prints the Markdown table of mode $1 (plain or stream).
results_table() {
    local mode=$1 connections target result direct requests duration_us rps added_p50 added_p99 failures cpu rss
    local clock_ticks
    clock_ticks=$(getconf CLK_TCK)
    echo '| Connections | Path | Requests/s | p50 ms | p90 ms | p99 ms | Added p50 ms | Added p99 ms | Gateway CPU ms/request | Gateway RSS after, MiB | Failed |'
    echo '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
    for connections in "${CONNECTIONS[@]}"; do
        direct=${RESULTS[$mode/direct/$connections]}
        for target in direct gateway; do
            result=${RESULTS[$mode/$target/$connections]}
            requests=$(result_field "$result" requests)
            duration_us=$(result_field "$result" duration_us)
            rps=$(awk -v n="$requests" -v us="$duration_us" 'BEGIN {printf "%.0f", n / (us / 1e6)}')
            failures=$(count_failures "$result")
            added_p50='–'
            added_p99='–'
            cpu='–'
            rss='–'
            if [[ $target == gateway ]]; then
                added_p50=$(added_ms "$(result_field "$result" p50_us)" "$(result_field "$direct" p50_us)")
                added_p99=$(added_ms "$(result_field "$result" p99_us)" "$(result_field "$direct" p99_us)")
                cpu=$(awk -v t="$(result_field "$result" gateway_ticks)" -v hz="$clock_ticks" -v n="$requests" \
                    'BEGIN {printf "%.3f", t / hz * 1000 / n}')
                rss=$(($(result_field "$result" gateway_rss_kib) / 1024))
            fi
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
                "$connections" "$target" "$rps" \
                "$(ms "$(result_field "$result" p50_us)")" "$(ms "$(result_field "$result" p90_us)")" \
                "$(ms "$(result_field "$result" p99_us)")" "$added_p50" "$added_p99" "$cpu" "$rss" "$failures"
        done
    done
}

describe_commit() {
    local commit
    if commit=$(git -C "$PORTCULLIS_HOME" rev-parse --short HEAD 2>/dev/null); then
        if [[ -n $(git -C "$PORTCULLIS_HOME" status --porcelain -- src pom.xml) ]]; then
            commit="$commit with uncommitted changes under src/ or in pom.xml"
        fi
    else
        commit='unknown (not a git work tree)'
    fi
    printf '%s\n' "$commit"
}

# Prints the "alg" of the JWS header of $TOKEN.
token_algorithm() {
    python3 -c '
import base64, json, sys
header = sys.argv[1].split(".")[0]
print(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"])' "$TOKEN"
}

# Runs PolicyRoundTripBenchmark against the stack's OPA at each rate of POLICY_RATES. Sets
# POLICY_RESULTS to its RESULT lines, one for each rate.
run_policy_benchmark() {
    local output=$WORK_DIR/policy-round-trip.txt log_file=$WORK_DIR/policy-round-trip.log rates
    rates=$(IFS=,; printf '%s' "${POLICY_RATES[*]}")
    log "policy round trip against $PORTCULLIS_OPA_URL at $rates decisions/s (log: $log_file)"
    POLICY_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
    POLICY_LOAD_AT_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
    java "$POLICY_HEAP" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
        -cp "$PORTCULLIS_HOME/target/test-classes:$PORTCULLIS_HOME/target/classes:$(<"$CLASSPATH_FILE")" \
        io.portcullis.policy.PolicyRoundTripBenchmark "$PORTCULLIS_OPA_URL" "$rates" "$POLICY_WARMUP" "$POLICY_DURATION" \
        >"$output" 2>"$log_file" || die_with_log "$log_file" "the policy benchmark failed"
    mapfile -t POLICY_RESULTS < <(grep '^RESULT ' "$output")
    ((${#POLICY_RESULTS[@]} == ${#POLICY_RATES[@]})) ||
        die_with_log "$log_file" "the policy benchmark printed ${#POLICY_RESULTS[@]} RESULT lines for ${#POLICY_RATES[@]} rates"
    POLICY_LOAD_AT_END=$(cut -d ' ' -f 1-3 /proc/loadavg)
    local result
    for result in "${POLICY_RESULTS[@]}"; do
        log "policy ${result#RESULT }"
    done
}

# Asks OPA for its own timers of $OPA_PROBE_QUERIES sequential decisions (the query
# parameter metrics=true) and sets OPA_EVAL_MS and OPA_HANDLER_MS to their medians: the
# policy evaluation alone, and OPA's whole HTTP handler. It runs before any load.
probe_opa_timers() {
    local medians
    medians=$(python3 - "$PORTCULLIS_OPA_URL" "$OPA_PROBE_QUERIES" <<'PY'
import json, statistics, sys, urllib.request
url, count = sys.argv[1], int(sys.argv[2])
document = {"input": {
    "version": "portcullis.policy.input/v1",
    "identity": {"issuer": "http://127.0.0.1:8180/realms/portcullis", "subject": "5a1c6f3e-alice",
                 "username": "alice", "email": "alice@example.com", "groups": ["engineers"],
                 "roles": ["llm-user"], "client_id": "portcullis-cli", "agent": False,
                 "purpose": "code-review", "actor": None, "expires_at": "2026-12-04T17:30:00Z"},
    "request": {"api": "chat.completions", "model": "gpt-4o-mini", "stream": True, "max_tokens": 256,
                "n": 1, "tools": ["get_weather"], "message_count": 3, "estimated_prompt_tokens": 812},
    "findings": {"EMAIL_ADDRESS": 1},
    "session": {"id": "bench-opa-timers", "turn": 1},
    "source": {"address": "127.0.0.1", "user_agent": "OpenAI/Python 2.8.1"},
    "time": "2026-12-04T17:25:03.120Z"}}
body = json.dumps(document).encode()
evaluation, handler = [], []
for _ in range(count):
    request = urllib.request.Request(url + "/v1/data/portcullis/decision?metrics=true", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        metrics = json.load(response)["metrics"]
    evaluation.append(metrics["timer_rego_query_eval_ns"])
    handler.append(metrics["timer_server_handler_ns"])
print("%.2f %.2f" % (statistics.median(evaluation) / 1e6, statistics.median(handler) / 1e6))
PY
    ) || die "querying OPA's timers at $PORTCULLIS_OPA_URL/v1/data/portcullis/decision?metrics=true failed"
    read -r OPA_EVAL_MS OPA_HANDLER_MS <<<"$medians"
    log "OPA's own timers, median of $OPA_PROBE_QUERIES decisions: evaluation $OPA_EVAL_MS ms, handler $OPA_HANDLER_MS ms"
}

# Prints the version of the opa binary that stack/opa.sh installs, or "unknown".
opa_version() {
    local version=''
    if [[ -x $PORTCULLIS_CACHE/bin/opa ]]; then
        version=$("$PORTCULLIS_CACHE/bin/opa" version 2>/dev/null | sed -n 's/^Version: //p')
    fi
    printf '%s\n' "${version:-unknown}"
}

# Prints the Markdown table of the policy round trip.
policy_table() {
    local result goal
    echo '| Decisions/s | Sent | p50 ms | p90 ms | p99 ms | Max ms | Errors | Send lag p99 ms | p99 under 0.5 ms |'
    echo '|---:|---:|---:|---:|---:|---:|---:|---:|---|'
    for result in "${POLICY_RESULTS[@]}"; do
        goal='not met'
        if (($(result_field "$result" p99_us) < POLICY_GOAL_P99_US)); then
            goal='met'
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
            "$(result_field "$result" rate)" "$(result_field "$result" sent)" \
            "$(ms "$(result_field "$result" p50_us)")" "$(ms "$(result_field "$result" p90_us)")" \
            "$(ms "$(result_field "$result" p99_us)")" "$(ms "$(result_field "$result" max_us)")" \
            "$(result_field "$result" errors)" "$(ms "$(result_field "$result" send_lag_p99_us)")" "$goal"
    done
}

# Times the session binding's statement alone: pgbench runs the same INSERT ... ON CONFLICT
# as io.portcullis.session.SessionBinder with one client for 5 s, under an issuer and
# subject of its own, whose rows it deletes afterwards. Sets SESSION_INSERT.
probe_session_insert() {
    local bin_dir script output latency sync_commit
    local -a connection=(-h 127.0.0.1 -p "$PORTCULLIS_POSTGRES_PORT" -U "$PORTCULLIS_DB_USER" -d portcullis)
    bin_dir=$(dirname -- "$(compgen -G '/usr/lib/postgresql/*/bin/pgbench' | tail -n 1)")
    if [[ ! -x $bin_dir/pgbench || ! -x $bin_dir/psql ]]; then
        SESSION_INSERT='not measured, because pgbench or psql is missing from /usr/lib/postgresql/*/bin'
        return 0
    fi
    script=$WORK_DIR/session-insert.sql
    cat >"$script" <<'SQL'
INSERT INTO session_owner (session_id, issuer, subject, turn)
VALUES (gen_random_uuid()::text, 'bench-overhead-probe', 'bench-overhead-probe', 1)
ON CONFLICT (session_id) DO UPDATE
SET last_seen_at = now(), turn = session_owner.turn + 1
WHERE session_owner.issuer = EXCLUDED.issuer AND session_owner.subject = EXCLUDED.subject
RETURNING session_id, turn;
SQL
    output=$WORK_DIR/pgbench-session-insert.txt
    PGPASSWORD=$PORTCULLIS_DB_PASSWORD "$bin_dir/pgbench" -n "${connection[@]}" -c 1 -T 5 -f "$script" \
        >"$output" 2>&1 || die_with_log "$output" "pgbench of the session INSERT failed"
    PGPASSWORD=$PORTCULLIS_DB_PASSWORD "$bin_dir/psql" -X -q "${connection[@]}" -c \
        "DELETE FROM session_owner WHERE issuer = 'bench-overhead-probe' AND subject = 'bench-overhead-probe'" ||
        die "deleting the pgbench rows (issuer bench-overhead-probe) from session_owner failed"
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$output")
    [[ -n $latency ]] || die_with_log "$output" "pgbench printed no average latency"
    sync_commit=$(PGPASSWORD=$PORTCULLIS_DB_PASSWORD "$bin_dir/psql" -X -At "${connection[@]}" -c 'SHOW synchronous_commit')
    SESSION_INSERT="$latency ms on average (\`synchronous_commit = $sync_commit\`)"
    log "session INSERT alone: $latency ms on average"
}

# NOTE: the "What runs" list describes the request path by hand. Update it when a stage
# such as masking, approval or recording joins the path.
# Prints a Markdown table of the failed policy decisions that the gateway logged, counted
# by reason.
policy_failures_table() {
    echo '| Reason | Requests |'
    echo '|---|---:|'
    sed -n 's/.*Policy decision .* so the request was rejected\(: \)\{0,1\}//p' "$WORK_DIR/gateway.log" |
        sort | uniq -c | sort -rn | awk '{count = $1; $1 = ""; sub(/^ /, ""); printf "| %s | %d |\n", ($0 == "" ? "(none logged)" : $0), count}'
}

# Writes the page to file $1. With $2 = failed, the page starts with a warning that the run
# failed.
write_page() {
    local page=$1 status=${2:-passed} cpu_model memory java_version
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    memory=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1024 / 1024}' /proc/meminfo)
    java_version=$(java -version 2>&1 | sed -n 2p)
    mkdir -p "$(dirname -- "$page")"
    {
        cat <<EOF
# Benchmarks

Measured figures, each with the command, machine and date that produced it. Rerun the
command to replace them. Numbers from another machine are not comparable.

\`bench/run.sh\` produced this whole page at commit $(describe_commit).
EOF
        if [[ $status == failed ]]; then
            cat <<EOF

**This run failed**: ${#FAILED_RUNS[@]} wrk runs through the gateway had failed responses
(non-2xx statuses, incomplete bodies, socket errors or timeouts). The Failed columns count
them, and "Failed runs" at the end lists the runs and the failed policy decisions.
EOF
        fi
        cat <<EOF

## Machine

| | |
|---|---|
| Cores (\`nproc\`) | $(nproc) |
| CPU | $cpu_model |
| Memory | $memory |
| Kernel | $(uname -r) |
| Java | $java_version |
| OPA | $(opa_version), the server of the local stack at $PORTCULLIS_OPA_URL |
| HTTP load generator | $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}') |

The load generators, OPA, the upstream simulator, the gateway, PostgreSQL and Keycloak all
ran on these cores. Other work shared the machine during the runs as well (see the load
averages in each section), and the figures include that contention.

## Policy round trip

Produced by \`bench/run.sh\` on $POLICY_DATE. The project's goal is a p99 under 0.5 ms at
a few hundred decisions per second on this machine.

- **OPA**: the OPA of the local stack, which \`stack/opa.sh\` runs with the default policies
  and data of \`opa-policies/\`, over TCP on loopback. As \`stack/opa.sh\` configures it,
  it also logs every decision and every HTTP request to its log file
  (\`decision_logs.console=true\`, log level \`info\`).
- **Client**: \`io.portcullis.policy.PolicyRoundTripBenchmark\` from the test classes in its
  own JVM ($POLICY_HEAP). It sends through the gateway's own \`OpaClient\` with the
  gateway's defaults (200 ms timeout, up to 32 pooled keep-alive HTTP/1.1 connections), on
  one Vert.x event loop, and reads each answer with the gateway's \`DecisionParser\`. This
  is the span of the gateway's \`portcullis_policy_round_trip_seconds\` timer.
- **Inputs**: seven \`portcullis.policy.input/v1\` documents, sent in turn: chat requests of
  alice (group engineers, model gpt-4o-mini, one \`EMAIL_ADDRESS\` finding), bob (support,
  smollm2-135m-instruct), build-agent (purpose ci-build, gpt-4o-mini, two tools) and
  delegating-agent acting through build-agent (allowed and held for approval); the model
  lists of alice and build-agent; and a chat request of bob for gpt-4o-mini, which the
  policy denies. Before the runs, each input is sent once and must get its expected
  \`allow\`.
- **Load**: open loop. Query i is scheduled at start + i / rate and sent at that time,
  whether or not earlier queries have been answered. Each rate gets ${POLICY_WARMUP} s of
  warm-up at that rate, whose figures are dropped, then ${POLICY_DURATION} s measured.
  Latency runs from the scheduled send time until the decision is parsed, so any queueing
  in the client, the connection pool or OPA counts. HdrHistogram records it with 3
  significant digits.
- **Errors**: timeouts (200 ms), connection failures, statuses other than 200, invalid
  decisions, and decisions whose \`allow\` differs from the expected one. Their latency is
  recorded as well, so a timeout adds a sample of about 200 ms. Errors do not fail the
  script.
- **Send lag**: how late the client sent, p99. It is part of the latency and shows how much
  the load generator itself lost to CPU contention.

Load average (1, 5, 15 min) at start: $POLICY_LOAD_AT_START, at end: $POLICY_LOAD_AT_END.

EOF
        policy_table
        cat <<EOF

OPA's own timers (query parameter \`metrics=true\`) for alice's chat input, median of
$OPA_PROBE_QUERIES sequential decisions before any load: policy evaluation
(\`timer_rego_query_eval_ns\`) $OPA_EVAL_MS ms, whole HTTP handler
(\`timer_server_handler_ns\`) $OPA_HANDLER_MS ms.

Over a Unix domain socket: not measured. Vert.x 4.5 connects to domain sockets only through
a native transport, and the classpath has no \`netty-transport-native-epoll\`, only
\`netty-transport-native-unix-common\`. \`OpaClient\` also accepts only \`http\` and
\`https\` URLs with a host.

## Gateway overhead against the upstream simulator

Produced by \`bench/run.sh\` on $RUN_DATE.

Load average (1, 5, 15 min) at start: $LOAD_AT_START, at end: $(cut -d ' ' -f 1-3 /proc/loadavg).

### What runs

- **Upstream**: the upstream simulator from the test classes
  (\`io.portcullis.simulator.UpstreamSimulator\`) in its own JVM ($SIMULATOR_HEAP). It
  replays the recording \`$RECORDING\`, non-streamed as one \`chat.completion\` JSON
  object of $PLAIN_BYTES bytes and streamed as $STREAM_EVENTS SSE events of $STREAM_BYTES bytes in all,
  with no delay between writes. Because it responds without delay, the figures show the
  gateway's cost and none of a model's.
- **Gateway**: \`java $GATEWAY_HEAP -jar target/quarkus-app/quarkus-run.jar\` with text
  logs, the default configuration, and one more upstream \`sim\` serving the model
  \`$MODEL\`, which the default policies allow the client build-agent. For each request
  it runs these stages, and no masking, approval or recording yet:
  - the token screen: length, structure and algorithm allow-list;
  - the gateway's own checks: trusted issuer, the $TOKEN_ALGORITHM signature against the
    issuer's cached JWKS, and the \`iss\`, \`aud\`, \`exp\`, \`nbf\` and \`iat\` claims;
  - Quarkus OIDC, which checks the signature and the claims a second time, all local
    without introspection;
  - the mapping of the claims to an identity;
  - request parsing and inspection: the request summary for the policy, and the
    built-in entity detectors over every text of the request, which find nothing in the
    prompt below;
  - routing by model;
  - the session binding in PostgreSQL, which also counts the session's turn;
  - the policy decision: one query to the stack's OPA over its REST Data API, with the
    default policies and data of \`opa-policies/\`, and the strict reading of the answer;
  - enforcement of the decision: the model and tool checks, and the token cap of
    build-agent (2048), which adds \`max_completion_tokens\` to the request, so the
    gateway serializes the request body again;
  - the forward over pooled keep-alive HTTP/1.1 connections;
  - the relay of the response, event by event through the SSE parser when streamed.
- **Requests**: \`POST /v1/chat/completions\` with the body below (\`"stream":true\`
  for the streamed tables) and the bearer token of the agent \`build-agent\` from the
  client credentials grant, fetched anew before each run. Its purpose claim is
  \`ci-build\`. No \`X-Session-Id\` is sent, so the gateway binds a new session for each
  request, which is one \`INSERT\` into PostgreSQL. The direct runs send the same request
  to the simulator, which ignores the token.

  \`\`\`json
  $(request_body false)
  \`\`\`

- **Load**: wrk in a closed loop, where each connection sends its next request when the
  previous response has ended. wrk uses min(connections, 2) threads and runs ${WARMUP} s of
  warm-up, whose figures are dropped, then measures for ${DURATION} s. Direct and gateway
  runs alternate at each connection count. Latency is the time to the end of the
  response, so for a stream it is the time to \`data: [DONE]\` and not to the first
  token.
- **Checks**: every response must have a 2xx status and a complete body (\`data: [DONE]\`
  in a stream, \`finish_reason\` otherwise). The script fails on any failed response,
  socket error or timeout (${WRK_TIMEOUT}), and the Failed column counts them.

A closed loop understates queueing. When the server slows down, the clients send less, so
a slow period yields fewer samples than it would under a fixed arrival rate. The p99 of a
closed loop is therefore lower than what callers arriving at a fixed rate would see. Only
the policy round trip above is measured in an open loop.

"Added" is the gateway's percentile minus the direct run's percentile at the same
connection count. A negative value means that the direct run had the higher percentile in
that pair of runs, since tail latencies vary from run to run on a shared machine. Gateway
CPU is the user and system time of the whole gateway process during the measured run
(JIT compiler and garbage collector threads included), divided by the requests completed.

For scale, the session binding's statement alone, run by pgbench with one client for 5 s
against the same PostgreSQL before the load runs, took $SESSION_INSERT.

### Non-streamed chat completions

EOF
        results_table plain
        cat <<EOF

### Streamed chat completions

EOF
        results_table stream
        cat <<EOF

### Gateway memory

| When | RSS, MiB |
|---|---:|
| Idle, after the readiness probe and before the first request | $((IDLE_RSS_KIB / 1024)) |
| Right after the last run (streamed, ${CONNECTIONS[-1]} connections) | $((FINAL_RSS_KIB / 1024)) |
| Peak during the whole run (\`VmHWM\`) | $((PEAK_RSS_KIB / 1024)) |

RSS is \`VmRSS\` from \`/proc/<pid>/status\` of the gateway JVM with $GATEWAY_HEAP.

EOF
        if ((${#FAILED_RUNS[@]} > 0)); then
            echo '### Failed runs'
            echo
            echo 'The wrk outputs of the runs with failed responses, and their RESULT lines:'
            echo
            # shellcheck disable=SC2016 # the backquotes are Markdown
            printf -- '- `%s`\n' "${FAILED_RUNS[@]}"
            cat <<'TEXT'

Failed policy decisions in the gateway log over the whole run, by the reason that the
gateway logged. Each one rejected its request with 503 `policy_unavailable` or
`policy_invalid`:

TEXT
            policy_failures_table
        fi
        if [[ -f $WORK_DIR/detection.md ]]; then
            echo
            cat "$WORK_DIR/detection.md"
        fi
    } >"$page"
}

main() {
    local mode connections target
    validate_settings
    require_wrk
    ensure_services
    build
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    probe_opa_timers
    start_simulator
    start_gateway
    IDLE_RSS_KIB=$(proc_status_kib "$GATEWAY_PID" VmRSS)

    refresh_token
    TOKEN_ALGORITHM=$(token_algorithm)
    smoke_request "$SIMULATOR_URL" false "$WORK_DIR/direct-plain-body.json"
    smoke_request "$SIMULATOR_URL" true "$WORK_DIR/direct-stream-body.txt"
    smoke_request "$GATEWAY_URL" false "$WORK_DIR/gateway-plain-body.json"
    smoke_request "$GATEWAY_URL" true "$WORK_DIR/gateway-stream-body.txt"
    PLAIN_BYTES=$(wc -c <"$WORK_DIR/direct-plain-body.json")
    STREAM_BYTES=$(wc -c <"$WORK_DIR/direct-stream-body.txt")
    STREAM_EVENTS=$(grep -c '^data:' "$WORK_DIR/direct-stream-body.txt")
    probe_session_insert

    RUN_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
    LOAD_AT_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
    declare -gA RESULTS=()
    FAILED_RUNS=()
    for mode in plain stream; do
        for connections in "${CONNECTIONS[@]}"; do
            for target in direct gateway; do
                measure "$mode" "$target" "$connections"
            done
        done
    done
    FINAL_RSS_KIB=$(proc_status_kib "$GATEWAY_PID" VmRSS)
    PEAK_RSS_KIB=$(proc_status_kib "$GATEWAY_PID" VmHWM)
    # Last, because a rate above what OPA can serve leaves OPA a backlog of queries whose
    # clients have given up, which would slow down whatever runs next.
    run_policy_benchmark
    rm -f "$WORK_DIR/detection.md"
    BENCH_DETECTION_OUTPUT=$WORK_DIR/detection.md "$PORTCULLIS_HOME/bench/detection.sh"

    if ((${#FAILED_RUNS[@]} > 0)); then
        write_page "$WORK_DIR/benchmarks-failed.md" failed
        die "${#FAILED_RUNS[@]} runs had failed responses; figures in $WORK_DIR/benchmarks-failed.md, wrk outputs in $WORK_DIR"
    fi
    write_page "$OUTPUT"
    log "wrote $OUTPUT"
}

main "$@"
