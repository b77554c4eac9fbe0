#!/usr/bin/env bash
# Runs the image recipe's test with Debian's python3, dpkg and apt-cache.
exec /usr/bin/python3 tests/deploy/image_test.py "$@"
