#!/usr/bin/env bash
# Runs the Python interop test with Debian's python3 (python3-grpcio).
exec /usr/bin/python3 tests/interop/store_python_client_test.py "$@"
