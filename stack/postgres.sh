#!/usr/bin/env bash
# Runs Debian's PostgreSQL server on 127.0.0.1:$PORTCULLIS_POSTGRES_PORT with the role
# and database "portcullis" (password "portcullis").
#
#   stack/postgres.sh start|stop|status|restart|install|psql [args]
#
# PostgreSQL refuses to run as root, so when this script runs as root, initdb, pg_ctl
# and psql run as the "postgres" OS user, which must own the data folder.
set -euo pipefail
SERVICE=postgres
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT=${PORTCULLIS_POSTGRES_START_TIMEOUT:-60}
PG_DATA=$DATA_DIR
PG_SOCKET_DIR=$STACK_DIR/run/postgres

# Prints the bin folder of the newest installed server, such as /usr/lib/postgresql/15/bin.
pg_bin_dir() {
    local postgres
    postgres=$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n 1)
    [[ -n $postgres ]] || return 1
    dirname -- "$postgres"
}

# Runs a PostgreSQL program as the server's OS user.
as_pg_user() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

do_install() {
    if PG_BIN=$(pg_bin_dir); then
        say "PostgreSQL server found in $PG_BIN"
        return 0
    fi
    ((EUID == 0)) || die "PostgreSQL server is not installed and installing it needs root: apt-get install postgresql"
    local start=$SECONDS
    say "installing Debian's postgresql package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(pg_bin_dir) || die "apt-get installed postgresql but /usr/lib/postgresql/*/bin/postgres is missing"
    say "PostgreSQL install took $((SECONDS - start)) s"
}

# Moves data and socket under /var/lib/postgresql when the postgres user cannot reach
# .stack, as happens for a clone inside /root (mode 700).
choose_dirs() {
    ((EUID == 0)) || return 0
    mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
    chown postgres: "$PG_DATA" "$PG_SOCKET_DIR"
    chmod 700 "$PG_DATA"
    if runuser -u postgres -- test -w "$PG_DATA" -a -w "$PG_SOCKET_DIR"; then
        return 0
    fi
    local root
    root=/var/lib/postgresql/portcullis-$(printf '%s' "$PORTCULLIS_HOME" | md5sum | cut -c1-12)
    say "user postgres cannot write to $PG_DATA, using $root instead"
    PG_DATA=$root/data
    PG_SOCKET_DIR=$root/run
    mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
    chown -R postgres: "$root"
    chmod 700 "$PG_DATA"
}

healthy() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORTCULLIS_POSTGRES_PORT" -t 2
}

server_running() {
    as_pg_user "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

init_cluster() {
    [[ -s $PG_DATA/PG_VERSION ]] && return 0
    say "initdb $PG_DATA"
    local pwfile
    pwfile=$(mktemp)
    # The superuser "postgres" logs in over the socket by peer auth; this password
    # file only satisfies initdb for the TCP (scram) rule.
    printf 'postgres\n' >"$pwfile"
    chmod 644 "$pwfile"
    as_pg_user "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
        --encoding=UTF8 --no-locale --auth-local=peer --auth-host=scram-sha-256 >>"$LOG_FILE" 2>&1 ||
        {
            rm -f "$pwfile"
            show_log_tail
            die "initdb failed"
        }
    rm -f "$pwfile"
}

psql_admin() {
    as_pg_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PORTCULLIS_POSTGRES_PORT" -U postgres "$@"
}

create_role_and_database() {
    psql_admin -d postgres <<'SQL'
SELECT 'CREATE ROLE portcullis LOGIN PASSWORD ''portcullis'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portcullis')\gexec
SELECT 'CREATE DATABASE portcullis OWNER portcullis'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'portcullis')\gexec
SELECT 'CREATE DATABASE portcullis_bench OWNER portcullis'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'portcullis_bench')\gexec
SELECT 'CREATE DATABASE portcullis_bench_lite OWNER portcullis'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'portcullis_bench_lite')\gexec
SQL
    say "role 'portcullis' and its databases exist: 'portcullis', and 'portcullis_bench' and 'portcullis_bench_lite' for bench/run.sh"
}

do_start() {
    do_install
    choose_dirs
    if server_running; then
        if healthy; then
            say "already running on 127.0.0.1:$PORTCULLIS_POSTGRES_PORT"
            create_role_and_database
            return 0
        fi
    else
        require_free_port "$PORTCULLIS_POSTGRES_PORT"
        init_cluster
        say "starting on 127.0.0.1:$PORTCULLIS_POSTGRES_PORT (data: $PG_DATA, log: $LOG_FILE)"
        printf '\n=== %s: starting %s\n' "$(date -Is)" "$SERVICE" >>"$LOG_FILE"
        # Without -l the server writes to pg_ctl's output, which root opened on the log.
        if ! as_pg_user "$PG_BIN/pg_ctl" start -D "$PG_DATA" -w -t "$START_TIMEOUT" \
            -o "-c listen_addresses=127.0.0.1 -p $PORTCULLIS_POSTGRES_PORT -k '$PG_SOCKET_DIR'" \
            >>"$LOG_FILE" 2>&1; then
            show_log_tail
            die "pg_ctl start failed"
        fi
    fi
    if ! wait_until "$START_TIMEOUT" healthy; then
        show_log_tail
        die "pg_isready still failed on 127.0.0.1:$PORTCULLIS_POSTGRES_PORT after $START_TIMEOUT s"
    fi
    create_role_and_database
    say "ready at $PORTCULLIS_DB_JDBC_URL (user portcullis, password portcullis)"
}

postmaster_pid() {
    [[ -s $PG_DATA/postmaster.pid ]] && head -n 1 "$PG_DATA/postmaster.pid"
}

do_stop() {
    PG_BIN=$(pg_bin_dir) || {
        say "not installed, so not running"
        return 0
    }
    choose_dirs
    if ! server_running; then
        say "not running"
        return 0
    fi
    say "stopping (pid $(postmaster_pid))"
    as_pg_user "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 >>"$LOG_FILE" 2>&1
    say "stopped"
}

do_status() {
    PG_BIN=$(pg_bin_dir) || {
        say "not installed"
        return 3
    }
    choose_dirs
    if ! server_running; then
        say "stopped"
        return 3
    fi
    local pid
    pid=$(postmaster_pid)
    if healthy; then
        say "running, pid $pid, RSS $(rss_mib "$pid") MiB, $PORTCULLIS_DB_JDBC_URL"
    else
        say "pid $pid is running but pg_isready failed"
        return 1
    fi
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
    psql)
        shift
        PGPASSWORD=portcullis exec psql -h 127.0.0.1 -p "$PORTCULLIS_POSTGRES_PORT" -U portcullis -d portcullis "$@"
        ;;
    *)
        echo "usage: $0 start|stop|status|restart|install|psql [psql args]" >&2
        exit 2
        ;;
esac
