#!/usr/bin/env bash
# Builds and runs the Portcullis gateway on 127.0.0.1:$PORTCULLIS_GATEWAY_PORT, with the
# addresses of the local stack from stack/env.sh.
#
#   stack/gateway.sh start|stop|status|restart|build
#
# start builds the gateway first only when target/quarkus-app/quarkus-run.jar is
# missing. Run build to pick up source changes, then restart.
set -euo pipefail
SERVICE=gateway
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

RUN_JAR=$PORTCULLIS_HOME/target/quarkus-app/quarkus-run.jar
READY_URL=$PORTCULLIS_GATEWAY_URL/q/health/ready
START_TIMEOUT=${PORTCULLIS_GATEWAY_START_TIMEOUT:-90}
HEAP=${PORTCULLIS_GATEWAY_HEAP:--Xmx512m}

do_build() {
    local start=$SECONDS
    say "building with ./mvnw -q -B package -DskipTests"
    (cd "$PORTCULLIS_HOME" && ./mvnw -q -B package -DskipTests) || die "the gateway build failed; see the Maven output above"
    say "build took $((SECONDS - start)) s"
}

healthy() {
    http_ok "$READY_URL"
}

do_start() {
    local pid
    if pid=$(running_pid); then
        if healthy; then
            say "already running (pid $pid) at $PORTCULLIS_GATEWAY_URL"
            return 0
        fi
        say "pid $pid is running but not ready yet, waiting"
    else
        require_free_port "$PORTCULLIS_GATEWAY_PORT"
        [[ -f $RUN_JAR ]] || do_build
        say "starting $RUN_JAR on 127.0.0.1:$PORTCULLIS_GATEWAY_PORT (heap $HEAP)"
        # application.properties reads the PORTCULLIS_* addresses that env.sh exports.
        export QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$PORTCULLIS_GATEWAY_PORT
        start_daemon java "$HEAP" -jar "$RUN_JAR"
    fi
    if ! wait_until "$START_TIMEOUT" healthy; then
        show_log_tail
        die "GET $READY_URL did not return 200 within $START_TIMEOUT s"
    fi
    say "ready at $PORTCULLIS_GATEWAY_URL"
}

do_stop() {
    stop_daemon 20
}

do_status() {
    report_status "$PORTCULLIS_GATEWAY_URL" "GET $READY_URL"
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    restart)
        do_stop
        do_start
        ;;
    build) do_build ;;
    *)
        echo "usage: $0 start|stop|status|restart|build" >&2
        exit 2
        ;;
esac
