#!/usr/bin/env bash
# Installs what is missing, builds everything, runs every test, the
# Kubernetes schema check, a short run of each fuzzer, the thread-safety
# analysis and the TSan tests, and ends with the line "N passed, M failed"
# (test cases, from each test's XML report, one for the schema check, one
# per fuzzer, one for the analysis and one per TSan test).
# Exit status 0 only when everything builds and passes.
set -uo pipefail
cd "$(dirname "$0")/.."

deploy/install_deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 2; }

bazel_flags=(--disk_cache="$HOME/.cache/news-archive/bazel-disk")

if ! bazel build "${bazel_flags[@]}" //...; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# warcio.js for //tests/interop:warcio_export_test (npm ci from its lock
# file); without it that test says why and reads nothing.
test_env=()
if warcio_modules=$(tests/interop/warcio/install_warcio.sh); then
  test_env+=(--test_env=ARCHIVE_WARCIO_MODULES="$warcio_modules")
fi

bazel test "${bazel_flags[@]}" "${test_env[@]}" --test_output=summary //... 2>&1 | tee /tmp/news-archive-test.$$.log
test_status=${PIPESTATUS[0]}

testlogs=$(bazel info "${bazel_flags[@]}" bazel-testlogs 2>/dev/null)
passed=0
failed=0
failed_targets=()
for target in $(bazel query 'tests(//...)' 2>/dev/null); do
  path=${target#//}
  path=${path/://}
  xml="$testlogs/$path/test.xml"
  target_failed=0
  if grep -qE "^$target +(FAILED|TIMEOUT|NO STATUS|INCOMPLETE|FLAKY)" /tmp/news-archive-test.$$.log \
     || [ ! -f "$xml" ]; then
    target_failed=1
  fi
  if [ -f "$xml" ]; then
    read -r cases failures < <(/usr/bin/python3 - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = failures = 0
for case in root.iter("testcase"):
    if case.get("status") == "notrun":
        continue
    cases += 1
    if case.find("failure") is not None or case.find("error") is not None:
        failures += 1
print(cases, failures)
PY
)
    if [ "${cases:-0}" -eq 0 ]; then cases=1; failures=$target_failed; fi
    if [ "$target_failed" -eq 1 ] && [ "$failures" -eq 0 ]; then failures=1; fi
    passed=$((passed + cases - failures))
    failed=$((failed + failures))
  else
    failed=$((failed + 1))
  fi
  [ "$target_failed" -eq 1 ] && failed_targets+=("$target")
done
rm -f /tmp/news-archive-test.$$.log

for target in "${failed_targets[@]}"; do
  path=${target#//}
  path=${path/://}
  echo "==================== $target: test.log ===================="
  tail -n 200 "$testlogs/$path/test.log" 2>/dev/null || echo "(no log)"
done

# The Kubernetes manifests against the Kubernetes OpenAPI schemas (npm's
# kubernetes-models, from a lock file): one passed or failed.
if tests/deploy/validate_k8s_schemas.sh; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# A short run of each fuzzer (clang, libFuzzer, ASan): one passed or failed each.
tests/fuzz/run_fuzzers.sh 2>&1 | tee /tmp/news-archive-fuzz.$$.log
fuzz_status=${PIPESTATUS[0]}
fuzz_passed=$(grep -c '^fuzzer passed: ' /tmp/news-archive-fuzz.$$.log)
fuzz_failed=$(grep -c '^fuzzer failed: ' /tmp/news-archive-fuzz.$$.log)
rm -f /tmp/news-archive-fuzz.$$.log
if [ "$fuzz_status" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then fuzz_failed=1; fi
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))

# Locking checked twice, with clang-14 in an output base of its own (as the
# fuzzers are, so the gcc build keeps its cache): the thread-safety analysis
# of every server's and archivectl's packages (one passed or failed), and a ThreadSanitizer
# run of the concurrency tests whose threads meet only in the archive's own,
# instrumented code (one passed or failed each). Debian's RocksDB is not
# instrumented, so tests whose threads meet inside it are left out: TSan
# reports its internal hand-offs (see tests/tsan_suppressions.txt).
bazel_clang() {
  bazel --output_base="$HOME/.cache/news-archive/analysis-output-base" \
    --max_idle_secs=300 "$@"
}
tsa_targets=(//store/... //common/... //query/... //ingest/... //cli/...)
if bazel_clang build "${bazel_flags[@]}" --config=tsa "${tsa_targets[@]}"; then
  echo "tsa passed: ${tsa_targets[*]}"
  passed=$((passed + 1))
else
  echo "tsa failed: ${tsa_targets[*]} (bazel build --config=tsa)"
  failed=$((failed + 1))
fi
tsan_targets=(//store:document_table_test //store:store_health_test //common:thread_pool_test
  //common:tokenizer_test)
bazel_clang test "${bazel_flags[@]}" --config=tsan --test_output=errors --test_summary=short \
  --test_env=TSAN_OPTIONS="suppressions=$PWD/tests/tsan_suppressions.txt halt_on_error=1" \
  "${tsan_targets[@]}" 2>&1 | tee /tmp/news-archive-tsan.$$.log
for target in "${tsan_targets[@]}"; do
  if grep -qE "^$target +(\(cached\) )?PASSED" /tmp/news-archive-tsan.$$.log; then
    echo "tsan passed: $target"
    passed=$((passed + 1))
  else
    echo "tsan failed: $target"
    failed=$((failed + 1))
  fi
done
rm -f /tmp/news-archive-tsan.$$.log

if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$test_status" -eq 0 ]
