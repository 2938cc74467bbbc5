#!/usr/bin/env bash
# Installs Kustomize and renders the Kubernetes manifests of kubernetes/.
#
#   stack/kustomize.sh install|render
#
# install puts the kustomize binary in $PORTCULLIS_CACHE/bin, built from source with
# "go install" from the Go module proxy, and skips the build when the binary there already
# reports $PORTCULLIS_KUSTOMIZE_VERSION.
# render builds the base and every overlay under kubernetes/overlays into
# .stack/kubernetes/<name>.yaml, and fails on the first one that Kustomize rejects.
# KubernetesManifestsTest (./mvnw verify) renders them again and checks every object
# against the Kubernetes API types.
set -euo pipefail
SERVICE=kustomize
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

KUSTOMIZE_BIN=$PORTCULLIS_CACHE/bin/kustomize
MANIFEST_DIR=$PORTCULLIS_HOME/kubernetes
RENDER_DIR=$STACK_DIR/kubernetes

# Prints the version that the kustomize binary at $1 reports, such as 5.8.2.
kustomize_version_of() {
    "$1" version 2>/dev/null | sed -n 's/^v//p'
}

do_install() {
    if [[ -x $KUSTOMIZE_BIN && $(kustomize_version_of "$KUSTOMIZE_BIN") == "$PORTCULLIS_KUSTOMIZE_VERSION" ]]; then
        say "Kustomize $PORTCULLIS_KUSTOMIZE_VERSION found at $KUSTOMIZE_BIN"
        return 0
    fi
    command -v go >/dev/null || die "Kustomize is missing and building it needs Go 1.26 or later on PATH"
    mkdir -p "$(dirname -- "$KUSTOMIZE_BIN")"
    local start=$SECONDS
    say "building Kustomize $PORTCULLIS_KUSTOMIZE_VERSION with 'go install' into $(dirname -- "$KUSTOMIZE_BIN")"
    # GOTOOLCHAIN=local: fail instead of downloading another Go when a version needs a newer one.
    GOTOOLCHAIN=local GOBIN=$(dirname -- "$KUSTOMIZE_BIN") \
        go install "sigs.k8s.io/kustomize/kustomize/v5@v$PORTCULLIS_KUSTOMIZE_VERSION"
    [[ $(kustomize_version_of "$KUSTOMIZE_BIN") == "$PORTCULLIS_KUSTOMIZE_VERSION" ]] ||
        die "go install finished but $KUSTOMIZE_BIN does not report version $PORTCULLIS_KUSTOMIZE_VERSION"
    say "Kustomize build took $((SECONDS - start)) s"
}

do_render() {
    do_install
    mkdir -p "$RENDER_DIR"
    local dir name
    for dir in "$MANIFEST_DIR/base" "$MANIFEST_DIR"/overlays/*/; do
        dir=${dir%/}
        name=$(basename -- "$dir")
        "$KUSTOMIZE_BIN" build "$dir" >"$RENDER_DIR/$name.yaml" ||
            die "kustomize build ${dir#"$PORTCULLIS_HOME"/} failed"
        say "rendered ${dir#"$PORTCULLIS_HOME"/}: $(grep -c '^kind:' "$RENDER_DIR/$name.yaml") objects in $RENDER_DIR/$name.yaml"
    done
}

case ${1:-} in
    install) do_install ;;
    render) do_render ;;
    *)
        echo "usage: $0 install|render" >&2
        exit 2
        ;;
esac
