#!/usr/bin/env bash
# Installs what the browser tests of the approver page need: Debian's chromium and the npm
# package playwright-core, which drives it. Nothing runs as a service.
#
#   stack/browser.sh install|status
#
# playwright-core goes to $PORTCULLIS_CACHE/playwright/node_modules; the tests find it there
# (or through PORTCULLIS_PLAYWRIGHT_DIR) and start chromium from PORTCULLIS_CHROMIUM
# (default /usr/bin/chromium).
set -euo pipefail
SERVICE=browser
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

PLAYWRIGHT_VERSION=1.65.2
PLAYWRIGHT_DIR=${PORTCULLIS_PLAYWRIGHT_DIR:-$PORTCULLIS_CACHE/playwright}
CHROMIUM=${PORTCULLIS_CHROMIUM:-/usr/bin/chromium}

installed_version() {
    local manifest=$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json
    [[ -f $manifest ]] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

do_install() {
    if [[ -x $CHROMIUM ]]; then
        say "chromium found at $CHROMIUM"
    else
        command -v apt-get >/dev/null || die "chromium is missing at $CHROMIUM and apt-get is not available; install chromium and set PORTCULLIS_CHROMIUM"
        say "installing chromium with apt-get"
        local sudo=()
        [[ $(id -u) -eq 0 ]] || sudo=(sudo)
        "${sudo[@]}" apt-get install -y --no-install-recommends chromium >/dev/null
    fi
    if [[ $(installed_version) == "$PLAYWRIGHT_VERSION" ]]; then
        say "playwright-core $PLAYWRIGHT_VERSION found in $PLAYWRIGHT_DIR"
        return 0
    fi
    command -v npm >/dev/null || die "npm is missing; install Node.js 18 or later (Debian: apt-get install npm)"
    mkdir -p "$PLAYWRIGHT_DIR"
    say "installing playwright-core $PLAYWRIGHT_VERSION into $PLAYWRIGHT_DIR"
    # playwright-core downloads no browser; the tests use Debian's chromium.
    npm install --prefix "$PLAYWRIGHT_DIR" --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
}

do_status() {
    [[ -x $CHROMIUM ]] && say "chromium: $CHROMIUM" || say "chromium: missing"
    say "playwright-core: $(installed_version || true) in $PLAYWRIGHT_DIR"
}

case ${1:-} in
    install) do_install ;;
    status) do_status ;;
    *) die "usage: stack/browser.sh install|status" ;;
esac
