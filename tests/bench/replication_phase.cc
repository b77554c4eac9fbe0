#include "tests/bench/replication_phase.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {
namespace {

constexpr int kStores = 3;

// Three stores and an ingest_server writing `replicas` copies to them.
struct Cluster {
  std::string name;
  std::vector<std::string> dbs;
  std::vector<std::unique_ptr<ArchiveServer>> stores;
  std::unique_ptr<ArchiveServer> ingest;

  std::vector<std::string> StoreAddresses() const {
    std::vector<std::string> addresses;
    for (const auto& store : stores) addresses.push_back(store->address());
    return addresses;
  }
  std::vector<pid_t> Pids() const {
    std::vector<pid_t> pids = {ingest->pid()};
    for (const auto& store : stores) pids.push_back(store->pid());
    return pids;
  }
};

std::vector<std::string> StoreArgs(const std::string& db, bool sync) {
  return {"--db=" + db, std::string("--sync=") + (sync ? "true" : "false")};
}

absl::StatusOr<std::unique_ptr<ArchiveServer>> StartStore(
    const ArchiveBinaries& binaries, const std::string& work_dir, const std::string& name,
    bool sync, const std::string& address = "") {
  return ArchiveServer::Start(binaries.store(), StoreArgs(work_dir + "/" + name, sync),
                              work_dir + "/" + name + ".log", address);
}

absl::StatusOr<Cluster> StartCluster(const std::string& name, int replicas,
                                     const ArchiveBinaries& binaries,
                                     const std::string& work_dir,
                                     const IngestPhaseOptions& ingest) {
  Cluster cluster;
  cluster.name = name;
  for (int s = 0; s < kStores; ++s) {
    const std::string store = absl::StrCat(name, "_store", s);
    cluster.dbs.push_back(work_dir + "/" + store);
    ASSIGN_OR_RETURN(std::unique_ptr<ArchiveServer> started,
                     StartStore(binaries, work_dir, store, ingest.sync));
    cluster.stores.push_back(std::move(started));
  }
  ASSIGN_OR_RETURN(
      cluster.ingest,
      ArchiveServer::Start(binaries.ingest(),
                           {"--stores=" + absl::StrJoin(cluster.StoreAddresses(), ","),
                            absl::StrCat("--replicas=", replicas),
                            absl::StrCat("--max_batch=", ingest.batch),
                            absl::StrCat("--near_duplicate_threshold=",
                                         ingest.near_duplicate_resemblance)},
                           work_dir + "/" + name + "_ingest.log"));
  return cluster;
}

// archivectl rebalance's summary line: "rebalanced N articles over S stores,
// R replica(s) each: C copied, M merged, D removed, F failed".
struct RebalanceSummary {
  long long checked = 0, copied = 0, merged = 0, removed = 0, failed = 0;
};
std::optional<RebalanceSummary> ReadRebalanceSummary(const std::string& log_path) {
  std::ifstream log(log_path);
  std::string line;
  std::optional<RebalanceSummary> found;
  while (std::getline(log, line)) {
    RebalanceSummary summary;
    int stores = 0, replicas = 0;
    if (std::sscanf(line.c_str(),
                    "rebalanced %lld articles over %d stores, %d replica(s) each: %lld "
                    "copied, %lld merged, %lld removed, %lld failed",
                    &summary.checked, &stores, &replicas, &summary.copied,
                    &summary.merged, &summary.removed, &summary.failed) == 7) {
      found = summary;
    }
  }
  return found;
}

}  // namespace

