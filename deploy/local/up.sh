#!/usr/bin/env bash
# Runs the news archive's pipeline on this machine: one store, ingest and
# query server on 127.0.0.1 at the default ports, data under ./var.
#
#   deploy/local/up.sh [--data=DIR]   install what is missing, build, start
#                                     (or reuse) the servers, feed the sample
#   deploy/local/up.sh stop [--data=DIR]   stop all three
#
# Running it again is safe: healthy servers running the current build are
# reused, others restarted, and the sample comes back as duplicates.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
data="$root/var"
action=up
for arg in "$@"; do
  case "$arg" in
    stop) action=stop ;;
    --data=*) data=${arg#--data=} ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$data"
data=$(cd "$data" && pwd)
bin="$data/bin" log="$data/log" run="$data/run"

servers=(store ingest query)
declare -A port=([ingest]=50051 [store]=50052 [query]=50053)

pid_of() {  # the pid of a running server, or nothing
  local file="$run/$1.pid"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null && cat "$file"
  return 0
}

stop_server() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] || { rm -f "$run/$1.pid"; return 0; }
  echo "stopping $1_server (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$run/$1.pid"
}

if [ "$action" = stop ]; then
  for server in query ingest store; do stop_server "$server"; done
  exit 0
fi

"$root/deploy/install_deps.sh"
cd "$root"
echo "building (the first build takes a few minutes)..."
bazel build --disk_cache="$HOME/.cache/news-archive/bazel-disk" \
  //store:store_server //ingest:ingest_server //query:query_server //cli:archivectl
mkdir -p "$bin" "$log" "$run"
install -m 755 bazel-bin/cli/archivectl "$bin/archivectl"

start_server() {
  local server=$1 address="127.0.0.1:${port[$1]}"
  local built="bazel-bin/$server/${server}_server"
  local pid; pid=$(pid_of "$server")
  if [ -n "$pid" ] && cmp -s "$built" "$bin/${server}_server" &&
     "$bin/archivectl" health --wait=1 "$address" >/dev/null 2>&1; then
    echo "${server}_server already running (pid $pid) on $address"
    return 0
  fi
  stop_server "$server"
  install -m 755 "$built" "$bin/${server}_server"
  local flags=(--listen="$address")
  case "$server" in
    store) flags+=(--db="$data/store-0") ;;
    *) flags+=(--stores=127.0.0.1:${port[store]}) ;;
  esac
  nohup "$bin/${server}_server" "${flags[@]}" >>"$log/$server.log" 2>&1 &
  echo $! >"$run/$server.pid"
  if ! "$bin/archivectl" health --wait=30 "$address" >/dev/null; then
    echo "up.sh: ${server}_server did not become healthy; the end of $log/$server.log:" >&2
    tail -n 20 "$log/$server.log" >&2
    exit 1
  fi
  echo "${server}_server running (pid $(cat "$run/$server.pid")) on $address"
}

for server in "${servers[@]}"; do start_server "$server"; done

echo
echo "feeding the sample articles:"
"$bin/archivectl" feed --source=aawsat.com "$root/deploy/local/sample/aawsat.com.txt" || true
echo
echo "one search result:"
"$bin/archivectl" search "Japan security" --limit=1
cat <<TXT
The archive is up. Data and logs are under $data. Next:
  $bin/archivectl list
  $bin/archivectl search '"prime minister"'
  $bin/archivectl sources
  $bin/archivectl feed --source=OUTLET FILE...   (or --format=jsonl)
  deploy/local/up.sh stop
TXT
