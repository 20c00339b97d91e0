#!/usr/bin/env bash
# npm run setup: install what the drill and the tests need, only when it is missing, saying what it runs.
# Debian/Ubuntu (apt-get) and macOS (brew); anywhere else it refuses with exit 2 and says what to install.
set -euo pipefail

say() { echo "setup: $*"; }
refuse() { echo "setup: $*" >&2; exit 2; }

redis_ok() {
  command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || return 1
  local v; v="$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')"
  [ -n "$v" ] && [ "$v" -ge 7 ]
}
chromium_ok() { [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else refuse "cannot run '$*': not root and no sudo. Run it as root, then 'npm run setup' again."; fi
}

apt_install() {
  say "running: apt-get update && apt-get install -y $*"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

os="$(uname -s)"
if redis_ok; then
  say "$(redis-server --version | cut -d' ' -f1-3) and redis-benchmark found: nothing to install"
elif [ "$os" = Linux ] && command -v apt-get >/dev/null; then
  say "redis-server 7+ or redis-benchmark missing: installing Debian's redis-server and redis-tools"
  apt_install redis-server redis-tools
  # Debian's package starts a system redis on 6379; the project never uses it.
  if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
    say "stopping the system redis-server service the package started (the project starts its own)"
    as_root systemctl stop redis-server || true
  fi
elif [ "$os" = Darwin ] && command -v brew >/dev/null; then
  say "redis-server 7+ missing: running brew install redis"
  brew install redis
else
  refuse "redis-server 7+ with redis-benchmark is missing, and there is no apt-get (Debian/Ubuntu) or brew (macOS) here to install it. Install Redis 7 or newer so that redis-server and redis-benchmark are on PATH, then run 'npm run setup' again."
fi
redis_ok || refuse "redis-server 7+ with redis-benchmark is still not on PATH after installing it"

# The report's browser test drives a real Chromium (never a downloaded one).
if chromium_ok; then
  say "chromium found at ${CHROMIUM_PATH:-/usr/bin/chromium}"
elif [ "$os" = Linux ] && command -v apt-get >/dev/null; then
  say "chromium missing (the report's browser test): installing Debian's chromium"
  apt_install chromium
elif [ "$os" = Darwin ]; then
  say "no Chromium at CHROMIUM_PATH: the report's browser test will be skipped (brew install --cask chromium, then set CHROMIUM_PATH)"
else
  say "no Chromium found: the report's browser test will be skipped (install chromium, or set CHROMIUM_PATH)"
fi
say "ready"
