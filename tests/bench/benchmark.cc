#include "tests/bench/benchmark.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "tests/bench/peer_indexes.h"
#include "tests/bench/postgres_client.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {

const char* const kRequiredKeys[] = {
    "articles",
    "corpus_mb",
    "rocksdb_articles_per_s",
    "rocksdb_mb_per_s",
    "pipeline_articles_per_s",
    "pipeline_mb_per_s",
    "postgres_articles_per_s",
    "postgres_mb_per_s",
    "ratio_pipeline_rocksdb",
    "ratio_pipeline_postgres",
    "store_peak_rss_mb",
    "ingest_peak_rss_mb",
    "archivectl_peak_rss_small_mb",
    "archivectl_peak_rss_mb",
    "query_archive_articles",
    "get_p50_ms",
    "get_p99_ms",
    "list_p50_ms",
    "list_p99_ms",
    "list_basic_p50_ms",
    "list_basic_p99_ms",
    "search_p50_ms",
    "search_p99_ms",
    "store_get_p50_ms",
    "store_get_p99_ms",
    "store_list_p50_ms",
    "store_list_p99_ms",
    "store_list_basic_p50_ms",
    "store_list_basic_p99_ms",
    "postgres_get_p50_ms",
    "postgres_get_p99_ms",
    "postgres_list_p50_ms",
    "postgres_list_p99_ms",
    "postgres_list_basic_p50_ms",
    "postgres_list_basic_p99_ms",
    "postgres_search_p50_ms",
    "postgres_search_p99_ms",
    "query_store_peak_rss_mb",
    "xapian_articles_per_s",
    "xapian_cpu_us_per_article",
    "sqlite_fts_articles_per_s",
    "sqlite_fts_cpu_us_per_article",
    "search_cpu_ms_per_call",
    "rocksdb_search_p50_ms",
    "rocksdb_search_p99_ms",
    "rocksdb_search_cpu_ms_per_call",
    "xapian_search_p50_ms",
    "xapian_search_p99_ms",
    "xapian_search_cpu_ms_per_call",
    "sqlite_fts_search_p50_ms",
    "sqlite_fts_search_p99_ms",
    "sqlite_fts_search_cpu_ms_per_call",
    nullptr,
};

namespace {

// How busy the machine was over a phase: the share of all cores' time spent
// running, and waiting for the disk.
class MachineLoad {
 public:
  MachineLoad() : start_(ReadMachineCpu()) {}
  void Record(const std::string& prefix, Results* results) const {
    const MachineCpu end = ReadMachineCpu();
    const double total = end.total() - start_.total();
    if (total <= 0) return;
    results->Set(prefix + "_machine_busy", (end.busy - start_.busy) / total);
    results->Set(prefix + "_machine_io_wait", (end.io_wait - start_.io_wait) / total);
  }

