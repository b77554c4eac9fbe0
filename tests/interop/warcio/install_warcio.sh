#!/usr/bin/env bash
# Installs warcio.js from tests/interop/warcio/package-lock.json into
# $HOME/.cache/news-archive/warcio (npm ci: exactly the locked versions,
# their hashes checked), for //tests/interop:warcio_export_test, which
# tests/run.sh points at it with --test_env=ARCHIVE_WARCIO_MODULES. Needs
# the npm registry the first time only.
# Prints the node_modules path, or "warcio install failed: WHY" and exits 1.
set -uo pipefail
cd "$(dirname "$0")"
work="$HOME/.cache/news-archive/warcio"

fail() { echo "warcio install failed: $1" >&2; exit 1; }
command -v npm >/dev/null || fail "no npm"
mkdir -p "$work"
if ! cmp -s package-lock.json "$work/package-lock.json" || [ ! -d "$work/node_modules/warcio" ]; then
  cp package.json package-lock.json "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
    fail "npm ci of tests/interop/warcio/package-lock.json"
fi
echo "$work/node_modules"
