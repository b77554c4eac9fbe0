// The whole benchmark on one corpus (docs/BENCHMARKS.md):
//  - the write phases, taking turns on slices of the corpus (ingest_phases.h):
//      rocksdb       the store's ArticleDb in this process, no gRPC (the
//                    ceiling);
//      pipeline      a client streaming to ingest_server, which writes to
//                    store_server; then archivectl's memory feeding a small
//                    and a ten times larger file;
//      postgres      batched INSERT ... ON CONFLICT DO NOTHING;
//      postgres_fts  the same into a table with a GIN-indexed tsvector;
//      xapian, sqlite_fts  (with "peers") Xapian and SQLite FTS5 in this
//                    process, a durable commit a batch (peer_indexes.h);
//  - queries: an archive as large as fits in the time given, read at a
//    fixed rate, and the same reads on PostgreSQL (query_phase.h); with
//    "peers", the same archive also in Xapian and SQLite FTS5, and the
//    searches run in process on the store's ArticleDb and on both;
//  - replication (not in the default list): the pipeline into three stores
//    with --replicas=2 against --replicas=1, reads with one of three stores
//    SIGKILLed against all up, and archivectl rebalance onto a fourth
//    store (replication_phase.h);
//  - tls (not in the default list): the pipeline and reads of an archive
//    with TLS everywhere and tokens on every call against a plaintext one
//    (tls_phase.h).
// A phase that fails leaves its figures null and its error in
// "<phase>_error"; the others still run.
#ifndef TESTS_BENCH_BENCHMARK_H_
#define TESTS_BENCH_BENCHMARK_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "tests/bench/archive_servers.h"
#include "tests/bench/corpus.h"
#include "tests/bench/ingest_phases.h"
#include "tests/bench/query_phase.h"
#include "tests/bench/replication_phase.h"
#include "tests/bench/results.h"
#include "tests/bench/tls_phase.h"

namespace archive::bench {

struct BenchmarkOptions {
  CorpusOptions corpus;
  // Articles stored by each system of the write phases, in `rounds`
  // interleaved slices.
  int64_t articles = 6'000;
  int rounds = 4;
  // ingest.time_limit is set from write_time_limit.
  IngestPhaseOptions ingest;
  // Longest all write phases may take together: each system gets its share.
  absl::Duration write_time_limit = absl::Minutes(4);
  QueryPhaseOptions query;
  // Articles in archivectl's larger file (its smaller one holds a tenth).
  int64_t archivectl_articles = 5'000;
  ArchiveBinaries binaries;
  // Scratch space: databases, logs, input files.
  std::string work_dir;
  // libpq conninfo of a running PostgreSQL; empty to leave it out.
  std::string postgres;
  // deploy/certs.sh, for the tls phase.
  std::string certs_script;
  // Which of "rocksdb", "pipeline", "postgres", "postgres_fts", "queries",
  // "peers", "replication" and "tls" to run (replication and tls are
  // opt-in: at the default size each adds more than a minute; peers is
  // opt-in because its loading shares the query archive's load time, which
  // would then hold less than a third of the articles, and its searches need
  // "queries").
  std::set<std::string> phases = {"rocksdb", "pipeline", "postgres", "postgres_fts",
                                  "queries"};
};

// Every key the results always hold (null when not measured).
extern const char* const kRequiredKeys[];

// Runs the phases; `*failed` is set when any phase failed.
Results RunBenchmark(const BenchmarkOptions& options, bool* failed);

}  // namespace archive::bench

#endif  // TESTS_BENCH_BENCHMARK_H_
