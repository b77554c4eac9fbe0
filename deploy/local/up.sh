#!/usr/bin/env bash
# Runs the news archive's pipeline on this machine: stores, an ingest and a
# query server on 127.0.0.1 at the default ports, data under ./var.
#
#   deploy/local/up.sh [--data=DIR] [--stores=N] [--replicas=R] [--tls]
#         install what is missing, build, start (or reuse) the servers, feed
#         the sample. N stores (default 1) on ports 50052, 50062, 50072, ...,
#         each article on R of them (default 1; docs/REPLICATION.md).
#         --tls: a local CA, certificates and role tokens under DIR/tls
#         (deploy/certs.sh), TLS on every hop (mutual to the stores) and
#         tokens for every call (docs/SECURITY.md).
#   deploy/local/up.sh stop [--data=DIR]   stop all of them
#
# Running it again is safe: healthy servers running the current build with
# the same flags are reused, others restarted, and the sample comes back as
# duplicates. Fewer stores than last time stops the ones left over (their
# data stays under DIR).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
data="$root/var"
action=up
store_count=1
replicas=1
tls=0
for arg in "$@"; do
  case "$arg" in
    stop) action=stop ;;
    --data=*) data=${arg#--data=} ;;
    --stores=*) store_count=${arg#--stores=} ;;
    --replicas=*) replicas=${arg#--replicas=} ;;
    --tls) tls=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$store_count" =~ ^[1-9][0-9]?$ && "$replicas" =~ ^[1-9][0-9]?$ ]] ||
   [ "$replicas" -gt "$store_count" ]; then
  echo "up.sh: --stores=N and --replicas=R need 1 <= R <= N <= 99" >&2
  exit 2
fi
mkdir -p "$data"
data=$(cd "$data" && pwd)
bin="$data/bin" log="$data/log" run="$data/run"

# Store i is "store-i" on port 50052 + 10 i.
stores=()
store_list=()
declare -A port=([ingest]=50051 [query]=50053)
# Metrics at http://127.0.0.1:PORT/metrics: ingest 9451, store-i 9452 + 10 i,
# query 9453.
declare -A metrics_port=([ingest]=9451 [query]=9453)
for i in $(seq 0 $((store_count - 1))); do
  stores+=("store-$i")
  port[store-$i]=$((50052 + 10 * i))
  metrics_port[store-$i]=$((9452 + 10 * i))
  store_list+=("127.0.0.1:${port[store-$i]}")
done
store_flag=$(IFS=,; echo "${store_list[*]}")
servers=("${stores[@]}" ingest query)

pid_of() {  # the pid of a running server, or nothing
  local file="$run/$1.pid"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null && cat "$file"
  return 0
}

stop_server() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] || { rm -f "$run/$1.pid"; return 0; }
  echo "stopping $1 (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$run/$1.pid"
}

# Every store this data folder has run, whatever --stores says now (and
# "store", the name of the single store of earlier releases).
stores_running() {
  local file
  for file in "$run"/store*.pid; do [ -f "$file" ] && basename "$file" .pid; done
  return 0
}

if [ "$action" = stop ]; then
  for server in query ingest $(stores_running); do stop_server "$server"; done
  exit 0
fi

"$root/deploy/install_deps.sh"
cd "$root"
echo "building (the first build takes a few minutes)..."
bazel build --disk_cache="$HOME/.cache/news-archive/bazel-disk" \
  //store:store_server //ingest:ingest_server //query:query_server //cli:archivectl
mkdir -p "$bin" "$log" "$run"
install -m 755 bazel-bin/cli/archivectl "$bin/archivectl"

