// The archive as real processes for reliability tests: store, ingest and
// query servers on loopback ports that stay the same across restarts, so a
// server killed with SIGKILL comes back where its peers expect it, on the same
// database. Also what those tests share: distinct articles in the archive's
// normal form, reading everything back through the query server, and what
// /proc says about a process. Test-only; one thread drives a cluster.
#ifndef TESTS_CRASH_ARCHIVE_CLUSTER_H_
#define TESTS_CRASH_ARCHIVE_CLUSTER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/testing/server_process.h"
#include "grpcpp/channel.h"

namespace archive::reliability {

// Paths relative to the runfiles root, the working directory of `bazel test`.
inline constexpr char kStoreServer[] = "store/store_server";
inline constexpr char kIngestServer[] = "ingest/ingest_server";
inline constexpr char kQueryServer[] = "query/query_server";

// Run outside `bazel test` (bazel-bin/tests/crash/crash_test --cycles=200),
// a test binary finds the servers in its runfiles tree: this changes to that
// directory when the working directory does not hold them. Call from main.
void EnterRunfiles(const char* argv0);

// A fresh directory (under the test's temporary directory) for one test's
// databases and logs: removed at the end if the test passed, else kept and
// named on stdout.
class TestDir {
 public:
  explicit TestDir(const std::string& prefix);
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  ~TestDir();

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
};

// One server process that can be killed and started again with the same
// flags on the same address. Its output, across restarts, is in one log.
class RestartableServer {
 public:
  // `binary` as kStoreServer; `--listen` on a free loopback port is added,
  // one below the kernel's ephemeral range, so that no other process picks
  // it up while this server is down.
  RestartableServer(std::string binary, std::vector<std::string> args,
                    std::string log_path);
  RestartableServer(const RestartableServer&) = delete;
  RestartableServer& operator=(const RestartableServer&) = delete;

  // Starts the process and waits (up to `timeout`) until it reports
  // SERVING. The previous process, if any, must have been reaped.
  absl::Status Start(absl::Duration timeout = absl::Seconds(30));

  // SIGKILL, then reaps it; an error unless it died of that signal.
  absl::Status Kill();

  // Sends `signal_number` (SIGSTOP, SIGCONT, SIGTERM...).
  void Signal(int signal_number);

  // Reaps the process: its exit code, or 128 + the signal that ended it.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  const std::string& address() const { return address_; }
  pid_t pid() const;
  bool running() const { return process_ != nullptr && !reaped_; }
  std::string Log() const;

 private:
  const std::string binary_;
  const std::vector<std::string> args_;
  const std::string log_path_;
  const std::string address_;
  std::unique_ptr<testing::ServerProcess> process_;
  bool reaped_ = false;
};

struct ClusterOptions {
  int stores = 2;
  // Flags for every store (besides --listen and --db), for ingest and for
  // query (besides --listen and --stores).
  std::vector<std::string> store_flags;
  std::vector<std::string> ingest_flags;
  std::vector<std::string> query_flags;
  bool start_query = true;
};

// Stores in `dir`/store<i> (logs beside them), then ingest and query in
// front of all of them.
class ArchiveCluster {
 public:
  static absl::StatusOr<std::unique_ptr<ArchiveCluster>> Start(
      const std::string& dir, const ClusterOptions& options);

  RestartableServer& store(int i) { return *stores_[i]; }
  int store_count() const { return static_cast<int>(stores_.size()); }
  RestartableServer& ingest() { return *ingest_; }
  // Null unless options.start_query.
  RestartableServer* query() { return query_.get(); }
  std::vector<std::string> store_addresses() const;
  // The directory of the databases and logs.
  const std::string& dir() const { return dir_; }

 private:
  explicit ArchiveCluster(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;

  std::vector<std::unique_ptr<RestartableServer>> stores_;
  std::unique_ptr<RestartableServer> ingest_;
  std::unique_ptr<RestartableServer> query_;
};

// A client channel that reconnects within a quarter second once its server
// is back, rather than after gRPC's default backoff of a second or more.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address);

// Article `n` of a run seeded `seed`: of `source`, a title and a body of
// `words` pseudo-words that no other (seed, n) shares, already in the
// archive's normal form (so the archive keeps them byte for byte), published
// n seconds after 2023-01-13, with id and content_digest set.
v1::Article DistinctArticle(const std::string& source, uint64_t seed, int n,
                            int words = 60);

// Every article of `source` through the query server, page after page
// (oldest first). Retries UNAVAILABLE (a store just restarted) until
// `deadline`.
absl::StatusOr<std::vector<v1::Article>> ListEverything(
    const std::string& query_address, const std::string& source,
    absl::Time deadline);

// GetStats through the query server, retrying UNAVAILABLE until `deadline`.
absl::StatusOr<v1::GetStatsResponse> ArchiveStats(const std::string& query_address,
                                                  absl::Time deadline);


}  // namespace archive::reliability

#endif  // TESTS_CRASH_ARCHIVE_CLUSTER_H_
