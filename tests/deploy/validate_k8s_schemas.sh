#!/usr/bin/env bash
# Validates every object that deploy/k8s renders to (the base, each overlay,
# the rebalance Job) against the Kubernetes OpenAPI schemas, with npm's
# kubernetes-models installed from tests/deploy/schema/package-lock.json
# into $HOME/.cache/news-archive/k8s-schema (npm ci: exactly the locked
# versions, their hashes checked). Run by tests/run.sh outside Bazel, as the
# fuzzers are: it needs the npm registry the first time.
# Prints "k8s schemas passed" or "k8s schemas failed: WHY".
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work="$HOME/.cache/news-archive/k8s-schema"

fail() { echo "k8s schemas failed: $1"; exit 1; }
command -v kubectl >/dev/null || fail "no kubectl (deploy/install_deps.sh installs it)"
command -v npm >/dev/null || fail "no npm"

mkdir -p "$work"
if ! cmp -s tests/deploy/schema/package-lock.json "$work/package-lock.json" ||
   [ ! -d "$work/node_modules" ]; then
  cp tests/deploy/schema/package.json tests/deploy/schema/package-lock.json "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm ci of tests/deploy/schema/package-lock.json"
fi
cp tests/deploy/schema/validate.mjs "$work/"

status=0
for dir in deploy/k8s/base deploy/k8s/overlays/* deploy/k8s/rebalance; do
  rendered=$(kubectl kustomize "$dir" 2>/dev/null) || fail "kubectl kustomize $dir"
  echo "$dir:"
  printf '%s\n' "$rendered" |
    /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))' |
    (cd "$work" && node validate.mjs) || status=1
done
[ "$status" -eq 0 ] || fail "see the objects above"
echo "k8s schemas passed"
