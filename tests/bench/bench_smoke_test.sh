#!/usr/bin/env bash
# The benchmark at a tiny size, so that it cannot rot: tests/bench/run.sh with
# this test's binaries, every phase (the opt-in peers, replication and tls
# phases too), and a last line holding every figure.
# Speed is not checked: a slow machine passes. What is checked is that the
# archive's own figures were measured and dedup did its work; PostgreSQL's
# figures are checked when PostgreSQL 15 is installed, and null otherwise.
set -euo pipefail

root="$TEST_SRCDIR/$TEST_WORKSPACE"
out="$TEST_TMPDIR/bench.out"

"$root/tests/bench/run.sh" --bin_dir="$root" --time_limit=240 \
  --phases=rocksdb,pipeline,postgres,postgres_fts,queries,peers,replication,tls \
  --articles=300 --archivectl_articles=100 \
  --query_articles=300 --query_warmup=0.2s --query_duration=1s \
  --get_rate=40 --list_rate=20 --search_rate=20 --query_workers=2 >"$out" || {
  echo "run.sh failed; its output:"
  cat "$out"
  exit 1
}

postgres=0
[ -x /usr/lib/postgresql/15/bin/initdb ] && postgres=1
/usr/bin/python3 - "$(tail -n 1 "$out")" "$postgres" <<'PY'
import json
import sys

figures = json.loads(sys.argv[1])
postgres = sys.argv[2] == "1"
required = [
    "pipeline_articles_per_s", "rocksdb_articles_per_s", "postgres_articles_per_s",
    "ratio_pipeline_rocksdb", "ratio_pipeline_postgres", "get_p99_ms", "list_p99_ms",
    "search_p99_ms", "postgres_get_p99_ms", "postgres_search_p99_ms",
    "store_peak_rss_mb", "ingest_peak_rss_mb", "pipeline_mb_per_s", "rocksdb_mb_per_s",
    "postgres_mb_per_s", "get_p50_ms", "list_p50_ms", "search_p50_ms",
    "archivectl_peak_rss_mb", "query_archive_articles",
]
missing = [key for key in required if key not in figures]
errors = [f"missing keys: {missing}"] if missing else []
measured = [
    "pipeline_articles_per_s", "rocksdb_articles_per_s", "ratio_pipeline_rocksdb",
    "get_p99_ms", "list_p99_ms", "search_p99_ms", "store_peak_rss_mb",
    "ingest_peak_rss_mb", "archivectl_peak_rss_mb", "store_get_p99_ms",
    "store_list_p99_ms", "list_basic_p99_ms", "store_list_basic_p99_ms",
    "ping_p99_ms", "store_ping_p99_ms", "search_basic_p99_ms",
    "replication_r1_articles_per_s", "replication_r2_articles_per_s",
    "replication_r1_cpu_us_per_article", "replication_r2_cpu_us_per_article",
    "replicated_up_get_p99_ms", "replicated_up_list_p99_ms", "replicated_up_search_p99_ms",
    "replicated_down_get_p99_ms", "replicated_down_list_p99_ms",
    "replicated_down_search_p99_ms", "rebalance_articles_per_s", "rebalance_checked",
    "tls_off_articles_per_s", "tls_on_articles_per_s", "tls_off_cpu_us_per_article",
    "tls_on_cpu_us_per_article", "tls_ratio_on_off", "tls_cpu_ratio_on_off",
    "tls_off_get_p99_ms", "tls_on_get_p99_ms", "tls_off_list_p99_ms", "tls_on_list_p99_ms",
    "tls_off_search_p99_ms", "tls_on_search_p99_ms", "tls_get_p99_ratio_on_off",
    "tls_off_reads_cpu_s", "tls_on_reads_cpu_s",
    "xapian_articles_per_s", "xapian_cpu_us_per_article", "sqlite_fts_articles_per_s",
    "sqlite_fts_cpu_us_per_article", "search_cpu_ms_per_call", "rocksdb_search_p50_ms",
    "rocksdb_search_p99_ms", "rocksdb_search_cpu_ms_per_call", "xapian_search_p50_ms",
    "xapian_search_p99_ms", "xapian_search_cpu_ms_per_call", "sqlite_fts_search_p50_ms",
    "sqlite_fts_search_p99_ms", "sqlite_fts_search_cpu_ms_per_call",
    "query_xapian_stored", "query_sqlite_fts_stored",
]
if postgres:
    measured += ["postgres_articles_per_s", "ratio_pipeline_postgres",
                 "postgres_get_p99_ms", "postgres_search_p99_ms",
                 "postgres_list_basic_p99_ms", "postgres_ping_p99_ms"]
for key in measured:
    value = figures.get(key)
    # A tiny archive's searches may cost less CPU than a clock tick shows.
    least_ok = 0 if key.endswith("_cpu_ms_per_call") else 1e-300
    if not isinstance(value, (int, float)) or value < least_ok:
        errors.append(f"{key} not measured: {value}")
for phase in ["rocksdb", "pipeline", "replication_r1", "replication_r2", "tls_off",
              "tls_on"]:
    done = sum(figures.get(f"{phase}_{outcome}") or 0
               for outcome in ["stored", "duplicates", "near_duplicates"])
    if done != 300:
        errors.append(f"{phase}: {done} of 300 articles stored or deduplicated")
    if not (figures.get(f"{phase}_duplicates") and figures.get(f"{phase}_near_duplicates")):
        errors.append(f"{phase}: no duplicates or no near duplicates found")
# The peers keep each id once, as PostgreSQL does (the text as crawled); in
# the query archive they hold what the store holds.
for peer in ["xapian", "sqlite_fts"]:
    done = sum(figures.get(f"{peer}_{outcome}") or 0 for outcome in ["stored", "duplicates"])
    if done != 300 or not figures.get(f"{peer}_duplicates"):
        errors.append(f"{peer}: {done} of 300 articles stored or duplicates, "
                      f"{figures.get(f'{peer}_duplicates')} duplicates")
    if figures.get(f"query_{peer}_stored") != figures.get("query_archive_stored"):
        errors.append(f"query archive: {peer} holds {figures.get(f'query_{peer}_stored')}, "
                      f"the store {figures.get('query_archive_stored')}")
for key in ["ping_errors", "store_ping_errors", "get_errors", "list_errors",
            "list_basic_errors", "search_errors", "search_basic_errors",
            "store_get_errors", "store_list_errors", "store_list_basic_errors",
            "replicated_up_get_errors", "replicated_up_list_errors",
            "replicated_up_search_errors", "replicated_down_get_errors",
            "replicated_down_list_errors", "replicated_down_search_errors",
            "rebalance_failed", "replication_error", "tls_off_get_errors",
            "tls_off_list_errors", "tls_off_search_errors", "tls_on_get_errors",
            "tls_on_list_errors", "tls_on_search_errors", "tls_error",
            "rocksdb_search_errors", "xapian_search_errors", "sqlite_fts_search_errors",
            "xapian_error", "sqlite_fts_error"]:
    if figures.get(key):
        errors.append(f"{key}: {figures[key]}")
if errors:
    print("\n".join(errors))
    sys.exit(1)
note = "" if postgres else " (PostgreSQL is not installed: its figures are null)"
print("every figure present" + note)
PY
