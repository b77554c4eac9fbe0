#!/usr/bin/env bash
# Runs the metrics test with Debian's python3, promtool and prometheus.
exec /usr/bin/python3 tests/metrics/metrics_test.py "$@"