 private:
  const MachineCpu start_;
};

// archivectl feeding a file of `count` of the corpus' articles (already
// stored: they come back as duplicates); its peak memory.
absl::StatusOr<double> ArchivectlPeakRss(const std::vector<v1::Article>& articles,
                                         int64_t count, const std::string& ingest_address,
                                         const BenchmarkOptions& options) {
  const std::string path = absl::StrCat(options.work_dir, "/feed_", count, ".jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    std::string line;
    for (int64_t i = 0; i < count; ++i) {
      line.clear();
      if (!google::protobuf::util::MessageToJsonString(articles[i % articles.size()],
                                                       &line)
               .ok()) {
        return absl::InternalError("cannot write an article as JSON");
      }
      out << line << '\n';
    }
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  ASSIGN_OR_RETURN(const Finished finished,
                   RunToCompletion({options.binaries.archivectl(), "feed",
                                    "--ingest=" + ingest_address, "--format=jsonl", path},
                                   options.work_dir + "/archivectl.log"));
  std::filesystem::remove(path);
  if (finished.exit_status != 0) {
    return absl::InternalError(absl::StrCat("archivectl feed exited with ",
                                            finished.exit_status, "; see ",
                                            options.work_dir, "/archivectl.log"));
  }
  return finished.peak_rss_mb;
}

absl::StatusOr<double> PostgresTableMb(const std::string& conninfo,
                                       const std::string& table) {
  ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> connection,
                   PostgresConnection::Connect(conninfo));
  ASSIGN_OR_RETURN(
      const PostgresResult size,
      connection->Execute(absl::StrCat("SELECT pg_total_relation_size('", table, "')")));
  RETURN_IF_ERROR(connection->Execute(absl::StrCat("DROP TABLE ", table)).status());
  return std::strtod(size.first_value.c_str(), nullptr) / (1 << 20);
}

// One system of the write phases, and the machine's load while it ran.
struct WriteSystem {
  std::string name;
  std::unique_ptr<IngestTarget> target;
  double machine_busy = 0;
  double machine_io_wait = 0;
  double machine_total = 0;
};

// The write phases, in interleaved rounds: each round gives every system
// the next slice of the corpus, in an order that rotates from round to
// round, so that the machine's other load falls on all of them alike.
void RunWritePhases(const std::vector<v1::Article>& articles,
                    const BenchmarkOptions& options, Results* results, bool* failed) {
  const auto fail = [&](const std::string& name, const absl::Status& status) {
    ARCHIVE_LOG(ERROR) << name << " failed: " << status;
    results->SetText(name + "_error", status.ToString());
    *failed = true;
  };
  const auto wanted = [&](const std::string& name) {
    return options.phases.count(name) > 0 &&
           (name.rfind("postgres", 0) != 0 || !options.postgres.empty());
  };
  std::vector<WriteSystem> systems;
  const auto add = [&](const std::string& name,
                       absl::StatusOr<std::unique_ptr<IngestTarget>> target) {
    if (target.ok()) {
      systems.push_back({name, *std::move(target)});
    } else {
      fail(name, target.status());
    }
  };

  const std::string rocksdb_db = options.work_dir + "/rocksdb_db";
  const std::string pipeline_db = options.work_dir + "/pipeline_db";
  const bool peers = options.phases.count("peers") > 0;
  const auto peer_dir = [&](PeerKind kind) {
    return absl::StrCat(options.work_dir, "/", PeerName(kind), "_db");
  };
  int system_count = peers ? std::size(kPeerKinds) : 0;
  for (const char* name : {"rocksdb", "pipeline", "postgres", "postgres_fts"}) {
    system_count += wanted(name);
  }
  IngestPhaseOptions ingest_options = options.ingest;
  ingest_options.time_limit = options.write_time_limit / std::max(1, system_count);
  if (wanted("rocksdb")) add("rocksdb", OpenRawRocksDb(rocksdb_db, ingest_options));
  std::unique_ptr<ArchiveServer> store, ingest;
  if (wanted("pipeline")) {
    absl::StatusOr<std::unique_ptr<ArchiveServer>> started = ArchiveServer::Start(
        options.binaries.store(),
        {"--db=" + pipeline_db,
         std::string("--sync=") + (options.ingest.sync ? "true" : "false")},
        options.work_dir + "/pipeline_store.log");
    if (started.ok()) {
      store = *std::move(started);
      started =
          ArchiveServer::Start(options.binaries.ingest(),
                               {"--stores=" + store->address(),
                                absl::StrCat("--max_batch=", options.ingest.batch),
                                absl::StrCat("--near_duplicate_threshold=",
                                             options.ingest.near_duplicate_resemblance)},
                               options.work_dir + "/pipeline_ingest.log");
    }
    if (started.ok() && store != nullptr) {
      ingest = *std::move(started);
      add("pipeline", ConnectPipeline(ingest->address(), {ingest->pid(), store->pid()},
                                      ingest_options));
    } else {
      fail("pipeline", started.status());
    }
  }
  if (wanted("postgres")) {
    add("postgres", OpenPostgres(options.postgres, "articles", false, ingest_options));
  }
  if (wanted("postgres_fts")) {
    add("postgres_fts",
        OpenPostgres(options.postgres, "articles_fts", true, ingest_options));
  }
  for (const PeerKind kind : kPeerKinds) {
    if (peers) add(PeerName(kind), OpenPeerTarget(kind, peer_dir(kind), ingest_options));
  }

  // The pipeline's CPU by process, over all rounds (the store's includes
  // its compactions while the other systems had their turns).
  std::optional<double> store_cpu, ingest_cpu;
  if (store != nullptr && ingest != nullptr) {
    store_cpu = CpuSeconds(store->pid());
    ingest_cpu = CpuSeconds(ingest->pid());
  }

  const int64_t total = static_cast<int64_t>(articles.size());
  const int64_t batch = options.ingest.batch;
  const int rounds = std::max(1, options.rounds);
  const int64_t slice = ((total + rounds - 1) / rounds + batch - 1) / batch * batch;
  for (int round = 0; round < rounds; ++round) {
    const int64_t begin = round * slice;
    const int64_t end = std::min(total, begin + slice);
    if (begin >= end) break;
    ARCHIVE_LOG(INFO) << "write round " << round + 1 << " of " << rounds << ": articles "
                      << begin << " to " << end;
    for (size_t k = 0; k < systems.size(); ++k) {
      WriteSystem& system = systems[(round + k) % systems.size()];
      if (system.target == nullptr) continue;
      const MachineCpu before = ReadMachineCpu();
      const absl::Status status = system.target->StoreSlice(articles, begin, end);
      const MachineCpu after = ReadMachineCpu();
      system.machine_busy += after.busy - before.busy;
      system.machine_io_wait += after.io_wait - before.io_wait;
      system.machine_total += after.total() - before.total();
      if (!status.ok()) {
        fail(system.name, status);
        RecordIngest(system.name, system.target->figures(), results);
        system.target.reset();
      }
    }
  }
  for (WriteSystem& system : systems) {
    if (system.target == nullptr) continue;
    RecordIngest(system.name, system.target->figures(), results);
    if (system.machine_total > 0) {
      results->Set(system.name + "_machine_busy",
                   system.machine_busy / system.machine_total);
      results->Set(system.name + "_machine_io_wait",
                   system.machine_io_wait / system.machine_total);
    }
  }
  results->Set("rounds", rounds);
  results->Set("write_time_limit_per_system_s",
               absl::ToDoubleSeconds(ingest_options.time_limit));

  for (const WriteSystem& system : systems) {
    if (system.name != "pipeline" || system.target == nullptr) continue;
    const int64_t done = system.target->figures().articles;
    const auto used = [](std::optional<double> before,
                         pid_t pid) -> std::optional<double> {
      const std::optional<double> after = CpuSeconds(pid);
      if (!before.has_value() || !after.has_value()) return std::nullopt;
      return *after - *before;
    };
    results->Set("pipeline_store_cpu_us_per_article",
                 PerArticleUs(used(store_cpu, store->pid()), done));
    results->Set("pipeline_ingest_cpu_us_per_article",
                 PerArticleUs(used(ingest_cpu, ingest->pid()), done));
  }
  if (store != nullptr && ingest != nullptr) {
    results->Set("store_peak_rss_mb", PeakRssMb(store->pid()));
    results->Set("ingest_peak_rss_mb", PeakRssMb(ingest->pid()));
    // archivectl's memory should not grow with its input.
    const int64_t large = std::max<int64_t>(10, options.archivectl_articles);
    absl::StatusOr<double> small_rss =
        ArchivectlPeakRss(articles, large / 10, ingest->address(), options);
    absl::StatusOr<double> large_rss =
        small_rss.ok() ? ArchivectlPeakRss(articles, large, ingest->address(), options)
                       : small_rss;
    if (large_rss.ok()) {
      results->Set("archivectl_small_articles", static_cast<double>(large / 10));
      results->Set("archivectl_articles", static_cast<double>(large));
      results->Set("archivectl_peak_rss_small_mb", *small_rss);
      results->Set("archivectl_peak_rss_mb", *large_rss);
    } else {
      fail("archivectl", large_rss.status());
    }
  }
  for (WriteSystem& system : systems) system.target.reset();  // closes the raw db
  for (ArchiveServer* server : {ingest.get(), store.get()}) {
    if (server == nullptr) continue;
    const absl::Status stopped = server->Stop();
    if (!stopped.ok()) fail("pipeline", stopped);
  }
  for (const auto& [name, db] : {std::pair(std::string("rocksdb"), rocksdb_db),
                                 std::pair(std::string("pipeline"), pipeline_db),
                                 std::pair(std::string(PeerName(PeerKind::kXapian)),
                                           peer_dir(PeerKind::kXapian)),
                                 std::pair(std::string(PeerName(PeerKind::kSqliteFts)),
                                           peer_dir(PeerKind::kSqliteFts))}) {
    if (!std::filesystem::exists(db)) continue;
    results->Set(name + "_db_mb", DirectoryMb(db));
    std::filesystem::remove_all(db);
  }
  for (const std::string table : {"postgres", "postgres_fts"}) {
    if (!wanted(table)) continue;
    absl::StatusOr<double> mb = PostgresTableMb(
        options.postgres, table == "postgres" ? "articles" : "articles_fts");
    if (mb.ok()) results->Set(table + "_db_mb", *mb);
  }
}

// Whether the figures meet the targets; null when not measured.
void RecordTargets(Results* results) {
  const auto at_most = [&](const std::string& key, const std::string& figure,
                           double limit) {
    const std::optional<double> value = results->Number(figure);
    if (value.has_value()) {
      results->SetFlag(key, *value <= limit);
    } else {
      results->Expect(key);
    }
  };
  const auto at_least = [&](const std::string& key, const std::string& figure,
                            double limit) {
    const std::optional<double> value = results->Number(figure);
    if (value.has_value()) {
      results->SetFlag(key, *value >= limit);
    } else {
      results->Expect(key);
    }
  };
  at_least("target_pipeline_half_of_rocksdb", "ratio_pipeline_rocksdb", 0.5);
  at_least("target_pipeline_3x_postgres", "ratio_pipeline_postgres", 3);
  at_most("target_get_p99_1ms", "get_p99_ms", 1);
  at_most("target_list_p99_5ms", "list_p99_ms", 5);
  at_most("target_search_p99_20ms", "search_p99_ms", 20);
  const std::optional<double> search = results->Number("search_p99_ms");
  const std::optional<double> postgres_search = results->Number("postgres_search_p99_ms");
  if (search.has_value() && postgres_search.has_value()) {
    results->SetFlag("target_search_faster_than_postgres", *search < *postgres_search);
  } else {
    results->Expect("target_search_faster_than_postgres");
  }
  // 1 GiB at a million articles; the archive measured may be smaller.
  at_most("target_store_memory_1gib", "query_store_peak_rss_mb", 1024);
  const std::optional<double> small = results->Number("archivectl_peak_rss_small_mb");
  const std::optional<double> large = results->Number("archivectl_peak_rss_mb");
  if (small.has_value() && large.has_value()) {
    // Flat: ten times the input, at most 10% (or 5 MiB) more memory.
    results->SetFlag("target_archivectl_memory_flat",
                     *large <= std::max(*small * 1.1, *small + 5));
  } else {
    results->Expect("target_archivectl_memory_flat");
  }
}

}  // namespace

