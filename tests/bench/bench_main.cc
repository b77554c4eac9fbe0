// bench_driver: the archive's benchmark (docs/BENCHMARKS.md). tests/bench/run.sh
// builds it, starts PostgreSQL and runs it; the last line it prints is one
// JSON object with every figure.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tests/bench/benchmark.h"

ABSL_FLAG(int64_t, articles, 6'000, "articles each system of the write phases stores");
ABSL_FLAG(int, rounds, 4,
          "interleaved rounds of the write phases (each stores a slice per round)");
ABSL_FLAG(uint64_t, seed, 1, "the corpus' seed");
ABSL_FLAG(double, exact_duplicate_share, 0.10, "share of exact duplicates");
ABSL_FLAG(double, near_duplicate_share, 0.05, "share of near duplicates");
ABSL_FLAG(int, batch, 64, "articles a batch (ingest's --max_batch)");
ABSL_FLAG(int, writers, 2, "threads writing at once (raw RocksDB, PostgreSQL)");
ABSL_FLAG(int, streams, 1, "SubmitStream calls at once in the pipeline phase");
ABSL_FLAG(bool, sync, true, "fsync each batch (store --sync; synchronous_commit)");
ABSL_FLAG(absl::Duration, write_time_limit, absl::Minutes(4),
          "longest the write phases may take together, shared equally by the systems; "
          "one that runs out stops early and says so");
ABSL_FLAG(int64_t, archivectl_articles, 5'000,
          "articles in archivectl's larger input (the smaller holds a tenth)");
ABSL_FLAG(int64_t, query_articles, 1'000'000, "most articles in the query archive");
ABSL_FLAG(absl::Duration, query_load_time, absl::Minutes(10),
          "longest the query archive's load may take");
ABSL_FLAG(double, get_rate, 200, "GetArticle calls offered per second");
ABSL_FLAG(double, list_rate, 50, "ListArticles calls offered per second");
ABSL_FLAG(double, search_rate, 20, "SearchArticles calls offered per second");
ABSL_FLAG(absl::Duration, query_warmup, absl::Seconds(2), "unmeasured load first");
ABSL_FLAG(absl::Duration, query_duration, absl::Seconds(15),
          "how long each kind of query is measured, per system");
ABSL_FLAG(int, query_workers, 8, "calls under way at most, per system");
ABSL_FLAG(std::string, bin_dir, "",
          "where store/store_server, ingest/ingest_server, query/query_server and "
          "cli/archivectl are (bazel-bin or a runfiles tree); required");
ABSL_FLAG(std::string, work_dir, "", "scratch directory; required");
ABSL_FLAG(std::string, postgres, "",
          "libpq conninfo of a running PostgreSQL; empty to leave it out");
ABSL_FLAG(std::string, phases, "rocksdb,pipeline,postgres,postgres_fts,queries",
          "phases to run; also \"replication\" (opt-in: R=2 against R=1 on three "
          "stores, reads with a store killed, rebalance onto a fourth) and \"tls\" "
          "(opt-in: the pipeline and reads with TLS and tokens against plaintext)");
ABSL_FLAG(std::string, certs_script, "",
          "deploy/certs.sh, which makes the tls phase's certificates and tokens "
          "(run.sh gives its tree's)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Benchmarks the archive against raw RocksDB and PostgreSQL.\n"
      "  bench_driver --bin_dir=DIR --work_dir=DIR [--postgres=CONNINFO] [--articles=N]");
  absl::ParseCommandLine(argc, argv);

  archive::bench::BenchmarkOptions options;
  options.corpus.seed = absl::GetFlag(FLAGS_seed);
  options.corpus.exact_duplicate_share = absl::GetFlag(FLAGS_exact_duplicate_share);
  options.corpus.near_duplicate_share = absl::GetFlag(FLAGS_near_duplicate_share);
  options.articles = absl::GetFlag(FLAGS_articles);
  options.rounds = absl::GetFlag(FLAGS_rounds);
  options.ingest.batch = absl::GetFlag(FLAGS_batch);
  options.ingest.writers = absl::GetFlag(FLAGS_writers);
  options.ingest.streams = absl::GetFlag(FLAGS_streams);
  options.ingest.sync = absl::GetFlag(FLAGS_sync);
  options.write_time_limit = absl::GetFlag(FLAGS_write_time_limit);
  options.archivectl_articles = absl::GetFlag(FLAGS_archivectl_articles);
  options.query.max_articles = absl::GetFlag(FLAGS_query_articles);
  options.query.load_time = absl::GetFlag(FLAGS_query_load_time);
  options.query.loaders = options.ingest.writers;
  options.query.get_rate = absl::GetFlag(FLAGS_get_rate);
  options.query.list_rate = absl::GetFlag(FLAGS_list_rate);
  options.query.search_rate = absl::GetFlag(FLAGS_search_rate);
  options.query.warmup = absl::GetFlag(FLAGS_query_warmup);
  options.query.duration = absl::GetFlag(FLAGS_query_duration);
  options.query.workers = absl::GetFlag(FLAGS_query_workers);
  options.binaries.root = absl::GetFlag(FLAGS_bin_dir);
  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  options.postgres = absl::GetFlag(FLAGS_postgres);
  options.certs_script = absl::GetFlag(FLAGS_certs_script);
  options.phases.clear();
  for (const auto& phase :
       absl::StrSplit(absl::GetFlag(FLAGS_phases), ',', absl::SkipEmpty())) {
    options.phases.insert(std::string(phase));
  }

  const double exact = options.corpus.exact_duplicate_share;
  const double near = options.corpus.near_duplicate_share;
  if (options.binaries.root.empty() || options.work_dir.empty() || options.articles < 1 ||
      options.rounds < 1 || options.ingest.batch < 1 || options.ingest.batch > 1000 ||
      options.ingest.writers < 1 || options.ingest.streams < 1 ||
      options.query.max_articles < 1 || options.query.workers < 1 ||
      options.query.get_rate <= 0 || options.query.list_rate <= 0 ||
      options.query.search_rate <= 0 || exact < 0 || near < 0 || exact + near > 1) {
    std::fprintf(stderr,
                 "bench_driver: --bin_dir and --work_dir are required; sizes, rates and "
                 "workers and rounds must be positive, --batch at most 1000, and the "
                 "duplicate shares "
                 "in [0, 1] together\n");
    return 2;
  }

  bool failed = false;
  const archive::bench::Results results = archive::bench::RunBenchmark(options, &failed);
  std::cout << results.ToTable() << results.ToJson() << std::endl;
  return failed ? 1 : 0;
}