# With --tls: every server has the certificate of "localhost" (and
# 127.0.0.1); ingest and query show the stores their own, whose common
# names the stores' tokens file trusts as services; archivectl calls with
# its own certificate and the admin token here (crawler and reader tokens
# are in $data/tls/tokens).
tls_dir="$data/tls"
server_tls=() ingest_store_tls=() query_store_tls=() client=("$bin/archivectl")
if [ "$tls" -eq 1 ]; then
  if [ ! -f "$tls_dir/localhost.pem" ]; then
    "$root/deploy/certs.sh" --out="$tls_dir" --tokens localhost:IP:127.0.0.1 ingest query \
      archivectl
  fi
  {
    cat "$tls_dir/auth_tokens"
    echo "service cn:ingest"
    echo "service cn:query"
  } >"$tls_dir/store_auth_tokens"
  server_tls=(--tls_cert="$tls_dir/localhost.pem" --tls_key="$tls_dir/localhost-key.pem")
  ingest_store_tls=(--store_tls_ca="$tls_dir/ca.pem" --store_tls_cert="$tls_dir/ingest.pem"
                    --store_tls_key="$tls_dir/ingest-key.pem")
  query_store_tls=(--store_tls_ca="$tls_dir/ca.pem" --store_tls_cert="$tls_dir/query.pem"
                   --store_tls_key="$tls_dir/query-key.pem")
  # The stores ask every client for a certificate: archivectl has its own
  # (no role by it; the admin token is what lets verify and rebalance in).
  client+=(--tls_ca="$tls_dir/ca.pem" --tls_cert="$tls_dir/archivectl.pem"
           --tls_key="$tls_dir/archivectl-key.pem" --token_file="$tls_dir/tokens/admin")
fi

start_server() {
  local server=$1 address="127.0.0.1:${port[$1]}"
  local program=${server%%-*}_server
  local built="bazel-bin/${server%%-*}/$program"
  local flags=(--listen="$address" --metrics_listen="127.0.0.1:${metrics_port[$1]}"
               "${server_tls[@]}")
  case "$server" in
    store-*)
      flags+=(--db="$data/$server")
      [ "$tls" -eq 1 ] && flags+=(--tls_client_ca="$tls_dir/ca.pem"
                                  --auth_tokens="$tls_dir/store_auth_tokens")
      ;;
    ingest) flags+=(--stores="$store_flag" --replicas="$replicas" "${ingest_store_tls[@]}") ;;
    query) flags+=(--stores="$store_flag" --replicas="$replicas" "${query_store_tls[@]}") ;;
  esac
  [ "$tls" -eq 1 ] && [ "${server%%-*}" != store ] && flags+=(--auth_tokens="$tls_dir/auth_tokens")
  local pid; pid=$(pid_of "$server")
  if [ -n "$pid" ] && cmp -s "$built" "$bin/$program" &&
     [ "${flags[*]}" = "$(cat "$run/$server.flags" 2>/dev/null)" ] &&
     "${client[@]}" health --wait=1 "$address" >/dev/null 2>&1; then
    echo "$server already running (pid $pid) on $address"
    return 0
  fi
  stop_server "$server"
  install -m 755 "$built" "$bin/$program"
  nohup "$bin/$program" "${flags[@]}" >>"$log/$server.log" 2>&1 &
  echo $! >"$run/$server.pid"
  echo "${flags[*]}" >"$run/$server.flags"
  if ! "${client[@]}" health --wait=30 "$address" >/dev/null; then
    echo "up.sh: $server did not become healthy; the end of $log/$server.log:" >&2
    tail -n 20 "$log/$server.log" >&2
    exit 1
  fi
  echo "$server running (pid $(cat "$run/$server.pid")) on $address"
}

# Stores of an earlier run that this one does not list.
for server in $(stores_running); do
  [[ " ${stores[*]} " == *" $server "* ]] || stop_server "$server"
done
for server in "${servers[@]}"; do start_server "$server"; done

echo
echo "feeding the sample articles:"
"${client[@]}" feed --source=aawsat.com "$root/deploy/local/sample/aawsat.com.txt" || true
echo
echo "one search result:"
"${client[@]}" search "Japan security" --limit=1
A="${client[*]}"
cat <<TXT
The archive is up. Data and logs are under $data; metrics at
http://127.0.0.1:9451/metrics (ingest), :9452 (store-0), :9453 (query). Next:
  $A list
  $A search '"prime minister"'
  $A sources
  $A feed --source=OUTLET FILE...   (or --format=jsonl)
  deploy/local/up.sh stop
TXT
