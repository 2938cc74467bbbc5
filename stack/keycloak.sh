#!/usr/bin/env bash
# Runs Keycloak in development mode on 127.0.0.1:$PORTCULLIS_KEYCLOAK_PORT with the
# realm "portcullis" imported from stack/keycloak/portcullis-realm.json.
#
#   stack/keycloak.sh start|stop|status|restart|install|token USER|client-token CLIENT SECRET
#
# install fetches org.keycloak:keycloak-quarkus-dist from Maven Central and unzips it
# into $PORTCULLIS_CACHE once. Every start deletes the H2 database in
# .stack/data/keycloak, so the realm always matches the JSON file. The admin console
# user is admin/admin, for local use only.
set -euo pipefail
SERVICE=keycloak
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

DIST=$PORTCULLIS_CACHE/keycloak-$PORTCULLIS_KEYCLOAK_VERSION
REALM_FILE=$PORTCULLIS_HOME/stack/keycloak/portcullis-realm.json
BASE_URL=http://127.0.0.1:$PORTCULLIS_KEYCLOAK_PORT
DISCOVERY_URL=$PORTCULLIS_OIDC_ISSUER/.well-known/openid-configuration
TOKEN_URL=$PORTCULLIS_OIDC_ISSUER/protocol/openid-connect/token
START_TIMEOUT=${PORTCULLIS_KEYCLOAK_START_TIMEOUT:-180}

do_install() {
    if [[ -f $DIST/.complete ]]; then
        say "Keycloak $PORTCULLIS_KEYCLOAK_VERSION found in $DIST"
        return 0
    fi
    local start=$SECONDS downloads=$PORTCULLIS_CACHE/downloads staging
    local zip=$downloads/keycloak-quarkus-dist-$PORTCULLIS_KEYCLOAK_VERSION.zip
    if [[ ! -s $zip ]]; then
        say "downloading org.keycloak:keycloak-quarkus-dist:$PORTCULLIS_KEYCLOAK_VERSION:zip from Maven Central (about 165 MB)"
        # The Kafka pom pins maven-dependency-plugin and keeps this download
        # independent of the gateway's own pom.
        "$PORTCULLIS_HOME/mvnw" -q -B -f "$PORTCULLIS_HOME/stack/kafka/pom.xml" dependency:copy \
            -Dartifact="org.keycloak:keycloak-quarkus-dist:$PORTCULLIS_KEYCLOAK_VERSION:zip" \
            -DoutputDirectory="$downloads" ||
            die "mvnw dependency:copy of keycloak-quarkus-dist $PORTCULLIS_KEYCLOAK_VERSION failed"
    fi
    say "unzipping into $DIST"
    staging=$(mktemp -d "$PORTCULLIS_CACHE/keycloak.XXXXXX")
    unzip -q "$zip" -d "$staging"
    rm -rf "$DIST"
    mv "$staging/keycloak-$PORTCULLIS_KEYCLOAK_VERSION" "$DIST"
    rmdir "$staging"
    # Maven's local repository keeps a copy of the zip.
    rm -f "$zip"
    touch "$DIST/.complete"
    say "Keycloak install took $((SECONDS - start)) s"
}

healthy() {
    http_ok "$DISCOVERY_URL"
}

do_start() {
    local pid
    if pid=$(running_pid); then
        if healthy; then
            say "already running (pid $pid) at $BASE_URL"
            return 0
        fi
        say "pid $pid is running but not healthy yet, waiting"
    else
        require_free_port "$PORTCULLIS_KEYCLOAK_PORT"
        do_install
        # Keycloak skips a realm that already exists, so a fresh database is what
        # makes changes to the realm file take effect.
        rm -rf "$DATA_DIR/h2"
        mkdir -p "$DATA_DIR" "$DIST/data/import"
        cp "$REALM_FILE" "$DIST/data/import/portcullis-realm.json"
        export KC_BOOTSTRAP_ADMIN_USERNAME=${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}
        export KC_BOOTSTRAP_ADMIN_PASSWORD=${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}
        if ((PORTCULLIS_JAVA_MAJOR >= 24)); then
            # Without it, JBoss Threads in Keycloak 26.5.6 throws IllegalAccessError on
            # Java 24 and later (its thread-local reset needs java.lang opened).
            export JAVA_OPTS_APPEND="${JAVA_OPTS_APPEND:+$JAVA_OPTS_APPEND }--add-opens=java.base/java.lang=ALL-UNNAMED"
        fi
        say "starting on $BASE_URL (Java $PORTCULLIS_JAVA_MAJOR, database $DATA_DIR/h2)"
        # --hostname fixes the issuer to 127.0.0.1, whatever host name a client uses.
        start_daemon "$DIST/bin/kc.sh" start-dev \
            --http-host=127.0.0.1 --http-port="$PORTCULLIS_KEYCLOAK_PORT" \
            --hostname="$BASE_URL" \
            --db=dev-file --db-url="jdbc:h2:file:$DATA_DIR/h2/keycloakdb;NON_KEYWORDS=VALUE" \
            --import-realm
    fi
    if ! wait_until "$START_TIMEOUT" healthy; then
        show_log_tail
        die "GET $DISCOVERY_URL did not return 200 within $START_TIMEOUT s"
    fi
    say "ready: issuer $PORTCULLIS_OIDC_ISSUER, admin console $BASE_URL/admin (admin/admin)"
}

do_stop() {
    local pid child
    if ! pid=$(running_pid); then
        say "not running"
        rm -f "$PID_FILE"
        return 0
    fi
    # kc.sh runs java as a child, and relaunches it when java exits with status 10
    # after a rebuild, so the child goes first.
    for child in $(pgrep -P "$pid" || true); do
        say "stopping java pid $child"
        terminate_pid "$child" 30
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "stopping launcher pid $pid"
        terminate_pid "$pid" 10
    fi
    rm -f "$PID_FILE"
    say "stopped"
}

do_status() {
    report_status "issuer $PORTCULLIS_OIDC_ISSUER" "GET $DISCOVERY_URL"
}

# Prints an access token of user $1 (password = user name) from the portcullis-cli client.
password_token() {
    local user=${1:?usage: $0 token USER}
    curl -fsS --max-time 10 "$TOKEN_URL" -d grant_type=password -d client_id=portcullis-cli \
        --data-urlencode "username=$user" --data-urlencode "password=${2:-$user}" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# Prints an access token of confidential client $1 with secret $2 (client credentials grant).
client_token() {
    local client=${1:?usage: $0 client-token CLIENT SECRET} secret=${2:?usage: $0 client-token CLIENT SECRET}
    curl -fsS --max-time 10 "$TOKEN_URL" -d grant_type=client_credentials \
        --data-urlencode "client_id=$client" --data-urlencode "client_secret=$secret" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
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
    token) password_token "${@:2}" ;;
    client-token) client_token "${@:2}" ;;
    *)
        echo "usage: $0 start|stop|status|restart|install|token USER|client-token CLIENT SECRET" >&2
        exit 2
        ;;
esac
