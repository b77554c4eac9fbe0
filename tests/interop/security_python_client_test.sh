#!/usr/bin/env bash
# Runs the Python security interop test with Debian's python3 (python3-grpcio)
# and openssl.
exec /usr/bin/python3 tests/interop/security_python_client_test.py "$@"