absl::Status RunReplicationPhase(const Corpus& corpus,
                                 const std::vector<v1::Article>& articles,
                                 const ArchiveBinaries& binaries,
                                 const std::string& work_dir,
                                 const ReplicationPhaseOptions& options,
                                 Results* results) {
  if (articles.empty()) return absl::FailedPreconditionError("no articles");
  const IngestPhaseOptions& ingest = options.ingest;
  ASSIGN_OR_RETURN(Cluster r1,
                   StartCluster("replication_r1", 1, binaries, work_dir, ingest));
  ASSIGN_OR_RETURN(Cluster r2,
                   StartCluster("replication_r2", 2, binaries, work_dir, ingest));

  // 1. The same slices into both, in interleaved rounds whose order
  // rotates, as the write phases do.
  std::vector<std::pair<std::string, std::unique_ptr<IngestTarget>>> feeds;
  for (Cluster* cluster : {&r1, &r2}) {
    ASSIGN_OR_RETURN(
        std::unique_ptr<IngestTarget> target,
        ConnectPipeline(cluster->ingest->address(), cluster->Pids(), ingest));
    feeds.emplace_back(cluster->name, std::move(target));
  }
  RETURN_IF_ERROR(StoreInRounds(articles, options.rounds, ingest.batch, feeds, results));
  results->Set("replication_stores", kStores);
  results->Set("replication_ratio_r2_r1",
               Ratio(results->Number("replication_r2_articles_per_s"),
                     results->Number("replication_r1_articles_per_s")));
  results->Set("replication_cpu_ratio_r2_r1",
               Ratio(results->Number("replication_r2_cpu_us_per_article"),
                     results->Number("replication_r1_cpu_us_per_article")));
  feeds.clear();
  RETURN_IF_ERROR(r1.ingest->Stop());
  for (auto& store : r1.stores) RETURN_IF_ERROR(store->Stop());
  for (const std::string& db : r1.dbs) std::filesystem::remove_all(db);
  RETURN_IF_ERROR(r2.ingest->Stop());
  r2.ingest.reset();

  // 2. Reads of the R=2 archive, every store up, then one SIGKILLed.
  for (const auto& store : r2.stores) {
    WaitUntilQuiet(store->pid(), 0.05, absl::Seconds(20));
  }
  const std::vector<std::string> three = r2.StoreAddresses();
  ASSIGN_OR_RETURN(
      std::unique_ptr<ArchiveServer> query,
      ArchiveServer::Start(binaries.query(),
                           {"--stores=" + absl::StrJoin(three, ","), "--replicas=2"},
                           work_dir + "/replication_query.log"));
  const std::vector<StoredArticle> stored = StoredArticles(articles);
  RETURN_IF_ERROR(MeasureArchiveReads(corpus, query->address(), stored, options.query,
                                      "replicated_up_", results));
  const std::string killed_address = r2.stores.back()->address();
  ARCHIVE_LOG(INFO) << "replication: SIGKILL of the store at " << killed_address;
  r2.stores.back().reset();  // SIGKILL, and reaped
  RETURN_IF_ERROR(MeasureArchiveReads(corpus, query->address(), stored, options.query,
                                      "replicated_down_", results));
  RETURN_IF_ERROR(query->Stop());

  // 3. The killed store back on its folder and address (its name ranks
  // alike), a fourth store empty, and the rebalance onto the four.
  ASSIGN_OR_RETURN(
      r2.stores.back(),
      StartStore(binaries, work_dir, absl::StrCat(r2.name, "_store", kStores - 1),
                 ingest.sync, killed_address));
  const std::string fourth_db = absl::StrCat(r2.name, "_store", kStores);
  r2.dbs.push_back(work_dir + "/" + fourth_db);
  ASSIGN_OR_RETURN(std::unique_ptr<ArchiveServer> fourth,
                   StartStore(binaries, work_dir, fourth_db, ingest.sync));
  r2.stores.push_back(std::move(fourth));
  const std::string log_path = work_dir + "/rebalance.log";
  const absl::Time rebalance_start = absl::Now();
  ASSIGN_OR_RETURN(const Finished finished,
                   RunToCompletion({binaries.archivectl(), "rebalance",
                                    "--stores=" + absl::StrJoin(r2.StoreAddresses(), ","),
                                    "--replicas=2"},
                                   log_path));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - rebalance_start);
  if (finished.exit_status != 0) {
    return absl::InternalError(absl::StrCat("archivectl rebalance exited with ",
                                            finished.exit_status, "; see ", log_path));
  }
  const std::optional<RebalanceSummary> summary = ReadRebalanceSummary(log_path);
  if (!summary.has_value()) {
    return absl::InternalError("archivectl rebalance printed no summary; see " +
                               log_path);
  }
  results->Set("rebalance_seconds", seconds);
  results->Set("rebalance_checked", static_cast<double>(summary->checked));
  results->Set("rebalance_copied", static_cast<double>(summary->copied));
  results->Set("rebalance_merged", static_cast<double>(summary->merged));
  results->Set("rebalance_removed", static_cast<double>(summary->removed));
  results->Set("rebalance_failed", static_cast<double>(summary->failed));
  results->Set("rebalance_articles_per_s", seconds > 0 ? summary->checked / seconds : 0);
  results->Set("rebalance_peak_rss_mb", finished.peak_rss_mb);
  for (auto& store : r2.stores) RETURN_IF_ERROR(store->Stop());
  for (const std::string& db : r2.dbs) std::filesystem::remove_all(db);
  return absl::OkStatus();
}

}  // namespace archive::bench
