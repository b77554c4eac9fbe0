#!/usr/bin/env bash
# Runs the manifests' test with Debian's python3 (python3-yaml) and kubectl.
exec /usr/bin/python3 tests/deploy/k8s_test.py "$@"
