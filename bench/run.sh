#!/usr/bin/env bash
# Runs the benchmarks and writes docs/benchmarks.md:
#
# 1. Load at constant arrival rates (open loop), with the Gatling harness in bench/gatling/,
#    non-streamed and streamed, against four targets that run side by side on this machine:
#      - direct: the upstream simulator from the test classes, which responds at once;
#      - portcullis: the gateway in front of the simulator with the full pipeline and real
#        Keycloak tokens of alice, bob and build-agent. Its OPA runs the shipped policies of
#        opa-policies/, which pseudonymize the e-mail address in the prompt, with the logging
#        flags of the sidecar in kubernetes/base/deployment.yaml. It records sessions in the
#        database portcullis_bench and relays their events to Kafka;
#      - portcullis-lite: a second gateway with the stages that LiteLLM lacks switched off,
#        through its own OPA with bench/allow-all/ (allow all, mask nothing), recording in
#        the database portcullis_bench_lite with the Kafka relay off;
#      - litellm: LiteLLM proxy (bench/litellm.sh) with master-key authentication.
#    At each rate the targets take turns. The page shows the gateway's added latency, time
#    to first event on streams, the rate each target sustains, and the gateway's memory.
# 2. Policy round trip: PolicyRoundTripBenchmark from the test classes sends policy inputs
#    through the gateway's OpaClient to an OPA run like the full pipeline's, at fixed rates
#    (open loop).
# 3. Detection: bench/detection.sh scores the sensitive-data detectors on the labelled cases
#    and runs their JMH benchmarks; its sections end the page.
#
#   bench/run.sh
#
# PostgreSQL, Kafka and Keycloak must accept connections on their stack/env.sh ports, and
# PostgreSQL must have the databases portcullis_bench and portcullis_bench_lite, which
# stack/postgres.sh creates. When one of these is missing, the script runs
# stack/postgres.sh, stack/kafka.sh and stack/keycloak.sh start. Both bench databases are
# emptied at the start of each run, so that the gateways' migrations create them afresh. It builds the gateway and the harness with ./mvnw and installs LiteLLM into
# $PORTCULLIS_CACHE with bench/litellm.sh first. Logs, Gatling reports and samples go to
# target/bench/. The script exits 1 when a target fails its smoke request before the load;
# requests that fail under load are counted on the page, because a rate above what a target
# sustains fails by design.
#
# Optional environment:
#   BENCH_RATES           arrival rates in requests/s, space-separated (default "20 50 100 200 400 800")
#   BENCH_LITELLM_RATES   arrival rates for LiteLLM, which runs alone after the others
#                         (default "10 20 50 100")
#   BENCH_DURATION        measured seconds per rate and target (default 10)
#   BENCH_WARMUP          warm-up seconds per target and mode, not reported (default 5)
#   BENCH_TIMEOUT         seconds after which a request counts as failed (default 10)
#   BENCH_SLO_P99_MS      highest p99, in ms, at which a rate counts as sustained (default 500)
#   BENCH_PORT_BASE       when set, the processes of the run listen on the six ports after it;
#                         otherwise on free ports
#   BENCH_POLICY_RATES    policy decisions per second, space-separated (default "100 300 1000")
#   BENCH_POLICY_DURATION measured seconds per policy rate (default 20)
#   BENCH_POLICY_WARMUP   warm-up seconds before each policy rate, not recorded (default 5)
#   BENCH_GATEWAY_HEAP    gateway heap option (default -Xmx512m, as in stack/gateway.sh)
#   BENCH_LITELLM_VERSION LiteLLM release from PyPI (default in bench/litellm.sh)
#   BENCH_OUTPUT          page to write (default docs/benchmarks.md)
#   BENCH_SKIP_BUILD      1 to reuse the jar, test classes and harness of an earlier build
#   BENCH_DETECTION       0 to skip bench/detection.sh and keep the detection sections of the
#                         page being replaced, with the date and commit they name
set -euo pipefail

# shellcheck source=stack/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../stack/env.sh"

read -ra RATES <<<"${BENCH_RATES:-20 50 100 200 400 800}"
read -ra LITELLM_RATES <<<"${BENCH_LITELLM_RATES:-10 20 50 100}"
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
REQUEST_TIMEOUT=${BENCH_TIMEOUT:-10}
SLO_P99_MS=${BENCH_SLO_P99_MS:-500}
PORT_BASE=${BENCH_PORT_BASE:-}
read -ra POLICY_RATES <<<"${BENCH_POLICY_RATES:-100 300 1000}"
POLICY_DURATION=${BENCH_POLICY_DURATION:-20}
POLICY_WARMUP=${BENCH_POLICY_WARMUP:-5}
# The project's goals, in microseconds and as a factor.
POLICY_GOAL_P99_US=500
GOAL_ADDED_P99_MS=1
GOAL_LITELLM_FACTOR=10
# Highest share of failed requests at which a rate counts as sustained, in percent.
SUSTAINED_MAX_FAILED_PERCENT=1
GATEWAY_HEAP=${BENCH_GATEWAY_HEAP:--Xmx512m}
SIMULATOR_HEAP=-Xmx512m
POLICY_HEAP=-Xmx256m
# Sequential decisions whose OPA timers probe_opa_timers reads.
OPA_PROBE_QUERIES=50
OUTPUT=${BENCH_OUTPUT:-$PORTCULLIS_HOME/docs/benchmarks.md}

WORK_DIR=$PORTCULLIS_HOME/target/bench
CLASSPATH_FILE=$WORK_DIR/test-classpath.txt
RUN_JAR=$PORTCULLIS_HOME/target/quarkus-app/quarkus-run.jar
HARNESS_POM=$PORTCULLIS_HOME/bench/gatling/pom.xml
GATLING_RESULTS=$PORTCULLIS_HOME/bench/gatling/target/gatling
OPA_BIN=$PORTCULLIS_CACHE/bin/opa
# The model that the shipped policies allow alice (engineers), bob (support) and
# build-agent. The gateways route it to the simulator, which replays a recorded response
# whatever the model is.
MODEL=smollm2-135m-instruct
# The e-mail address makes the shipped policies pseudonymize the prompt and mask the response.
PROMPT='Write a two-line thank-you note to jane.doe@example.com for the review.'
IDENTITIES='client:build-agent:build-agent-secret,password:alice:alice,password:bob:bob'
# Targets of the load, in the order they take turns, and their labels on the page.
TARGETS=(direct portcullis portcullis-lite litellm)
declare -A TARGET_LABELS=(
    [direct]='Simulator, direct'
    [portcullis]='Portcullis, full pipeline'
    [portcullis-lite]='Portcullis, like LiteLLM'
    [litellm]='LiteLLM proxy'
)
START_TIMEOUT=90
# Databases of the two gateways, created by stack/postgres.sh, and the Kafka topic and
# transactional id of the full gateway's outbox relay, so that a gateway started with
# stack/up neither relays the benchmark's events nor is fenced by it.
BENCH_DATABASE=portcullis_bench
LITE_DATABASE=portcullis_bench_lite
BENCH_TOPIC=portcullis.session-events.bench
BENCH_TRANSACTIONAL_ID=portcullis-bench-outbox-relay
DEPLOYMENT_MANIFEST=$PORTCULLIS_HOME/kubernetes/base/deployment.yaml
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

SIMULATOR_PID=
GATEWAY_PID=
LITE_GATEWAY_PID=
LITE_OPA_PID=
POLICY_OPA_PID=
LITELLM_PID=
SAMPLER_PID=

