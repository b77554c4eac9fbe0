#!/usr/bin/env bash
# archivectl export read by an independent WARC reader: warcio.js under
# Node. Starts a store, an ingest and a query server on free loopback ports,
# feeds JSONL articles (one crawled twice, so that it has a sighting),
# exports them as .warc and .warc.gz and reads both with
# warcio/read_export.mjs, which checks every record's type, URI, date,
# Content-Type and digests.
#
# warcio.js comes from tests/interop/warcio/package-lock.json, installed by
# tests/interop/warcio/install_warcio.sh; tests/run.sh passes its
# node_modules as --test_env=ARCHIVE_WARCIO_MODULES. Without it the test
# says why and passes without reading anything.
set -euo pipefail

if [ -z "${ARCHIVE_WARCIO_MODULES:-}" ]; then
  echo "SKIPPED: ARCHIVE_WARCIO_MODULES is not set (tests/run.sh sets it after"
  echo "tests/interop/warcio/install_warcio.sh installs warcio.js)"
  exit 0
fi
[ -d "$ARCHIVE_WARCIO_MODULES/warcio" ] ||
  { echo "no warcio in ARCHIVE_WARCIO_MODULES=$ARCHIVE_WARCIO_MODULES"; exit 1; }
command -v node >/dev/null || { echo "no node"; exit 1; }

runfiles=$PWD
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/warcio.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
archivectl=$runfiles/cli/archivectl

# start NAME BINARY ARGS...: runs a server on a free port, sets $address.
start() {
  local name=$1 binary=$2
  shift 2
  address=127.0.0.1:$(free_port)
  "$runfiles/$binary" --listen="$address" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  if ! "$archivectl" health --wait=30 "$address" >/dev/null; then
    echo "$name did not become healthy:"; cat "$work/$name.log"; exit 1
  fi
}
start store store/store_server --db="$work/db" --sync=false --workers=2 --block_cache_mb=16
store=$address
start ingest ingest/ingest_server --stores="$store"
ingest=$address
start query query/query_server --stores="$store"
query=$address

cat >"$work/articles.jsonl" <<'JSONL'
{"source":"example.org","url":"https://example.org/news/1","title":"Council approves the transport budget","body":"The city council voted on Tuesday to approve a budget for buses and trams.","publishedAt":"2023-01-13T09:00:00Z","crawledAt":"2023-01-13T10:00:00Z"}
{"source":"example.org","url":"https://example.org/news/2","title":"Tram line to reach the campus","body":"Construction on the tram extension is expected to begin next spring.","publishedAt":"2023-01-14T09:00:00Z","crawledAt":"2023-01-14T10:00:00.5Z"}
{"source":"example.org","title":"A story without a URL","body":"Some crawlers give no URL; the export names the article instead.","publishedAt":"2023-01-15T09:00:00Z","crawledAt":"2023-01-15T10:00:00Z"}
{"source":"aawsat.com","url":"https://aawsat.com/node/4","title":"مجلس المدينة يقر ميزانية جديدة","body":"صوّت مجلس المدينة يوم الثلاثاء على إقرار ميزانية تضاعف الإنفاق على الحافلات.","publishedAt":"2023-01-16T09:00:00Z","crawledAt":"2023-01-16T10:00:00Z"}
{"source":"mirror.example","url":"https://mirror.example/copy/1","title":"Council approves the transport budget","body":"The city council voted on Tuesday to approve a budget for buses and trams.","publishedAt":"2023-01-13T09:00:00Z","crawledAt":"2023-01-20T10:00:00Z"}
JSONL
"$archivectl" feed --ingest="$ingest" --format=jsonl "$work/articles.jsonl"

"$archivectl" export --query="$query" --format=warc -o "$work/x.warc"
"$archivectl" export --query="$query" --format=warc -o "$work/x.warc.gz"
if ! "$archivectl" get --query="$query" --json \
    "$("$archivectl" list --query="$query" --json --oldest-first --limit=1 |
       /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["id"])')" |
    grep -q '"sightings":\[{"source":"mirror.example"'; then
  echo "the re-crawl left no sighting"; exit 1
fi

# The script imports "warcio": Node resolves ES modules from a node_modules
# beside it (NODE_PATH is for CommonJS only).
mkdir "$work/reader"
cp "$runfiles/tests/interop/warcio/read_export.mjs" "$work/reader/"
ln -s "$ARCHIVE_WARCIO_MODULES" "$work/reader/node_modules"
status=0
for file in x.warc x.warc.gz; do
  node "$work/reader/read_export.mjs" "$work/$file" 4 || status=1
done
exit "$status"
