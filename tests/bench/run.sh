#!/usr/bin/env bash
# The archive's benchmark (docs/BENCHMARKS.md): the pipeline against raw
# RocksDB and PostgreSQL on one generated corpus, then queries at a fixed
# rate on both. Installs what is missing (Debian 12), builds, starts a
# throwaway PostgreSQL 15 on a unix socket in a temporary folder, runs
# bench_driver, stops PostgreSQL. The last line printed is one JSON object
# with every figure.
#
#   tests/bench/run.sh [--articles=N] [--query_articles=N] [bench_driver flags...]
#
# Options of this script (the rest go to bench_driver; see --helpfull):
#   --bin_dir=DIR      use binaries built already (bazel-bin or a runfiles
#                      tree): no install, no build (the smoke test does this)
#   --no_postgres      leave PostgreSQL out (its figures are null)
#   --keep             keep the scratch folder (databases, server logs)
#   --time_limit=SECS  stop everything after this long (default 1200)
#   --million          the query archive at a million articles (with
#                      --phases=...,queries,peers: its copies in Xapian and
#                      SQLite too): --query_articles=1000000, up to 4 hours
#                      of loading, and a time limit of 5 hours unless given
set -euo pipefail
cd "$(dirname "$0")/../.."

bin_dir=
use_postgres=1
keep=0
time_limit=
driver_args=()
for arg in "$@"; do
  case "$arg" in
    --bin_dir=*) bin_dir=${arg#--bin_dir=} ;;
    --no_postgres) use_postgres=0 ;;
    --keep) keep=1 ;;
    --time_limit=*) time_limit=${arg#--time_limit=} ;;
    --million)
      # Before the rest, so that a --query_load_time given as well wins.
      driver_args=(--query_articles=1000000 --query_load_time=240m "${driver_args[@]}")
      time_limit=${time_limit:-18000} ;;
    *) driver_args+=("$arg") ;;
  esac
done
time_limit=${time_limit:-1200}

pg_bin=/usr/lib/postgresql/15/bin
binaries=(tests/bench:bench_driver store:store_server ingest:ingest_server
          query:query_server cli:archivectl)
built=
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -z "$bin_dir" ]; then
  deploy/install_deps.sh >&2
  if [ "$use_postgres" -eq 1 ] && [ ! -x "$pg_bin/initdb" ]; then
    echo "installing: postgresql-15" >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq >&2
    as_root apt-get install -y -qq --no-install-recommends postgresql-15 >&2
    # Debian starts a cluster of its own on install; the benchmark runs its
    # own, so that one need not run.
    as_root pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
  fi
  bazel_flags=(--disk_cache="$HOME/.cache/news-archive/bazel-disk")
  bazel build "${bazel_flags[@]}" "${binaries[@]/#/\/\/}" >&2
  built=$(bazel info "${bazel_flags[@]}" bazel-bin 2>/dev/null)
fi

# In /tmp, not under $TMPDIR: the PostgreSQL user must reach it.
work=$(mktemp -d /tmp/archive-bench.XXXXXX)
chmod 755 "$work"
if [ -n "$built" ]; then
  # A copy, so that another bazel command on this tree during the run
  # (a clean, another configuration) cannot take the binaries away.
  for binary in "${binaries[@]}"; do
    path=${binary/://}
    mkdir -p "$work/bin/$(dirname "$path")"
    cp "$built/$path" "$work/bin/$path"
  done
  bin_dir=$work/bin
fi
bin_dir=$(cd "$bin_dir" && pwd)
driver_pid=
pg_started=0
as_postgres=()

cleanup() {
  if [ -n "$driver_pid" ]; then
    # The driver leads its own process group, with the servers it started.
    kill -KILL -- "-$driver_pid" 2>/dev/null || true
  fi
  if [ "$pg_started" -eq 1 ]; then
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 \
      || true
  fi
  if [ "$keep" -eq 1 ]; then
    echo "scratch kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

postgres=
if [ "$use_postgres" -eq 1 ] && [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL 15 is not installed ($pg_bin): its figures will be null" >&2
  use_postgres=0
fi
if [ "$use_postgres" -eq 1 ]; then
  mkdir -p "$work/pg" "$work/pgsock"
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: it runs as the postgres user.
    id -u postgres >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$work/pg" "$work/pgsock"
    as_postgres=(runuser -u postgres --)
  fi
  chmod 700 "$work/pg"
  "${as_postgres[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust \
    --no-locale -E UTF8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; exit 1; }
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$work/pgsock' \
        -c shared_buffers=256MB -c max_wal_size=4GB -c max_connections=64" \
    start >/dev/null || { cat "$work/pg/server.log" >&2; exit 1; }
  pg_started=1
  postgres="host=$work/pgsock port=5432 user=postgres dbname=postgres"
fi

mkdir -p "$work/run"
setsid "$bin_dir/tests/bench/bench_driver" --bin_dir="$bin_dir" --work_dir="$work/run" \
  --postgres="$postgres" --certs_script="$PWD/deploy/certs.sh" "${driver_args[@]}" &
driver_pid=$!
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$time_limit" &
  sleeper=$!
  wait "$sleeper"
  echo "run.sh: the time limit of ${time_limit}s passed" >&2
  kill -TERM -- "-$driver_pid" 2>/dev/null
) &
watchdog=$!
status=0
wait "$driver_pid" || status=$?
driver_pid=
kill "$watchdog" 2>/dev/null || true
wait "$watchdog" 2>/dev/null || true
exit "$status"