log() {
    printf '[bench] %s\n' "$*"
}

die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 1
}

validate_settings() {
    local name value
    # Each setting with its values: the name is what the error message shows.
    local -A settings=(
        [BENCH_DURATION]=$DURATION [BENCH_WARMUP]=$WARMUP [BENCH_TIMEOUT]=$REQUEST_TIMEOUT
        [BENCH_SLO_P99_MS]=$SLO_P99_MS [BENCH_RATES]="${RATES[*]}" [BENCH_LITELLM_RATES]="${LITELLM_RATES[*]}"
        [BENCH_POLICY_DURATION]=$POLICY_DURATION [BENCH_POLICY_WARMUP]=$POLICY_WARMUP
        [BENCH_POLICY_RATES]="${POLICY_RATES[*]}" [BENCH_PORT_BASE]=$PORT_BASE
    )
    for name in "${!settings[@]}"; do
        for value in ${settings[$name]}; do
            [[ $value =~ ^[1-9][0-9]*$ ]] ||
                die "invalid $name: '${settings[$name]}'. Use a positive integer, or for rates positive integers separated by spaces."
        done
    done
    ((${#RATES[@]} > 0)) || die "BENCH_RATES is empty. Give at least one rate."
    ((${#LITELLM_RATES[@]} > 0)) || die "BENCH_LITELLM_RATES is empty. Give at least one rate."
    ((${#POLICY_RATES[@]} > 0)) || die "BENCH_POLICY_RATES is empty. Give at least one rate."
    [[ -z $PORT_BASE ]] || ((PORT_BASE + 6 <= 65535)) || die "invalid BENCH_PORT_BASE=$PORT_BASE: the run listens on the six ports after it, so use at most 65529"
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Runs psql as the gateway's database user against database $1 with the remaining arguments.
bench_psql() {
    local database=$1 bin_dir
    shift
    bin_dir=$(dirname -- "$(compgen -G '/usr/lib/postgresql/*/bin/psql' | tail -n 1)")
    PGPASSWORD=$PORTCULLIS_DB_PASSWORD "$bin_dir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
        -p "$PORTCULLIS_POSTGRES_PORT" -U "$PORTCULLIS_DB_USER" -d "$database" "$@"
}

services_ready() {
    port_open "$PORTCULLIS_POSTGRES_PORT" && port_open "$PORTCULLIS_KAFKA_PORT" &&
        curl -fsS -o /dev/null --max-time 3 "$PORTCULLIS_OIDC_ISSUER/.well-known/openid-configuration" &&
        bench_psql "$BENCH_DATABASE" -c 'SELECT 1' >/dev/null 2>&1 &&
        bench_psql "$LITE_DATABASE" -c 'SELECT 1' >/dev/null 2>&1
}

# The probe comes first because the stack scripts track their processes per clone, so
# they reject a port that a service started from another clone of the repository holds.
ensure_services() {
    local database
    if ! services_ready; then
        log "starting PostgreSQL, Kafka and Keycloak with the stack scripts"
        "$PORTCULLIS_HOME/stack/postgres.sh" start
        "$PORTCULLIS_HOME/stack/kafka.sh" start
        "$PORTCULLIS_HOME/stack/keycloak.sh" start
        services_ready || die "PostgreSQL, Kafka or Keycloak is not reachable, or the databases $BENCH_DATABASE and" \
            "$LITE_DATABASE are missing. Run stack/postgres.sh start, which creates them, from the clone that runs PostgreSQL."
    fi
    log "PostgreSQL (port $PORTCULLIS_POSTGRES_PORT), Kafka ($PORTCULLIS_KAFKA_BOOTSTRAP) and Keycloak ($PORTCULLIS_OIDC_ISSUER) answer"
    for database in "$BENCH_DATABASE" "$LITE_DATABASE"; do
        bench_psql "$database" -c 'SET client_min_messages = warning' -c 'DROP SCHEMA IF EXISTS public CASCADE' \
            -c 'CREATE SCHEMA public' ||
            die "emptying the database $database failed"
    done
}

# package compiles the test classes as well, since -DskipTests skips only running them.
build() {
    local start=$SECONDS
    if [[ ${BENCH_SKIP_BUILD:-} == 1 && -f $RUN_JAR && -f $CLASSPATH_FILE ]]; then
        log "BENCH_SKIP_BUILD=1: using the existing build in target/ and bench/gatling/target/"
        "$PORTCULLIS_HOME/bench/litellm.sh" install
        return 0
    fi
    log "building the gateway jar, the test classes, the test classpath and the load harness with ./mvnw"
    mkdir -p "$WORK_DIR"
    (cd "$PORTCULLIS_HOME" && ./mvnw -q -B package -DskipTests \
        "$DEPENDENCY_PLUGIN:build-classpath" -Dmdep.outputFile="$CLASSPATH_FILE") ||
        die "the Maven build failed, see its output above"
    [[ -f $RUN_JAR ]] || die "$RUN_JAR is missing after the build"
    [[ -f $PORTCULLIS_HOME/target/test-classes/io/portcullis/simulator/UpstreamSimulator.class ]] ||
        die "the upstream simulator class is missing from target/test-classes after the build"
    [[ -f $PORTCULLIS_HOME/target/test-classes/io/portcullis/policy/PolicyRoundTripBenchmark.class ]] ||
        die "the policy benchmark class is missing from target/test-classes after the build"
    (cd "$PORTCULLIS_HOME" && ./mvnw -q -B -f "$HARNESS_POM" test-compile) ||
        die "building the load harness in bench/gatling failed, see its output above"
    [[ -x $OPA_BIN ]] || "$PORTCULLIS_HOME/stack/opa.sh" install
    "$PORTCULLIS_HOME/bench/litellm.sh" install
    log "build took $((SECONDS - start)) s"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints the port of process number $1 (1 to 5) of the run: BENCH_PORT_BASE + $1, or a free one.
port_for() {
    if [[ -n $PORT_BASE ]]; then
        printf '%s\n' $((PORT_BASE + $1))
    else
        free_port
    fi
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

# Prints the pids of the LiteLLM processes: the gunicorn master and its workers.
litellm_pids() {
    [[ -n $LITELLM_PID ]] || return 0
    printf '%s\n' "$LITELLM_PID"
    pgrep -P "$LITELLM_PID" || true
}

cleanup() {
    local pid workers
    if [[ -n $SAMPLER_PID ]]; then
        stop_pid "$SAMPLER_PID"
    fi
    if [[ -n $LITELLM_PID ]]; then
        log "stopping LiteLLM (pid $LITELLM_PID)"
        workers=$(pgrep -P "$LITELLM_PID" || true)
        stop_pid "$LITELLM_PID"
        for pid in $workers; do
            stop_pid "$pid"
        done
    fi
    for pid in "$GATEWAY_PID" "$LITE_GATEWAY_PID" "$LITE_OPA_PID" "$POLICY_OPA_PID" "$SIMULATOR_PID"; do
        if [[ -n $pid ]]; then
            log "stopping pid $pid"
            stop_pid "$pid"
        fi
    done
    GATEWAY_PID='' LITE_GATEWAY_PID='' LITE_OPA_PID='' POLICY_OPA_PID='' SIMULATOR_PID=''
}

# Prints the tail of log file $1 to stderr and exits with message $2.
die_with_log() {
    printf '[bench] last 30 lines of %s:\n' "$1" >&2
    tail -n 30 "$1" >&2 || true
    die "$2"
}

start_simulator() {
    local log_file=$WORK_DIR/simulator.log port waited=0
    port=$(port_for 1)
    log "starting the upstream simulator on port $port (log: $log_file)"
    java "$SIMULATOR_HEAP" -cp "$PORTCULLIS_HOME/target/test-classes:$(<"$CLASSPATH_FILE")" \
        io.portcullis.simulator.UpstreamSimulator "$port" >"$log_file" 2>&1 &
    SIMULATOR_PID=$!
    SIMULATOR_URL=http://127.0.0.1:$port
    until grep -q "^Upstream simulator listening on $SIMULATOR_URL/v1\$" "$log_file"; do
        kill -0 "$SIMULATOR_PID" 2>/dev/null || die_with_log "$log_file" "the upstream simulator exited during start"
        ((waited < 2 * START_TIMEOUT)) || die_with_log "$log_file" "the upstream simulator did not listen within $START_TIMEOUT s"
        sleep 0.5
        waited=$((waited + 1))
    done
    log "upstream simulator listening on $SIMULATOR_URL (pid $SIMULATOR_PID)"
}

# Waits until the OPA at URL $1 with pid $2 passes its health check. Its log is file $3 and
# its policies are named $4 in the error messages.
await_opa() {
    local url=$1 pid=$2 log_file=$3 policies=$4 waited=0
    until curl -fsS -o /dev/null --max-time 3 "$url/health" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || die_with_log "$log_file" "OPA with $policies exited during start"
        ((waited < START_TIMEOUT)) || die_with_log "$log_file" "OPA with $policies did not respond within $START_TIMEOUT s"
        sleep 1
        waited=$((waited + 1))
    done
}

# Starts OPA with the allow-all policy of bench/allow-all/ for the gateway like LiteLLM.
# Decision logs stay off, as LiteLLM logs nothing either.
start_lite_opa() {
    local log_file=$WORK_DIR/opa-allow-all.log port
    port=$(port_for 4)
    LITE_OPA_URL=http://127.0.0.1:$port
    log "starting OPA with bench/allow-all on $LITE_OPA_URL (log: $log_file)"
    "$OPA_BIN" run --server --addr "127.0.0.1:$port" --skip-version-check --log-level error \
        "$PORTCULLIS_HOME/bench/allow-all" >"$log_file" 2>&1 &
    LITE_OPA_PID=$!
    await_opa "$LITE_OPA_URL" "$LITE_OPA_PID" "$log_file" bench/allow-all
}

# Prints the logging flags of the OPA sidecar in kubernetes/base/deployment.yaml, such as
# --log-format=json --log-level=error.
sidecar_log_flags() {
    local flags
    flags=$(grep -oE -- '- --log-(level|format)=[a-z]+' "$DEPLOYMENT_MANIFEST" | sed 's/^- //' | paste -sd ' ')
    [[ -n $flags ]] || die "missing --log-level or --log-format argument of the OPA sidecar in $DEPLOYMENT_MANIFEST; add one"
    printf '%s\n' "$flags"
}

# Starts OPA with the shipped policies and data of opa-policies/ as the Kubernetes sidecar
# runs them: no decision logs, and its logging flags. Serves the full gateway and the policy
# round trip.
start_policy_opa() {
    local log_file=$WORK_DIR/opa-policies.log port
    local -a flags
    read -ra flags <<<"$(sidecar_log_flags)"
    port=$(port_for 6)
    POLICY_OPA_URL=http://127.0.0.1:$port
    POLICY_OPA_FLAGS=${flags[*]}
    log "starting OPA with opa-policies/ and ${flags[*]} on $POLICY_OPA_URL (log: $log_file)"
    "$OPA_BIN" run --server --addr "127.0.0.1:$port" --skip-version-check --ignore='.*' "${flags[@]}" \
        "$PORTCULLIS_HOME/opa-policies" >"$log_file" 2>&1 &
    POLICY_OPA_PID=$!
    await_opa "$POLICY_OPA_URL" "$POLICY_OPA_PID" "$log_file" opa-policies/
}

# Starts a gateway on port number $1 of the run with the policy service at $2 and the
# database $5, and prints "pid url" to file $3. Its log is $WORK_DIR/gateway-$4.log. Further
# arguments are passed to java before -jar.
start_gateway() {
    local port policy_url=$2 result_file=$3 name=$4 database=$5 log_file pid waited=0 url
    local -a options=("${@:6}")
    port=$(port_for "$1")
    url=http://127.0.0.1:$port
    log_file=$WORK_DIR/gateway-$name.log
    log "starting the gateway '$name' on $url with the policy service $policy_url (heap $GATEWAY_HEAP, log: $log_file)"
    # The working directory is target/bench, so that no config/application.properties
    # from the caller's directory changes the measured configuration. Upstreams set in the
    # environment are removed for the same reason. The built-in upstream "local" serves
    # $MODEL, so pointing it at the simulator routes $MODEL there.
    (
        cd "$WORK_DIR"
        while read -r variable; do
            unset "$variable"
        done < <(compgen -e | grep '^PORTCULLIS_UPSTREAMS_' || true)
        PORTCULLIS_JSON_LOGS=false exec java "$GATEWAY_HEAP" \
            -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
            -Dportcullis.upstreams.local.base-url="$SIMULATOR_URL/v1" \
            -Dportcullis.policy.url="$policy_url" \
            -Dquarkus.datasource.reactive.url="postgresql://127.0.0.1:$PORTCULLIS_POSTGRES_PORT/$database" \
            -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:$PORTCULLIS_POSTGRES_PORT/$database" \
            "${options[@]}" \
            -jar "$RUN_JAR"
    ) >"$log_file" 2>&1 &
    pid=$!
    until curl -fsS -o /dev/null --max-time 3 "$url/q/health/ready" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || die_with_log "$log_file" "the gateway '$name' exited during start"
        ((waited < START_TIMEOUT)) ||
            die_with_log "$log_file" "GET $url/q/health/ready did not return 200 within $START_TIMEOUT s"
        sleep 1
        waited=$((waited + 1))
    done
    log "gateway '$name' ready after about $waited s (pid $pid)"
    printf '%s %s\n' "$pid" "$url" >"$result_file"
}

start_gateways() {
    start_gateway 2 "$POLICY_OPA_URL" "$WORK_DIR/gateway-full.pid" full "$BENCH_DATABASE" \
        -Dportcullis.recording.kafka.topic="$BENCH_TOPIC" \
        -Dportcullis.recording.kafka.transactional-id="$BENCH_TRANSACTIONAL_ID"
    read -r GATEWAY_PID GATEWAY_URL <"$WORK_DIR/gateway-full.pid"
    start_gateway 3 "$LITE_OPA_URL" "$WORK_DIR/gateway-lite.pid" lite "$LITE_DATABASE" \
        -Dportcullis.recording.kafka.enabled=false
    read -r LITE_GATEWAY_PID LITE_GATEWAY_URL <"$WORK_DIR/gateway-lite.pid"
}

start_litellm() {
    local port
    port=$(port_for 5)
    LITELLM_URL=http://127.0.0.1:$port
    # A fresh master key for each run; LiteLLM reads it from the environment.
    BENCH_LITELLM_KEY=sk-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    export BENCH_LITELLM_KEY
    log "starting LiteLLM $("$PORTCULLIS_HOME/bench/litellm.sh" version) on $LITELLM_URL (log: $WORK_DIR/litellm/litellm.log)"
    LITELLM_PID=$("$PORTCULLIS_HOME/bench/litellm.sh" start "$port" "$SIMULATOR_URL/v1" "$MODEL" "$WORK_DIR/litellm") ||
        die "LiteLLM did not start"
    log "LiteLLM ready (pid $LITELLM_PID)"
}

# Prints a bearer token of build-agent.
agent_token() {
    "$PORTCULLIS_HOME/stack/keycloak.sh" client-token build-agent build-agent-secret ||
        die "fetching a client credentials token for build-agent from Keycloak failed"
}

request_body() {
    python3 -c 'import json, sys; print(json.dumps({"model": sys.argv[1], "stream": sys.argv[2] == "true",
        "messages": [{"role": "user", "content": sys.argv[3]}]}))' "$MODEL" "$1" "$PROMPT"
}

# Sends one request to base URL $1 with bearer token $2 and stream flag $3, saves the body
# to file $4, and dies unless the status is 200 and the body is complete.
smoke_request() {
    local base_url=$1 token=$2 stream=$3 body_file=$4 status marker='"finish_reason"'
    [[ $stream == true ]] && marker='data: [DONE]'
    status=$(curl -sS -o "$body_file" -w '%{http_code}' --max-time 30 "$base_url/v1/chat/completions" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "$(request_body "$stream")") || die "POST $base_url/v1/chat/completions (stream $stream) failed"
    [[ $status == 200 ]] ||
        die "POST $base_url/v1/chat/completions (stream $stream) returned $status: $(head -c 500 "$body_file")"
    grep -qF -- "$marker" "$body_file" ||
        die "the response of $base_url (stream $stream) lacks '$marker': $(head -c 500 "$body_file")"
}

# Checks every target once, non-streamed and streamed, and that the full gateway forwarded
# the prompt with the e-mail address pseudonymized and the lite gateway forwarded it as is.
smoke_requests() {
    local token stream forwarded
    token=$(agent_token)
    for stream in false true; do
        smoke_request "$SIMULATOR_URL" none "$stream" "$WORK_DIR/smoke-direct-$stream.txt"
        smoke_request "$LITELLM_URL" "$BENCH_LITELLM_KEY" "$stream" "$WORK_DIR/smoke-litellm-$stream.txt"
        curl -fsS -o /dev/null -X DELETE "$SIMULATOR_URL/_sim/requests"
        smoke_request "$GATEWAY_URL" "$token" "$stream" "$WORK_DIR/smoke-portcullis-$stream.txt"
        forwarded=$(curl -fsS "$SIMULATOR_URL/_sim/requests")
        grep -qF '<EMAIL_ADDRESS_1>' <<<"$forwarded" && ! grep -qF 'jane.doe@example.com' <<<"$forwarded" ||
            die "the full gateway did not pseudonymize the e-mail address of the prompt; the simulator received: ${forwarded:0:500}"
        curl -fsS -o /dev/null -X DELETE "$SIMULATOR_URL/_sim/requests"
        smoke_request "$LITE_GATEWAY_URL" "$token" "$stream" "$WORK_DIR/smoke-portcullis-lite-$stream.txt"
        forwarded=$(curl -fsS "$SIMULATOR_URL/_sim/requests")
        grep -qF 'jane.doe@example.com' <<<"$forwarded" ||
            die "the lite gateway changed the prompt although its policy masks nothing; the simulator received: ${forwarded:0:500}"
        curl -fsS -o /dev/null -X DELETE "$SIMULATOR_URL/_sim/requests"
    done
    STREAM_EVENTS=$(grep -c '^data:' "$WORK_DIR/smoke-direct-true.txt")
    STREAM_BYTES=$(wc -c <"$WORK_DIR/smoke-direct-true.txt")
    PLAIN_BYTES=$(wc -c <"$WORK_DIR/smoke-direct-false.txt")
    log "every target passed its smoke requests, and the full gateway pseudonymized the prompt"
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

# Runs in the background during the load: every second it appends the RSS of both gateways
# to rss.tsv, and every 2 s the TCP and UDP sockets of LiteLLM whose peer is outside
# 127.0.0.0/8 to litellm-outbound.txt.
sample_processes() {
    local tick=0 pids
    while true; do
        printf '%s\t%s\t%s\n' "$(date +%s)" "$(proc_status_kib "$GATEWAY_PID" VmRSS)" \
            "$(proc_status_kib "$LITE_GATEWAY_PID" VmRSS)" >>"$WORK_DIR/rss.tsv"
        if ((tick % 2 == 0)); then
            pids=$(litellm_pids | paste -sd '|')
            ss -tunapH 2>/dev/null | grep -E "pid=($pids)," |
                awk '$6 !~ /^(127\.|\[::1\]|\[::ffff:127\.|\*|0\.0\.0\.0)/' >>"$WORK_DIR/litellm-outbound.txt" || true
        fi
        tick=$((tick + 1))
        sleep 1
    done
}

# Prints the eight processes that used the most CPU over one second, each with the first
# argument of its command line that is not an option, such as a JVM's main class or jar.
busiest_processes() {
    local pid cpu name program first=1
    while read -r pid cpu name; do
        [[ -n $name ]] || continue
        program=$(ps -o args= -p "$pid" 2>/dev/null | awk '{
            for (i = 2; i <= NF; i++) {
                if ($i ~ /^-/ || $(i - 1) ~ /^-(cp|classpath)$/) continue
                n = split($i, parts, "/"); print parts[n]; exit
            }}')
        ((first)) || printf ', '
        printf '%s%s (%s %%)' "$name" "${program:+ $program}" "$cpu"
        first=0
    done < <(top -b -n 2 -d 1 -o %CPU | awk '/^top -/ { block++ } block == 2 && $1 ~ /^[0-9]+$/ && shown < 8 { print $1, $9, $12; shown++ }')
}

# Runs the Gatling harness once against targets $2 (comma-separated) at rates $3
# (comma-separated), with its log in $WORK_DIR/gatling-$1.log, and appends the statistics
# of its report to stats.tsv.
run_gatling() {
    local name=$1 targets=$2 rates=$3 log_file=$WORK_DIR/gatling-$1.log before report renewals
    log "open-loop load at $rates requests/s, $DURATION s each after $WARMUP s of warm-up, targets $targets (log: $log_file)"
    before=$(date +%s)
    # gatling.http.requestTimeout bounds a stream's connect as well, which load.timeout does not.
    (cd "$PORTCULLIS_HOME" && ./mvnw -B -q -f "$HARNESS_POM" gatling:test \
        -Dload.targets="$targets" \
        -Dload.target.direct.url="$SIMULATOR_URL" -Dload.target.direct.auth=none \
        -Dload.target.portcullis.url="$GATEWAY_URL" -Dload.target.portcullis.auth=oidc \
        -Dload.target.portcullis-lite.url="$LITE_GATEWAY_URL" -Dload.target.portcullis-lite.auth=oidc \
        -Dload.target.litellm.url="$LITELLM_URL" -Dload.target.litellm.auth=env:BENCH_LITELLM_KEY \
        -Dload.modes=plain,stream -Dload.rates="$rates" -Dload.duration="$DURATION" -Dload.warmup="$WARMUP" \
        -Dload.timeout="$REQUEST_TIMEOUT" -Dgatling.http.requestTimeout=$((REQUEST_TIMEOUT * 1000)) \
        -Dload.model="$MODEL" -Dload.prompt="$PROMPT" \
        -Dload.token-endpoint="$PORTCULLIS_OIDC_ISSUER/protocol/openid-connect/token" \
        -Dload.identities="$IDENTITIES") >"$log_file" 2>&1 ||
        grep -q 'Reports generated' "$log_file" || die_with_log "$log_file" "the Gatling run against $targets failed"
    report=$(find "$GATLING_RESULTS" -mindepth 1 -maxdepth 1 -type d -newermt "@$before" | sort | tail -n 1)
    [[ -n $report ]] || die_with_log "$log_file" "Gatling wrote no report under $GATLING_RESULTS"
    "$PORTCULLIS_HOME/bench/gatling-stats.py" "$report" >>"$WORK_DIR/stats.tsv" ||
        die "reading the statistics of $report failed"
    renewals=$(sed -n 's/^TOKENS identities=[0-9]* renewals=\([0-9]*\)$/\1/p' "$log_file")
    TOKEN_RENEWALS=$((TOKEN_RENEWALS + ${renewals:-0}))
    REPORT_DIRS+=("${report#"$PORTCULLIS_HOME"/}")
    log "Gatling run '$name' done, report: $report"
}

# Loads the simulator and both gateways, then LiteLLM alone. LiteLLM goes last and on its
# own because it keeps working through the requests that timed out at the client, which
# would slow down whatever target came next.
run_load() {
    : >"$WORK_DIR/rss.tsv"
    : >"$WORK_DIR/litellm-outbound.txt"
    : >"$WORK_DIR/stats.tsv"
    TOKEN_RENEWALS=0
    REPORT_DIRS=()
    sample_processes &
    SAMPLER_PID=$!
    LOAD_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
    LOAD_AT_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
    BUSIEST_AT_START=$(busiest_processes)
    GATEWAY_TICKS_BEFORE=$(cpu_ticks "$GATEWAY_PID")
    LITE_TICKS_BEFORE=$(cpu_ticks "$LITE_GATEWAY_PID")
    run_gatling gateways direct,portcullis,portcullis-lite "$(IFS=,; printf '%s' "${RATES[*]}")"
    GATEWAY_TICKS=$(($(cpu_ticks "$GATEWAY_PID") - GATEWAY_TICKS_BEFORE))
    LITE_TICKS=$(($(cpu_ticks "$LITE_GATEWAY_PID") - LITE_TICKS_BEFORE))
    run_gatling litellm litellm "$(IFS=,; printf '%s' "${LITELLM_RATES[*]}")"
    LOAD_AT_END=$(cut -d ' ' -f 1-3 /proc/loadavg)
    stop_pid "$SAMPLER_PID"
    SAMPLER_PID=
}

# Prints field $2 (total, ok, ko, min, p50, p90, p99, p999, max or mean) of the statistics
# row named $1, or nothing when the report has no such row.
stat() {
    awk -F '\t' -v name="$1" -v field="$2" '
        BEGIN { split("total ok ko min p50 p90 p99 p999 max mean", names, " "); for (i in names) column[names[i]] = i + 1 }
        $1 == name { print $column[field]; exit }' "$WORK_DIR/stats.tsv"
}

# Prints the name of the statistics row of mode $1 (plain, stream or ttft), target $2, rate $3.
row_name() {
    case $1 in
        plain) printf 'plain %s %s/s\n' "$2" "$3" ;;
        stream) printf 'stream %s %s/s\n' "$2" "$3" ;;
        ttft) printf 'first event stream %s %s/s\n' "$2" "$3" ;;
    esac
}

# Prints the share of failed requests of row $1 in percent, with one decimal.
failed_percent() {
    local total ko
    total=$(stat "$1" total)
    ko=$(stat "$1" ko)
    awk -v total="${total:-0}" -v ko="${ko:-0}" 'BEGIN { if (total == 0) print "100.0"; else printf "%.1f", ko * 100 / total }'
}

# Succeeds when row $1 counts as sustained: at most SUSTAINED_MAX_FAILED_PERCENT failed and
# a p99 of at most SLO_P99_MS.
row_sustained() {
    local p99
    p99=$(stat "$1" p99)
    [[ -n $p99 ]] || return 1
    awk -v failed="$(failed_percent "$1")" -v limit="$SUSTAINED_MAX_FAILED_PERCENT" -v p99="$p99" -v slo="$SLO_P99_MS" \
        'BEGIN { exit !(failed <= limit && p99 <= slo) }'
}

# Prints the highest rate of the ladder that target $2 sustains in mode $1 (plain or stream),
# and every lower rate as well, or 0 when it sustains none.
sustained_rate() {
    local rate best=0
    while read -r rate; do
        row_sustained "$(row_name "$1" "$2" "$rate")" || break
        best=$rate
    done < <(rates_of "$2")
    printf '%s\n' "$best"
}

# Prints the rates of target $1, one a line, in ascending order.
rates_of() {
    if [[ $1 == litellm ]]; then
        printf '%s\n' "${LITELLM_RATES[@]}" | sort -n
    else
        printf '%s\n' "${RATES[@]}" | sort -n
    fi
}

# Prints the rates of all targets, one a line, in ascending order.
all_rates() {
    printf '%s\n' "${RATES[@]}" "${LITELLM_RATES[@]}" | sort -nu
}

# Prints $1 - $2 as a signed integer.
added() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%+d", a - b }'
}

# Prints $1 / $2 with one decimal, or a dash when $2 is 0.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "–"; else printf "%.1f", a / b }'
}

# Prints the Markdown table of non-streamed requests.
plain_table() {
    local rate target name direct p50 p99
    echo '| Rate/s | Target | Requests | Failed % | p50 ms | p90 ms | p99 ms | Max ms | Added p50 ms | Added p99 ms | p99 ratio to direct |'
    echo '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
    for rate in $(all_rates); do
        direct=$(row_name plain direct "$rate")
        for target in "${TARGETS[@]}"; do
            name=$(row_name plain "$target" "$rate")
            [[ -n $(stat "$name" total) ]] || continue
            p50='–'
            p99='–'
            ratio_value='–'
            if [[ $target != direct && -n $(stat "$direct" total) ]]; then
                p50=$(added "$(stat "$name" p50)" "$(stat "$direct" p50)")
                p99=$(added "$(stat "$name" p99)" "$(stat "$direct" p99)")
                ratio_value=$(ratio "$(stat "$name" p99)" "$(stat "$direct" p99)")
            fi
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$rate" "${TARGET_LABELS[$target]}" \
                "$(stat "$name" total)" "$(failed_percent "$name")" "$(stat "$name" p50)" "$(stat "$name" p90)" \
                "$(stat "$name" p99)" "$(stat "$name" max)" "$p50" "$p99" "$ratio_value"
        done
    done
}

# Prints the Markdown table of streamed requests.
stream_table() {
    local rate target name ttft direct_ttft added_p50 added_p99
    echo '| Rate/s | Target | Streams | Failed % | First event p50 ms | First event p99 ms | Added first event p50 ms | Added first event p99 ms | Whole stream p50 ms | Whole stream p99 ms |'
    echo '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|'
    for rate in $(all_rates); do
        direct_ttft=$(row_name ttft direct "$rate")
        for target in "${TARGETS[@]}"; do
            name=$(row_name stream "$target" "$rate")
            ttft=$(row_name ttft "$target" "$rate")
            [[ -n $(stat "$name" total) ]] || continue
            added_p50='–'
            added_p99='–'
            if [[ $target != direct && -n $(stat "$direct_ttft" total) ]]; then
                added_p50=$(added "$(stat "$ttft" p50)" "$(stat "$direct_ttft" p50)")
                added_p99=$(added "$(stat "$ttft" p99)" "$(stat "$direct_ttft" p99)")
            fi
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$rate" "${TARGET_LABELS[$target]}" \
                "$(stat "$name" total)" "$(failed_percent "$name")" "$(stat "$ttft" p50)" "$(stat "$ttft" p99)" \
                "$added_p50" "$added_p99" "$(stat "$name" p50)" "$(stat "$name" p99)"
        done
    done
}

# Prints rate $1 of target $2 as "N/s", with a remark when it is the top of the target's
# ladder, or "none of the rates" when it is 0.
describe_rate() {
    local top
    top=$(rates_of "$2" | tail -n 1)
    if (($1 == 0)); then
        printf 'none of the rates\n'
    elif (($1 == top)); then
        printf '%s/s or more (the top of the ladder)\n' "$1"
    else
        printf '%s/s\n' "$1"
    fi
}

sustained_table() {
    local target
    echo '| Target | Non-streamed | Streamed |'
    echo '|---|---|---|'
    for target in "${TARGETS[@]}"; do
        printf '| %s | %s | %s |\n' "${TARGET_LABELS[$target]}" \
            "$(describe_rate "$(sustained_rate plain "$target")" "$target")" \
            "$(describe_rate "$(sustained_rate stream "$target")" "$target")"
    done
}

# Prints the statistics (median and maximum) of column $1 of rss.tsv in MiB.
rss_under_load() {
    cut -f "$1" "$WORK_DIR/rss.tsv" | grep -E '^[0-9]+$' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "– –"; else printf "%d %d\n", v[int((NR + 1) / 2)] / 1024, v[NR] / 1024 }'
}

# Prints the requests that target $1 received in the load run, warm-up included.
requests_of() {
    awk -F '\t' -v target="$1" '
        $1 ~ ("^(warmup )?plain " target "( |$)") || $1 ~ ("^(warmup )?stream " target "( |$)") { sum += $2 }
        END { print sum + 0 }' "$WORK_DIR/stats.tsv"
}

cpu_per_request() {
    awk -v ticks="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { if (n == 0) print "–"; else printf "%.2f", ticks / hz * 1000 / n }'
}

# Prints a Markdown table of the warnings and errors that gateway log $1 has from its event
# loops (the request path), counted by message with the ids and the thread left out.
gateway_problems_table() {
    echo '| Level and logger | Message | Count |'
    echo '|---|---|---:|'
    grep -E '^[0-9:.]+ (WARN|ERROR) +\[[^]]*\] \(vert\.x-eventloop' "$1" |
        sed -E 's/^[0-9:.]+ (WARN|ERROR) +\[([^]]*)\] \([^)]*\) requestId=[^ ]* sessionId=[^ ]* decisionId=[^ ]* /\1 \2\t/' |
        cut -c1-200 | sort | uniq -c | sort -rn |
        sed -E 's/^ *([0-9]+) (.*)$/\2\t\1/' | awk -F '\t' '{ printf "| %s | %s | %d |\n", $1, $2, $3 }'
}

# Evaluates the two goals and sets GOAL_* variables for the page.
evaluate_goals() {
    local direct gateway lite_rate litellm_rate full_rate
    GOAL_RATE=$(sustained_rate plain portcullis)
    if ((GOAL_RATE == 0)); then
        GOAL_ADDED_P99='not measured, because the full gateway sustained none of the rates'
        GOAL_LATENCY_STATUS='not met'
    else
        direct=$(stat "$(row_name plain direct "$GOAL_RATE")" p99)
        gateway=$(stat "$(row_name plain portcullis "$GOAL_RATE")" p99)
        GOAL_ADDED_P99="$(added "$gateway" "$direct") ms at $GOAL_RATE/s (p99 $gateway ms through the gateway, $direct ms direct)"
        GOAL_LATENCY_STATUS='not met'
        ((gateway - direct < GOAL_ADDED_P99_MS)) && GOAL_LATENCY_STATUS='met'
    fi
    lite_rate=$(sustained_rate plain portcullis-lite)
    full_rate=$(sustained_rate plain portcullis)
    litellm_rate=$(sustained_rate plain litellm)
    if ((litellm_rate == 0)); then
        GOAL_THROUGHPUT="LiteLLM sustained none of its rates; Portcullis like LiteLLM sustained $(describe_rate "$lite_rate" portcullis-lite)"
        GOAL_THROUGHPUT_STATUS='not measured'
    else
        GOAL_THROUGHPUT="like with like $(ratio "$lite_rate" "$litellm_rate")x: Portcullis like LiteLLM $(describe_rate "$lite_rate" portcullis-lite), LiteLLM $(describe_rate "$litellm_rate" litellm). Full pipeline $(ratio "$full_rate" "$litellm_rate")x"
        GOAL_THROUGHPUT_STATUS='not met'
        if ((lite_rate >= GOAL_LITELLM_FACTOR * litellm_rate)); then
            GOAL_THROUGHPUT_STATUS='met'
        elif ((lite_rate == $(rates_of portcullis-lite | tail -n 1))); then
            GOAL_THROUGHPUT_STATUS='not determined, because the ladder of rates ends below that factor'
        fi
    fi
}

# Prints the value of key $2 in the RESULT line $1 of the policy benchmark.
result_field() {
    local value
    value=$(sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1")
    [[ -n $value ]] || die "key $2 is missing from the result line '$1'"
    printf '%s\n' "$value"
}

# Prints microseconds $1 as milliseconds with two decimals.
ms() {
    awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'
}

# Runs PolicyRoundTripBenchmark against the stack's OPA at each rate of POLICY_RATES. Sets
# POLICY_RESULTS to its RESULT lines, one for each rate.
run_policy_benchmark() {
    local output=$WORK_DIR/policy-round-trip.txt log_file=$WORK_DIR/policy-round-trip.log rates
    rates=$(IFS=,; printf '%s' "${POLICY_RATES[*]}")
    log "policy round trip against $POLICY_OPA_URL at $rates decisions/s (log: $log_file)"
    POLICY_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
    POLICY_LOAD_AT_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
    java "$POLICY_HEAP" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
        -cp "$PORTCULLIS_HOME/target/test-classes:$PORTCULLIS_HOME/target/classes:$(<"$CLASSPATH_FILE")" \
        io.portcullis.policy.PolicyRoundTripBenchmark "$POLICY_OPA_URL" "$rates" "$POLICY_WARMUP" "$POLICY_DURATION" \
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
    medians=$(python3 - "$POLICY_OPA_URL" "$OPA_PROBE_QUERIES" <<'PY'
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
    ) || die "querying OPA's timers at $POLICY_OPA_URL/v1/data/portcullis/decision?metrics=true failed"
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
    local -a connection=(-h 127.0.0.1 -p "$PORTCULLIS_POSTGRES_PORT" -U "$PORTCULLIS_DB_USER" -d "$BENCH_DATABASE")
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


# Waits up to 30 s for the full gateway's outbox relay to publish the events of the load,
# then reads from the bench databases how many sessions and events were recorded and how
# many events were not published to Kafka.
recording_counts() {
    local waited=0
    until EVENTS_UNPUBLISHED=$(bench_psql "$BENCH_DATABASE" -At \
        -c 'SELECT count(*) FROM event_outbox WHERE published_at IS NULL'); ((EVENTS_UNPUBLISHED == 0 || waited >= 30)); do
        sleep 1
        waited=$((waited + 1))
    done
    SESSIONS_RECORDED=$(bench_psql "$BENCH_DATABASE" -At -c 'SELECT count(*) FROM recorded_session')
    EVENTS_RECORDED=$(bench_psql "$BENCH_DATABASE" -At -c 'SELECT count(*) FROM session_event')
    LITE_EVENTS_RECORDED=$(bench_psql "$LITE_DATABASE" -At -c 'SELECT count(*) FROM session_event')
    log "recorded $SESSIONS_RECORDED sessions with $EVENTS_RECORDED events, of which $EVENTS_UNPUBLISHED were not on Kafka $waited s after the load"
}

describe_commit() {
    local commit
    if commit=$(git -C "$PORTCULLIS_HOME" rev-parse --short HEAD 2>/dev/null); then
        if [[ -n $(git -C "$PORTCULLIS_HOME" status --porcelain -- src pom.xml bench opa-policies) ]]; then
            commit="$commit with uncommitted changes under src/, bench/ or opa-policies/, or in pom.xml"
        fi
    else
        commit='unknown (not a git work tree)'
    fi
    printf '%s\n' "$commit"
}

# Runs bench/detection.sh, which scores the sensitive-data detectors and runs their JMH
# benchmarks, and sets DETECTION_OUTPUT to the Markdown sections it wrote. Does nothing when
# the script is absent.
detection_section() {
    local script=$PORTCULLIS_HOME/bench/detection.sh output=$WORK_DIR/detection.md
    if [[ ${BENCH_DETECTION:-1} == 0 ]]; then
        if [[ -f $OUTPUT ]]; then
            sed -n '/^<!-- detection:begin -->$/,/^<!-- detection:end -->$/p' "$OUTPUT" >"$output"
            if [[ -s $output ]]; then
                DETECTION_OUTPUT=$output
                PAGE_SCOPE='page, except the detection sections at its end, which it kept from the page it replaced (BENCH_DETECTION=0),'
            fi
        fi
        return 0
    fi
    [[ -x $script ]] || return 0
    rm -f "$output"
    BENCH_DETECTION_OUTPUT=$output "$script" || die "bench/detection.sh failed; see its output above"
    [[ -s $output ]] || die "bench/detection.sh wrote nothing to $output"
    DETECTION_OUTPUT=$output
}

write_page() {
    local page=$1 cpu_model memory java_version idle_full idle_lite rss_full rss_lite outbound
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    memory=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1024 / 1024}' /proc/meminfo)
    java_version=$(java -version 2>&1 | sed -n 2p)
    read -r rss_full_median rss_full_max < <(rss_under_load 2)
    read -r rss_lite_median rss_lite_max < <(rss_under_load 3)
    outbound=$(wc -l <"$WORK_DIR/litellm-outbound.txt")
    REPORT_LIST=$(printf '`%s`, ' "${REPORT_DIRS[@]}")
    REPORT_LIST=${REPORT_LIST%, }
    mkdir -p "$(dirname -- "$page")"
    {
        cat <<MD
# Benchmarks

Measured figures, each with the command, machine and date that produced it. Rerun the
command to replace them. Numbers from another machine are not comparable.

\`bench/run.sh\` produced this ${PAGE_SCOPE:-whole page} at commit $COMMIT_DESCRIPTION, with
\`BENCH_RATES="${RATES[*]}" BENCH_LITELLM_RATES="${LITELLM_RATES[*]}" BENCH_DURATION=$DURATION
BENCH_WARMUP=$WARMUP\`. Gatling's reports: $REPORT_LIST.

## Machine

| | |
|---|---|
| Cores (\`nproc\`) | $(nproc) |
| CPU | $cpu_model |
| Memory | $memory |
| Kernel | $(uname -r) |
| Java | $java_version |
| OPA | $(opa_version) |
| Load generator | Gatling $(sed -n 's:.*<gatling.version>\(.*\)</gatling.version>.*:\1:p' "$HARNESS_POM"), in its own JVM (-Xmx1g) |
| LiteLLM | $("$PORTCULLIS_HOME/bench/litellm.sh" version) from PyPI (\`litellm[proxy]\`), Python $(python3 -c 'import platform; print(platform.python_version())') |

The load generator, both gateways, both OPA servers, LiteLLM, the upstream simulator,
PostgreSQL, Kafka and Keycloak all ran on these cores at the same time. Other work shared the
machine as well: the load average (1, 5, 15 min) was $LOAD_AT_START when the load
started and $LOAD_AT_END when it ended, on $(nproc) cores, and the busiest processes in the
second before the load were: $BUSIEST_AT_START. The figures include that contention.

## Goals

| Goal | Measured | Status |
|---|---|---|
| Full pipeline: added p99 under $GOAL_ADDED_P99_MS ms at the highest rate the machine sustains | $GOAL_ADDED_P99 | $GOAL_LATENCY_STATUS |
| At least ${GOAL_LITELLM_FACTOR}x LiteLLM's throughput in the same run | $GOAL_THROUGHPUT | $GOAL_THROUGHPUT_STATUS |

A rate counts as sustained when at most $SUSTAINED_MAX_FAILED_PERCENT % of its requests
failed and their p99 stayed at or under $SLO_P99_MS ms, and the same held at every lower
rate. Throughput is the highest rate sustained, non-streamed.

## Load at fixed arrival rates

Produced by \`bench/run.sh\` on $LOAD_DATE.

### What runs

- **Upstream**: the upstream simulator from the test classes
  (\`io.portcullis.simulator.UpstreamSimulator\`) in its own JVM ($SIMULATOR_HEAP). It
  replays a recorded response at once, non-streamed as one \`chat.completion\` JSON object
  of $PLAIN_BYTES bytes and streamed as $STREAM_EVENTS SSE events of $STREAM_BYTES bytes
  in all, so the figures show the cost of what sits in front of it and none of a model's.
- **Simulator, direct**: the requests go to the simulator itself, without a token.
- **Portcullis, full pipeline**: \`java $GATEWAY_HEAP -jar target/quarkus-app/quarkus-run.jar\`
  with text logs and the default configuration, whose upstream \`local\` (the model
  \`$MODEL\`) points at the simulator, and the database \`$BENCH_DATABASE\`, emptied
  before the run. On a token's first request it checks the token in full: screen,
  signature against Keycloak's cached JWKS, claims, then Quarkus OIDC. Later requests with
  the same token use that remembered verification. For each request it then maps the
  identity, parses and inspects the request with the entity detectors, routes it, binds a new session in
  PostgreSQL, asks its OPA, applies the decision, pseudonymizes the e-mail address in the
  prompt with pseudonyms stored in PostgreSQL (the smoke request checks that the simulator
  received \`<EMAIL_ADDRESS_1>\`), records the request and the decision in the session's
  hash chain and waits until that record is durable, forwards the request, relays the
  response with the response masking that the policy requests, and records the outcome.
  Its outbox relay publishes every event to the topic \`$BENCH_TOPIC\` of the Kafka broker
  at $PORTCULLIS_KAFKA_BOOTSTRAP in transactions. During the load it recorded
  $SESSIONS_RECORDED sessions with $EVENTS_RECORDED events; $EVENTS_UNPUBLISHED of them were
  still waiting for Kafka 30 s after the load at most.
- **OPA of the full pipeline**: \`opa run --server\` with the policies and data of
  \`opa-policies/\` and $POLICY_OPA_FLAGS, the logging flags of the sidecar in
  \`kubernetes/base/deployment.yaml\`, and no decision logs, as that sidecar runs. The
  gateway's own recording is the record of every decision.
- **Portcullis, like LiteLLM**: a second gateway of the same build and configuration,
  with the database \`$LITE_DATABASE\`, whose policy service is an OPA of its own with
  \`bench/allow-all/\`: every request is allowed with no masking, constraints or
  approval, and OPA logs no decisions. Token checks, inspection, the session binding in
  PostgreSQL, the OPA query and the recording of each request in PostgreSQL still run (the
  gateway cannot switch recording off), but its Kafka relay is off
  (\`portcullis.recording.kafka.enabled=false\`). It recorded $LITE_EVENTS_RECORDED events.
- **LiteLLM proxy**: \`bench/litellm.sh\` runs \`litellm --run_gunicorn --num_workers 2\`
  with one model on the simulator, the master key as the only key (virtual keys need a
  database, and there is none), no callbacks, spend logs or message logging, the bundled
  cost map (\`LITELLM_LOCAL_MODEL_COST_MAP=True\`), telemetry off and an HTTP proxy on an
  unused loopback port for anything but 127.0.0.1. Sockets of LiteLLM to a peer outside
  127.0.0.0/8 seen during the load, sampled every 2 s: $outbound.
- **Requests**: \`POST /v1/chat/completions\` for \`$MODEL\` with one user message,
  \`$PROMPT\`, non-streamed, then the same with \`"stream": true\`. The gateways get the
  bearer tokens of build-agent (client credentials), alice and bob (password grant), in
  turn, which the harness renews in the background 30 s before they expire
  (renewals during the run: ${TOKEN_RENEWALS:-0}). No \`X-Session-Id\` is sent, so every
  request starts a session.
- **Load**: open loop with the Gatling harness of \`bench/gatling/\` over one shared pool
  of HTTP/1.1 keep-alive connections. Each second a fixed number of requests start,
  whether or not earlier ones have ended, so queueing shows in the latency. For each mode
  and target there is first a warm-up of $WARMUP s at the lowest rate, whose figures are
  dropped; then each rate runs $DURATION s per target, the targets taking turns, and each
  step starts when every request of the previous one has ended. The simulator and both
  gateways share one Gatling run. LiteLLM has a run of its own afterwards, because it
  keeps working through requests that timed out at the client, which slowed down the
  target after it when they shared a run. A request fails on a
  status other than 200, a body without \`finish_reason\` or a stream without
  \`data: [DONE]\`, or after $REQUEST_TIMEOUT s.
- **Resolution**: Gatling records times in whole milliseconds, so every latency and every
  added latency below is a whole number of milliseconds, and an added p99 "under 1 ms"
  shows as 0 or less.

"Added" is a target's percentile minus the direct run's percentile at the same rate. A
negative value means that the direct run had the higher percentile in that pair of steps.

### Non-streamed chat completions

MD
        plain_table
        cat <<MD

### Streamed chat completions

"First event" is the time from sending the request until the first SSE event with a
\`chat.completion.chunk\` arrived (the sum of Gatling's time to the response headers and
from there to that event), the closest this harness comes to the time to first token.
"Whole stream" runs until \`data: [DONE]\`.

MD
        stream_table
        cat <<MD

### Highest rate sustained

MD
        sustained_table
        cat <<MD

### Gateway memory and CPU

RSS is \`VmRSS\` from \`/proc/<pid>/status\` of the gateway JVM with $GATEWAY_HEAP, sampled
every second during the load run. CPU is the user and system time of the whole process
during the load run (JIT compiler and garbage collector included), divided by the requests
it received, warm-up included.

| Gateway | Idle RSS, MiB | Median RSS under load, MiB | Max RSS under load, MiB | Peak RSS (\`VmHWM\`), MiB | CPU ms/request |
|---|---:|---:|---:|---:|---:|
| Full pipeline | $((IDLE_RSS_KIB / 1024)) | $rss_full_median | $rss_full_max | $((PEAK_RSS_KIB / 1024)) | $(cpu_per_request "$GATEWAY_TICKS" "$(requests_of portcullis)") |
| Like LiteLLM | $((LITE_IDLE_RSS_KIB / 1024)) | $rss_lite_median | $rss_lite_max | $((LITE_PEAK_RSS_KIB / 1024)) | $(cpu_per_request "$LITE_TICKS" "$(requests_of portcullis-lite)") |

Idle is after the readiness probe and the smoke requests, before the load.

### Failed requests

Warnings and errors on the request path in the gateways' logs during the whole run. A
policy decision that times out (after 200 ms, the default) rejects its request with 503
\`policy_unavailable\`.

Full pipeline (\`target/bench/gateway-full.log\`):

MD
        gateway_problems_table "$WORK_DIR/gateway-full.log"
        cat <<MD

Like LiteLLM (\`target/bench/gateway-lite.log\`):

MD
        gateway_problems_table "$WORK_DIR/gateway-lite.log"
        cat <<MD

For scale, the session binding's statement alone, run by pgbench with one client for 5 s
against the same PostgreSQL before the load, took $SESSION_INSERT.

## Policy round trip

Produced by \`bench/run.sh\` on $POLICY_DATE. The project's goal is a p99 under 0.5 ms at
a few hundred decisions per second on this machine.

- **OPA**: an OPA started as the full pipeline's is, with the policies and data of
  \`opa-policies/\` and $POLICY_OPA_FLAGS, without decision logs, at $POLICY_OPA_URL, over
  TCP on loopback.
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

MD
        policy_table
        cat <<MD

OPA's own timers (query parameter \`metrics=true\`) for alice's chat input, median of
$OPA_PROBE_QUERIES sequential decisions before any load: policy evaluation
(\`timer_rego_query_eval_ns\`) $OPA_EVAL_MS ms, whole HTTP handler
(\`timer_server_handler_ns\`) $OPA_HANDLER_MS ms.

Over a Unix domain socket: not measured. Vert.x 4.5 connects to domain sockets only through
a native transport, and the classpath has no \`netty-transport-native-epoll\`, only
\`netty-transport-native-unix-common\`. \`OpaClient\` also accepts only \`http\` and
\`https\` URLs with a host.
MD
        if [[ -n ${DETECTION_OUTPUT:-} ]]; then
            echo
            cat "$DETECTION_OUTPUT"
        fi
    } >"$page"
}

main() {
    validate_settings
    COMMIT_DESCRIPTION=$(describe_commit)
    ensure_services
    build
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_policy_opa
    probe_opa_timers
    start_simulator
    start_lite_opa
    start_gateways
    start_litellm
    smoke_requests
    IDLE_RSS_KIB=$(proc_status_kib "$GATEWAY_PID" VmRSS)
    LITE_IDLE_RSS_KIB=$(proc_status_kib "$LITE_GATEWAY_PID" VmRSS)
    probe_session_insert

    run_load
    PEAK_RSS_KIB=$(proc_status_kib "$GATEWAY_PID" VmHWM)
    LITE_PEAK_RSS_KIB=$(proc_status_kib "$LITE_GATEWAY_PID" VmHWM)
    if [[ -s $WORK_DIR/litellm-outbound.txt ]]; then
        die "LiteLLM had sockets to peers outside 127.0.0.0/8 during the load; see $WORK_DIR/litellm-outbound.txt"
    fi
    evaluate_goals
    # Last, because a rate above what OPA can serve leaves OPA a backlog of queries whose
    # clients have given up, which would slow down whatever runs next.
    recording_counts
    cleanup
    start_policy_opa
    run_policy_benchmark
    cleanup
    trap - EXIT
    detection_section

    write_page "$OUTPUT"
    log "wrote $OUTPUT"
}

main "$@"
