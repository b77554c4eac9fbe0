#!/usr/bin/env bash
# Installs what is missing, builds everything, runs every test and a short run
# of each fuzzer, and ends with the line "N passed, M failed" (test cases, from
# each test's XML report, and one per fuzzer).
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

bazel test "${bazel_flags[@]}" --test_output=summary //... 2>&1 | tee /tmp/news-archive-test.$$.log
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

# A short run of each fuzzer (clang, libFuzzer, ASan): one passed or failed each.
tests/fuzz/run_fuzzers.sh 2>&1 | tee /tmp/news-archive-fuzz.$$.log
fuzz_status=${PIPESTATUS[0]}
fuzz_passed=$(grep -c '^fuzzer passed: ' /tmp/news-archive-fuzz.$$.log)
fuzz_failed=$(grep -c '^fuzzer failed: ' /tmp/news-archive-fuzz.$$.log)
rm -f /tmp/news-archive-fuzz.$$.log
if [ "$fuzz_status" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then fuzz_failed=1; fi
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))

if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$test_status" -eq 0 ]
