# shellcheck shell=bash
# Helpers shared by the service scripts in stack/. Source it after setting SERVICE to
# the service's name, which names its log, pid file and data folder.
#
# Every service script's "status" exits 0 when the service is healthy, 1 when its
# process runs but fails the health check, and 3 when it is stopped (the LSB codes).

# shellcheck source=stack/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"

: "${SERVICE:?set SERVICE before sourcing lib.sh}"
LOG_FILE=$STACK_DIR/logs/$SERVICE.log
PID_FILE=$STACK_DIR/run/$SERVICE.pid
# shellcheck disable=SC2034 # read by the scripts that source this file
DATA_DIR=$STACK_DIR/data/$SERVICE
mkdir -p "$STACK_DIR/logs" "$STACK_DIR/run" "$STACK_DIR/data" "$PORTCULLIS_CACHE"

say() {
    printf '[%s] %s\n' "$SERVICE" "$*"
}

die() {
    printf '[%s] ERROR: %s\n' "$SERVICE" "$*" >&2
    exit 1
}

# Prints the last lines of the service's log to stderr, for a failed start.
show_log_tail() {
    local lines=40
    if [[ -s $LOG_FILE ]]; then
        printf '[%s] last %s lines of %s:\n' "$SERVICE" "$lines" "$LOG_FILE" >&2
        tail -n "$lines" "$LOG_FILE" >&2
    else
        printf '[%s] %s is empty or missing\n' "$SERVICE" "$LOG_FILE" >&2
    fi
}

# Prints the pid recorded in the pid file if that process is alive.
running_pid() {
    local pid
    [[ -s $PID_FILE ]] || return 1
    pid=$(<"$PID_FILE")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Fails unless 127.0.0.1:$1 is free, because another program listening there would
# respond to the health checks in place of the service.
require_free_port() {
    if port_open "$1"; then
        die "port 127.0.0.1:$1 is already in use by another process; stop it or choose another port in stack/env.sh"
    fi
}

# Succeeds when GET $1 returns a 2xx status within 3 s.
http_ok() {
    curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null
}

# Runs "$@" every second until it succeeds, for at most $1 seconds. Fails early when
# the process in the pid file has exited.
wait_until() {
    local timeout=$1 start=$SECONDS
    shift
    until "$@"; do
        if ((SECONDS - start >= timeout)); then
            say "not healthy after ${timeout} s"
            return 1
        fi
        if [[ -s $PID_FILE ]] && ! running_pid >/dev/null; then
            say "process $(<"$PID_FILE") exited during start"
            return 1
        fi
        sleep 1
    done
    say "healthy after $((SECONDS - start)) s"
}

# Starts "$@" in the background in its own session, appending its output to the log,
# and records its pid.
start_daemon() {
    {
        printf '\n=== %s: starting %s\n' "$(date -Is)" "$SERVICE"
    } >>"$LOG_FILE"
    setsid nohup "$@" >>"$LOG_FILE" 2>&1 </dev/null &
    printf '%s\n' "$!" >"$PID_FILE"
    say "started pid $! (log: $LOG_FILE)"
}

# Sends SIGTERM to pid $1, waits up to $2 seconds, then sends SIGKILL.
terminate_pid() {
    local pid=$1 timeout=${2:-20} start=$SECONDS
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS - start >= timeout)); then
            say "pid $pid still running after ${timeout} s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
}

# Stops the process in the pid file. A missing or stale pid file is not an error.
stop_daemon() {
    local pid
    if ! pid=$(running_pid); then
        say "not running"
        rm -f "$PID_FILE"
        return 0
    fi
    say "stopping pid $pid"
    terminate_pid "$pid" "${1:-20}"
    rm -f "$PID_FILE"
    say "stopped"
}

# Prints the resident memory of pid $1 and its children, in MiB.
rss_mib() {
    local pids kib
    pids=$(pgrep -d, -P "$1" || true)
    pids=${pids:+$pids,}$1
    kib=$(ps -o rss= -p "$pids" | awk '{sum += $1} END {print sum + 0}')
    printf '%s\n' "$((kib / 1024))"
}

# Reports the service's state for a status command. $1 is the address shown when healthy,
# $2 names the check that fails when the process runs but is not healthy. Calls the
# service's own running_pid and healthy. Returns 0 when healthy, 1 when running but
# unhealthy, 3 when stopped.
report_status() {
    local pid
    if ! pid=$(running_pid); then
        say "stopped"
        return 3
    fi
    if healthy; then
        say "running, pid $pid, RSS $(rss_mib "$pid") MiB, $1"
    else
        say "pid $pid is running but $2 fails"
        return 1
    fi
}
