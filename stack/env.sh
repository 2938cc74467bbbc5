# shellcheck shell=bash
# Environment of the local Portcullis stack. Source it from bash:
#
#   source stack/env.sh
#
# It picks a JDK of version 21 or later, sets the repository, state and cache folders,
# and the loopback ports of every service. Any variable already set in the caller's
# environment wins over the default below. The file sets no shell options, so it is
# safe to source from an interactive shell.

# Prints the major Java version of the JDK at $1, or nothing if it has no bin/java.
portcullis_java_major() {
    local home=$1 version
    [[ -x $home/bin/java ]] || return 0
    if [[ -f $home/release ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [[ -z ${version:-} ]]; then
        version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.specification\.version = //p')
    fi
    # "1.8.0_392" is Java 8, "21.0.5" is Java 21.
    version=${version#1.}
    printf '%s\n' "${version%%[.+-]*}"
}

# Prints the first JDK of version 21 or later: $JAVA_HOME, Temurin 25, then any /usr/lib/jvm/*.
portcullis_find_jdk() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [[ -n $candidate && -d $candidate ]] || continue
        major=$(portcullis_java_major "$candidate")
        if [[ -n $major && $major -ge 21 ]]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

if ! PORTCULLIS_JAVA_HOME=$(portcullis_find_jdk); then
    echo "env.sh: no JDK 21 or later found in \$JAVA_HOME or /usr/lib/jvm; install one (for example Temurin 25) and set JAVA_HOME" >&2
    return 1
fi
export JAVA_HOME=$PORTCULLIS_JAVA_HOME
unset PORTCULLIS_JAVA_HOME
case ":$PATH:" in
    *":$JAVA_HOME/bin:"*) ;;
    *) export PATH="$JAVA_HOME/bin:$PATH" ;;
esac
PORTCULLIS_JAVA_MAJOR=$(portcullis_java_major "$JAVA_HOME")
export PORTCULLIS_JAVA_MAJOR

PORTCULLIS_HOME=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
export PORTCULLIS_HOME
# Per-clone state: data/<service>, logs/<service>.log and run/<service>.pid. Git ignores it.
export STACK_DIR=$PORTCULLIS_HOME/.stack
# Downloads and builds that outlive a clone: Keycloak, Kafka jars, OPA, the Python venv.
export PORTCULLIS_CACHE=${PORTCULLIS_CACHE:-$HOME/.cache/portcullis}

# Versions that the install steps fetch.
export PORTCULLIS_KEYCLOAK_VERSION=${PORTCULLIS_KEYCLOAK_VERSION:-26.5.6}
export PORTCULLIS_KAFKA_VERSION=${PORTCULLIS_KAFKA_VERSION:-4.1.2}
export PORTCULLIS_OPA_VERSION=${PORTCULLIS_OPA_VERSION:-1.22.4}
# 5.8.2 is the newest Kustomize that builds with Go 1.26; 5.8.3 requires Go 1.27.
export PORTCULLIS_KUSTOMIZE_VERSION=${PORTCULLIS_KUSTOMIZE_VERSION:-5.8.2}

# Loopback ports. Every service listens on 127.0.0.1 only.
export PORTCULLIS_KEYCLOAK_PORT=${PORTCULLIS_KEYCLOAK_PORT:-8180}
export PORTCULLIS_OPA_PORT=${PORTCULLIS_OPA_PORT:-8181}
export PORTCULLIS_POSTGRES_PORT=${PORTCULLIS_POSTGRES_PORT:-55432}
export PORTCULLIS_KAFKA_PORT=${PORTCULLIS_KAFKA_PORT:-9092}
export PORTCULLIS_KAFKA_CONTROLLER_PORT=${PORTCULLIS_KAFKA_CONTROLLER_PORT:-9093}
export PORTCULLIS_MODEL_PORT=${PORTCULLIS_MODEL_PORT:-8090}
export PORTCULLIS_GATEWAY_PORT=${PORTCULLIS_GATEWAY_PORT:-8080}

# Addresses derived from the ports, for the gateway, the tests and curl. The names
# match the placeholders in src/main/resources/application.properties.
export PORTCULLIS_OIDC_ISSUER=http://127.0.0.1:$PORTCULLIS_KEYCLOAK_PORT/realms/portcullis
export PORTCULLIS_OPA_URL=http://127.0.0.1:$PORTCULLIS_OPA_PORT
export PORTCULLIS_DB_JDBC_URL=jdbc:postgresql://127.0.0.1:$PORTCULLIS_POSTGRES_PORT/portcullis
export PORTCULLIS_DB_REACTIVE_URL=postgresql://127.0.0.1:$PORTCULLIS_POSTGRES_PORT/portcullis
export PORTCULLIS_DB_USER=portcullis
export PORTCULLIS_DB_PASSWORD=portcullis
export PORTCULLIS_KAFKA_BOOTSTRAP=127.0.0.1:$PORTCULLIS_KAFKA_PORT
export PORTCULLIS_LOCAL_MODEL_URL=http://127.0.0.1:$PORTCULLIS_MODEL_PORT/v1
export PORTCULLIS_MODEL_ALIAS=${PORTCULLIS_MODEL_ALIAS:-smollm2-135m-instruct}
export PORTCULLIS_GATEWAY_URL=http://127.0.0.1:$PORTCULLIS_GATEWAY_PORT
# The venv that stack/model.sh creates; tests that use the OpenAI Python SDK run it.
export PORTCULLIS_PYTHON=$PORTCULLIS_CACHE/venv/bin/python
