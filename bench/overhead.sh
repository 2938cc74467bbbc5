#!/usr/bin/env bash
# Measures the latency and throughput that the gateway adds in front of an upstream and
# writes docs/benchmarks.md. It starts the upstream simulator from the test classes and
# the gateway jar on free loopback ports, then loads both with wrk (closed loop), directly
# and through the gateway, non-streamed and streamed, at several connection counts.
#
#   bench/overhead.sh
#
# PostgreSQL and Keycloak must accept connections on their stack/env.sh ports. When one
# does not, the script starts both with stack/postgres.sh and stack/keycloak.sh. It builds the gateway
# with ./mvnw first. Logs and wrk outputs go to target/bench/. When any response fails
# (non-2xx status, incomplete body, socket error or timeout), the script exits 1 and
# writes the page to target/bench/benchmarks-failed.md instead of the output below.
#
# Optional environment:
#   BENCH_CONNECTIONS   connection counts, space-separated (default "1 8 32")
#   BENCH_DURATION      measured seconds per run (default 20)
#   BENCH_WARMUP        warm-up seconds before each measured run, not recorded (default 5)
#   BENCH_GATEWAY_HEAP  gateway heap option (default -Xmx512m, as in stack/gateway.sh)
#   BENCH_OUTPUT        page to write (default docs/benchmarks.md)
set -euo pipefail

# shellcheck source=stack/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../stack/env.sh"

read -ra CONNECTIONS <<<"${BENCH_CONNECTIONS:-1 8 32}"
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
GATEWAY_HEAP=${BENCH_GATEWAY_HEAP:--Xmx512m}
SIMULATOR_HEAP=-Xmx512m
OUTPUT=${BENCH_OUTPUT:-$PORTCULLIS_HOME/docs/benchmarks.md}

WORK_DIR=$PORTCULLIS_HOME/target/bench
CLASSPATH_FILE=$WORK_DIR/test-classpath.txt
LUA_SCRIPT=$PORTCULLIS_HOME/bench/chat.lua
RUN_JAR=$PORTCULLIS_HOME/target/quarkus-app/quarkus-run.jar
MODEL=sim-gpt
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
    for value in "$DURATION" "$WARMUP" "${CONNECTIONS[@]}"; do
        [[ $value =~ ^[1-9][0-9]*$ ]] ||
            die "invalid number '$value' in BENCH_DURATION, BENCH_WARMUP or BENCH_CONNECTIONS. Use positive integers."
    done
    ((${#CONNECTIONS[@]} > 0)) || die "BENCH_CONNECTIONS is empty. Give at least one connection count."
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
        curl -fsS -o /dev/null --max-time 3 "$PORTCULLIS_OIDC_ISSUER/.well-known/openid-configuration"
}

# The probe comes first because the stack scripts track their processes per clone, so
# they reject a port that a service started from another clone of the repository holds.
ensure_services() {
    if services_ready; then
        log "PostgreSQL (port $PORTCULLIS_POSTGRES_PORT) and Keycloak ($PORTCULLIS_OIDC_ISSUER) answer"
        return 0
    fi
    log "starting PostgreSQL and Keycloak with the stack scripts"
    "$PORTCULLIS_HOME/stack/postgres.sh" start
    "$PORTCULLIS_HOME/stack/keycloak.sh" start
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
    # from the caller's directory changes the measured configuration.
    (
        cd "$WORK_DIR"
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
    [[ -n $value ]] || die "key $2 is missing from the wrk result '$1'"
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
INSERT INTO session_owner (session_id, issuer, subject)
VALUES (gen_random_uuid()::text, 'bench-overhead-probe', 'bench-overhead-probe')
ON CONFLICT (session_id) DO UPDATE SET last_seen_at = now()
WHERE session_owner.issuer = EXCLUDED.issuer AND session_owner.subject = EXCLUDED.subject
RETURNING session_id;
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
# such as policy, masking or recording joins the path.
write_page() {
    local page=$1 cpu_model memory java_version
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    memory=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1024 / 1024}' /proc/meminfo)
    java_version=$(java -version 2>&1 | sed -n 2p)
    mkdir -p "$(dirname -- "$page")"
    {
        cat <<EOF
# Benchmarks

Measured figures, each with the command, machine and date that produced it. Rerun the
command to replace them. Numbers from another machine are not comparable.

## Gateway overhead against the upstream simulator

Produced by \`bench/overhead.sh\` on $RUN_DATE, at commit $(describe_commit).

### Machine

| | |
|---|---|
| Cores (\`nproc\`) | $(nproc) |
| CPU | $cpu_model |
| Memory | $memory |
| Kernel | $(uname -r) |
| Java | $java_version |
| Load generator | $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}') |
| Load average (1, 5, 15 min) at start | $LOAD_AT_START |
| Load average at end | $(cut -d ' ' -f 1-3 /proc/loadavg) |

The load generator, the upstream simulator, the gateway, PostgreSQL and Keycloak all ran
on these cores at once. Other work shared the machine during the run as well (see the load
average), and the figures include that contention.

### What runs

- **Upstream**: the upstream simulator from the test classes
  (\`io.portcullis.simulator.UpstreamSimulator\`) in its own JVM ($SIMULATOR_HEAP). It
  replays the recording \`$RECORDING\`, non-streamed as one \`chat.completion\` JSON
  object of $PLAIN_BYTES bytes and streamed as $STREAM_EVENTS SSE events of $STREAM_BYTES bytes in all,
  with no delay between writes. Because it responds without delay, the figures show the
  gateway's cost and none of a model's.
- **Gateway**: \`java $GATEWAY_HEAP -jar target/quarkus-app/quarkus-run.jar\` with text
  logs and one upstream \`sim\` serving the model \`$MODEL\`. For each request it runs
  these stages, and no policy decision, masking or recording yet:
  - the token screen: length, structure and algorithm allow-list;
  - the gateway's own checks: trusted issuer, the $TOKEN_ALGORITHM signature against the
    issuer's cached JWKS, and the \`iss\`, \`aud\`, \`exp\`, \`nbf\` and \`iat\` claims;
  - Quarkus OIDC, which checks the signature and the claims a second time, all local
    without introspection;
  - the mapping of the claims to an identity;
  - request parsing and routing by model;
  - the session binding in PostgreSQL;
  - the forward over pooled keep-alive HTTP/1.1 connections;
  - the relay of the response, event by event through the SSE parser when streamed.
- **Requests**: \`POST /v1/chat/completions\` with the body below (\`"stream":true\`
  for the streamed tables) and the bearer token of the agent \`build-agent\` from the
  client credentials grant, fetched anew before each run. No \`X-Session-Id\` is sent,
  so the gateway binds a new session for each request, which is one \`INSERT\` into
  PostgreSQL. The direct runs send the same request to the simulator, which ignores the
  token.

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
closed loop is therefore lower than what callers arriving at a fixed rate would see. An
open-loop harness does not exist yet.

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
            # shellcheck disable=SC2016 # the backquotes are Markdown
            printf -- '- `%s`\n' "${FAILED_RUNS[@]}"
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

    if ((${#FAILED_RUNS[@]} > 0)); then
        write_page "$WORK_DIR/benchmarks-failed.md"
        die "${#FAILED_RUNS[@]} runs had failed responses; figures in $WORK_DIR/benchmarks-failed.md, wrk outputs in $WORK_DIR"
    fi
    write_page "$OUTPUT"
    log "wrote $OUTPUT"
}

main "$@"
