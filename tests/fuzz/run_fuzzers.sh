#!/usr/bin/env bash
# Builds the fuzzers of tests/fuzz (one per *_fuzzer.cc) with clang-14,
# libFuzzer and AddressSanitizer, and runs each for a while on a copy of its
# corpus (tests/fuzz/corpus/<fuzzer>/), watching for crashes, broken
# properties, leaks and hangs.
#
# The build uses .bazelrc's `fuzz` configuration in an output base of its own
# ($HOME/.cache/news-archive/fuzz-output-base), so the gcc build of the rest
# of the tree keeps its cache. clang-14, libclang-rt-14-dev (libFuzzer and the
# sanitizer runtimes) and llvm-14 (llvm-symbolizer, for readable stacks) are
# installed when missing; deploy/install_deps.sh needs none of them.
#
# Usage: tests/fuzz/run_fuzzers.sh [--seconds=N] [--jobs=N] [--merge] [FUZZER...]
#   --seconds=N  how long each fuzzer runs (default 10; a long run: 600)
#   --jobs=N     fuzzers run at once (default: the number of cores)
#   --merge      then add the inputs that reached new code to the corpus in
#                the repository (libFuzzer's -merge=1), to be committed
#   FUZZER       only these, such as page_token_fuzzer (default: all)
#
# Prints one line per fuzzer, "fuzzer passed: NAME ..." or "fuzzer failed:
# NAME: WHY", with the reproducer's path and the end of the fuzzer's log on a
# failure. Inputs that fail are kept under var/fuzz/NAME/. Exits 0 only when
# every fuzzer passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

seconds=10
jobs=$(nproc 2>/dev/null || echo 2)
merge=0
selected=()
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds=${arg#--seconds=} ;;
    --jobs=*) jobs=${arg#--jobs=} ;;
    --merge) merge=1 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_fuzzers.sh: unknown option $arg" >&2; exit 2 ;;
    *) selected+=("${arg%.cc}") ;;
  esac
done
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ && "$jobs" =~ ^[1-9][0-9]*$ ]]; then
  echo "run_fuzzers.sh: --seconds and --jobs take a positive number" >&2
  exit 2
fi

fuzzers=()
for source in tests/fuzz/*_fuzzer.cc; do
  name=$(basename "$source" .cc)
  if [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" $name "* ]]; then
    fuzzers+=("$name")
  fi
done
for name in "${selected[@]}"; do
  [ -f "tests/fuzz/$name.cc" ] || { echo "run_fuzzers.sh: no fuzzer $name" >&2; exit 2; }
done

# Every fuzzer fails with `why`; for when none could be built.
fail_all() {
  for name in "${fuzzers[@]}"; do echo "fuzzer failed: $name: $1"; done
  exit 2
}

packages=(clang-14 libclang-rt-14-dev llvm-14)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  { $SUDO apt-get update -qq &&
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; } \
    || fail_all "cannot install ${missing[*]}"
fi

bazel_fuzz() {
  bazel --output_base="$HOME/.cache/news-archive/fuzz-output-base" \
    --max_idle_secs=300 "$@"
}
targets=()
for name in "${fuzzers[@]}"; do targets+=("//tests/fuzz:$name"); done
build_start=$SECONDS
if ! bazel_fuzz build --config=fuzz "${targets[@]}"; then
  fail_all "the fuzz build (bazel build --config=fuzz) failed"
fi
bin=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null) || fail_all "bazel info failed"
echo "fuzzers built in $((SECONDS - build_start)) s; running each for $seconds s" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/news-archive-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

export ASAN_OPTIONS=detect_leaks=1:symbolize=1:allocator_may_return_null=1
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

# Runs one fuzzer; leaves its verdict in $work/NAME/verdict.
run_fuzzer() {
  local name=$1
  local dir="$work/$name"
  local artifacts="$root/var/fuzz/$name"
  mkdir -p "$dir/corpus" "$artifacts"
  cp -r "tests/fuzz/corpus/$name/." "$dir/corpus/"
  local before
  before=$(ls "$artifacts")
  # -timeout: an input that runs longer is a hang. The outer timeout is for a
  # fuzzer that would not stop at all.
  timeout --kill-after=10 $((seconds + 120)) "$bin/tests/fuzz/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$dir/corpus" \
    >"$dir/log" 2>&1
  local status=$?
  local artifact
  artifact=$(comm -13 <(echo "$before") <(ls "$artifacts") | grep -v '^fuzz.log$' | head -n 1)
  cp "$dir/log" "$artifacts/fuzz.log"
  if [ "$status" -eq 0 ] && [ -z "$artifact" ]; then
    local runs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    echo "passed: ${runs:-?} inputs in $seconds s" >"$dir/verdict"
    if [ "$merge" -eq 1 ]; then
      "$bin/tests/fuzz/$name" -merge=1 -timeout=10 -rss_limit_mb=2048 \
        "tests/fuzz/corpus/$name" "$dir/corpus" >>"$dir/log" 2>&1 \
        || echo "passed, but merging its corpus failed" >"$dir/verdict"
    fi
    return
  fi
  local why
  case "$artifact" in
    crash-*) why="crash or broken property" ;;
    leak-*) why="memory leak" ;;
    timeout-*) why="hang (an input ran over 10 s)" ;;
    oom-*) why="out of memory (over 2 GiB)" ;;
    *) why="exit status $status" ;;
  esac
  [ "$status" -eq 124 ] || [ "$status" -eq 137 ] && why="hang (the fuzzer did not stop)"
  if [ -n "$artifact" ]; then
    why="$why; reproducer $artifacts/$artifact (replay: $bin/tests/fuzz/$name FILE)"
  fi
  echo "failed: $why" >"$dir/verdict"
}

running=0
for name in "${fuzzers[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_fuzzer "$name" &
  running=$((running + 1))
done
wait

failed=0
for name in "${fuzzers[@]}"; do
  verdict=$(cat "$work/$name/verdict" 2>/dev/null || echo "failed: no verdict")
  if [[ "$verdict" == passed* ]]; then
    echo "fuzzer passed: $name (${verdict#passed: })"
  else
    failed=1
    echo "==================== $name: end of its log ===================="
    tail -n 60 "$work/$name/log" 2>/dev/null
    echo "fuzzer failed: $name: ${verdict#failed: }"
  fi
done
exit "$failed"
