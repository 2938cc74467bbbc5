#!/usr/bin/env bash
# Runs Open Policy Agent as a REST server on 127.0.0.1:$PORTCULLIS_OPA_PORT, serving
# the policies in opa-policies/ and reloading them when they change.
#
#   stack/opa.sh start|stop|status|restart|install|test
#
# install puts the opa binary in $PORTCULLIS_CACHE/bin, built from source with
# "go install" because the registries reachable here carry no OPA release binary.
# test checks the policies with "opa check --strict", runs their unit tests, and fails
# when the tests cover less than $MIN_COVERAGE % of the policy lines.
set -euo pipefail
SERVICE=opa
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

OPA_BIN=$PORTCULLIS_CACHE/bin/opa
POLICY_DIR=$PORTCULLIS_HOME/opa-policies
START_TIMEOUT=${PORTCULLIS_OPA_START_TIMEOUT:-30}
HEALTH_URL=$PORTCULLIS_OPA_URL/health
# Minimum line coverage of opa-policies/ in percent. The policies and their tests
# reach 100 with OPA 1.22.4.
MIN_COVERAGE=100
COVERAGE_REPORT=$STACK_DIR/logs/opa-coverage.json

# Prints the version that the opa binary at $1 reports, such as 1.22.4.
opa_version_of() {
    "$1" version 2>/dev/null | sed -n 's/^Version: //p'
}

do_install() {
    if [[ -x $OPA_BIN && $(opa_version_of "$OPA_BIN") == "$PORTCULLIS_OPA_VERSION" ]]; then
        say "OPA $PORTCULLIS_OPA_VERSION found at $OPA_BIN"
        return 0
    fi
    mkdir -p "$(dirname -- "$OPA_BIN")"
    local gopath_opa=""
    if command -v go >/dev/null; then
        gopath_opa=$(go env GOPATH)/bin/opa
    fi
    local candidate
    for candidate in "$gopath_opa" /root/go/bin/opa; do
        if [[ -n $candidate && -x $candidate && $(opa_version_of "$candidate") == "$PORTCULLIS_OPA_VERSION" ]]; then
            say "copying the OPA $PORTCULLIS_OPA_VERSION build found at $candidate to $OPA_BIN"
            cp "$candidate" "$OPA_BIN"
            return 0
        fi
    done
    command -v go >/dev/null || die "OPA is missing and building it needs Go 1.26 or later on PATH"
    local start=$SECONDS
    say "building OPA $PORTCULLIS_OPA_VERSION with 'go install' into $(dirname -- "$OPA_BIN") (takes minutes on a cold machine)"
    GOBIN=$(dirname -- "$OPA_BIN") go install "github.com/open-policy-agent/opa@v$PORTCULLIS_OPA_VERSION"
    [[ $(opa_version_of "$OPA_BIN") == "$PORTCULLIS_OPA_VERSION" ]] ||
        die "go install finished but $OPA_BIN does not report version $PORTCULLIS_OPA_VERSION"
    say "OPA build took $((SECONDS - start)) s"
}

healthy() {
    http_ok "$HEALTH_URL"
}

do_start() {
    local pid
    if pid=$(running_pid); then
        if healthy; then
            say "already running (pid $pid) at $PORTCULLIS_OPA_URL"
            return 0
        fi
        say "pid $pid is running but not healthy yet, waiting"
    else
        require_free_port "$PORTCULLIS_OPA_PORT"
        do_install
        say "starting server on 127.0.0.1:$PORTCULLIS_OPA_PORT with policies from $POLICY_DIR"
        # --skip-version-check: no request to GitHub at startup.
        # decision_logs.console: OPA logs each decision and returns its decision_id,
        # which the gateway passes on in X-Portcullis-Decision-Id.
        start_daemon "$OPA_BIN" run --server --addr "127.0.0.1:$PORTCULLIS_OPA_PORT" \
            --watch --skip-version-check --log-format text --log-level info \
            --set decision_logs.console=true \
            "$POLICY_DIR"
    fi
    if ! wait_until "$START_TIMEOUT" healthy; then
        show_log_tail
        die "GET $HEALTH_URL did not return 200 within $START_TIMEOUT s"
    fi
    say "ready at $PORTCULLIS_OPA_URL (decision: POST $PORTCULLIS_OPA_URL/v1/data/portcullis/decision)"
}

do_stop() {
    stop_daemon 10
}

do_status() {
    report_status "$PORTCULLIS_OPA_URL" "GET $HEALTH_URL"
}

do_test() {
    do_install
    say "opa check --strict $POLICY_DIR"
    "$OPA_BIN" check --strict "$POLICY_DIR"
    say "opa test --coverage $POLICY_DIR > $COVERAGE_REPORT"
    # When a test fails, OPA writes the failures in place of the JSON report.
    if ! "$OPA_BIN" test --coverage --format json "$POLICY_DIR" >"$COVERAGE_REPORT"; then
        cat "$COVERAGE_REPORT" >&2
        die "policy tests failed"
    fi
    say "coverage: $("$OPA_BIN" eval --stdin-input --format raw 'input.coverage' <"$COVERAGE_REPORT") %"
    # With --fail, opa eval exits 1 when the comparison is false. The assignment is
    # needed, because a query of one comparison returns false instead of failing.
    if ! "$OPA_BIN" eval --stdin-input --fail --format raw \
        "coverage := input.coverage; coverage >= $MIN_COVERAGE" <"$COVERAGE_REPORT" >/dev/null; then
        say "lines not covered:"
        "$OPA_BIN" eval --stdin-input --format pretty \
            '{file: result.not_covered | some file, result in input.files; result.not_covered}' \
            <"$COVERAGE_REPORT"
        die "policy test coverage is below $MIN_COVERAGE %"
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
    test) do_test ;;
    *)
        echo "usage: $0 start|stop|status|restart|install|test" >&2
        exit 2
        ;;
esac
