#!/usr/bin/env bash
# Runs the crawl test with Debian's python3 and wget.
exec /usr/bin/python3 tests/crawl/wget_crawl_test.py "$@"