Results RunBenchmark(const BenchmarkOptions& options, bool* failed) {
  *failed = false;
  const absl::Time started = absl::Now();
  Results results;
  for (const char* const* key = kRequiredKeys; *key != nullptr; ++key) {
    results.Expect(*key);
  }
  std::filesystem::create_directories(options.work_dir);

  const auto run = [&](const std::string& phase,
                       const std::function<absl::Status()>& body) {
    if (options.phases.count(phase) == 0) return;
    ARCHIVE_LOG(INFO) << "phase " << phase;
    const absl::Time phase_start = absl::Now();
    const absl::Status status = body();
    results.Set(phase + "_phase_s", absl::ToDoubleSeconds(absl::Now() - phase_start));
    if (!status.ok()) {
      ARCHIVE_LOG(ERROR) << "phase " << phase << " failed: " << status;
      results.SetText(phase + "_error", status.ToString());
      *failed = true;
    }
  };

  const Corpus corpus(options.corpus);
  std::vector<v1::Article> articles;
  articles.reserve(options.articles);
  int64_t bytes = 0;
  const absl::Time generating = absl::Now();
  for (int64_t i = 0; i < options.articles; ++i) {
    articles.push_back(corpus.Article(i));
    bytes += TextBytes(articles.back());
  }
  results.Set("articles", static_cast<double>(options.articles));
  results.Set("corpus_mb", bytes / double{1 << 20});
  results.Set("corpus_generate_s", absl::ToDoubleSeconds(absl::Now() - generating));
  results.Set("seed", static_cast<double>(options.corpus.seed));
  results.Set("batch", options.ingest.batch);
  results.Set("writers", options.ingest.writers);
  results.Set("streams", options.ingest.streams);
  results.SetFlag("sync", options.ingest.sync);

  const MachineLoad writes;
  const absl::Time writing = absl::Now();
  RunWritePhases(articles, options, &results, failed);
  writes.Record("writes", &results);
  results.Set("writes_phase_s", absl::ToDoubleSeconds(absl::Now() - writing));
  results.Set("ratio_pipeline_rocksdb", Ratio(results.Number("pipeline_articles_per_s"),
                                              results.Number("rocksdb_articles_per_s")));
  results.Set("ratio_pipeline_postgres",
              Ratio(results.Number("pipeline_articles_per_s"),
                    results.Number("postgres_articles_per_s")));
  results.Set("ratio_rocksdb_postgres", Ratio(results.Number("rocksdb_articles_per_s"),
                                              results.Number("postgres_articles_per_s")));
  results.Set("ratio_pipeline_postgres_fts",
              Ratio(results.Number("pipeline_articles_per_s"),
                    results.Number("postgres_fts_articles_per_s")));
  // The same ratios from CPU per article: what they would be on a quiet
  // machine where each system is CPU-bound on the same cores.
  results.Set("cpu_ratio_pipeline_rocksdb",
              Ratio(results.Number("rocksdb_cpu_us_per_article"),
                    results.Number("pipeline_cpu_us_per_article")));
  results.Set("cpu_ratio_pipeline_postgres",
              Ratio(results.Number("postgres_cpu_us_per_article"),
                    results.Number("pipeline_cpu_us_per_article")));
  results.Set("cpu_ratio_pipeline_postgres_fts",
              Ratio(results.Number("postgres_fts_cpu_us_per_article"),
                    results.Number("pipeline_cpu_us_per_article")));
  for (const PeerKind kind : kPeerKinds) {
    const std::string name = PeerName(kind);
    results.Set("ratio_rocksdb_" + name, Ratio(results.Number("rocksdb_articles_per_s"),
                                               results.Number(name + "_articles_per_s")));
    results.Set("cpu_ratio_rocksdb_" + name,
                Ratio(results.Number(name + "_cpu_us_per_article"),
                      results.Number("rocksdb_cpu_us_per_article")));
  }
  // The phases that compare two archives of their own: the write phases'
  // feed, each of the two with half their budget, and the query phase's
  // reads.
  const auto two_archives = [&](auto* phase) {
    phase->ingest = options.ingest;
    phase->ingest.time_limit = options.write_time_limit / 2;
    phase->rounds = options.rounds;
    phase->query = options.query;
  };
  run("replication", [&] {
    ReplicationPhaseOptions replication;
    two_archives(&replication);
    return RunReplicationPhase(corpus, articles, options.binaries, options.work_dir,
                               replication, &results);
  });
  run("tls", [&] {
    TlsPhaseOptions tls;
    two_archives(&tls);
    tls.certs_script = options.certs_script;
    return RunTlsPhase(corpus, articles, options.binaries, options.work_dir, tls,
                       &results);
  });
  articles.clear();
  articles.shrink_to_fit();

  run("queries", [&] {
    QueryPhaseOptions query = options.query;
    query.postgres = options.postgres;
    query.batch = options.ingest.batch;
    query.peers = options.phases.count("peers") > 0;
    return RunQueryPhase(corpus, options.binaries, options.work_dir, query, &results);
  });
  RecordTargets(&results);
  results.SetFlag("postgres_measured", !options.postgres.empty());
  results.Set("elapsed_s", absl::ToDoubleSeconds(absl::Now() - started));
  return results;
}

}  // namespace archive::bench
