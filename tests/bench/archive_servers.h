// The archive's servers as the benchmark runs them: real processes of the
// built binaries on free loopback ports; and archivectl run to its end.
#ifndef TESTS_BENCH_ARCHIVE_SERVERS_H_
#define TESTS_BENCH_ARCHIVE_SERVERS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/testing/server_process.h"
#include "common/tls.h"

namespace archive::bench {

// Where the built binaries are: `root` holds store/store_server,
// ingest/ingest_server, query/query_server and cli/archivectl, as bazel-bin
// and a runfiles tree both do.
struct ArchiveBinaries {
  std::string root;
  std::string store() const { return root + "/store/store_server"; }
  std::string ingest() const { return root + "/ingest/ingest_server"; }
  std::string query() const { return root + "/query/query_server"; }
  std::string archivectl() const { return root + "/cli/archivectl"; }
};

// One server process, serving once Start returns; killed if still running
// when destroyed.
class ArchiveServer {
 public:
  // Starts `binary` with `args` and --listen on a free loopback port (on
  // `address` when given: a server started again under the same name, which
  // placement ranks by), its output in `log_path`, and waits (up to a
  // minute) until it is SERVING, asking with `security`'s credentials (a
  // server with TLS; with mutual TLS, credentials with a certificate).
  static absl::StatusOr<std::unique_ptr<ArchiveServer>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& log_path, const std::string& address = "",
      const ClientSecurity& security = PlaintextClient());

  const std::string& address() const { return address_; }
  pid_t pid() const { return process_->pid(); }

  // SIGTERM, then waits for a clean exit; the server drains and closes.
  absl::Status Stop();

 private:
  ArchiveServer(std::unique_ptr<testing::ServerProcess> process, std::string address)
      : process_(std::move(process)), address_(std::move(address)) {}

  std::unique_ptr<testing::ServerProcess> process_;
  std::string address_;
};

// Runs `argv` (argv[0] a path) to its end, its output appended to
// `log_path`; its exit status, and its peak resident memory in MiB: its
// VmHWM, read every 10 ms while it runs. (Not the rusage of the child: its
// ru_maxrss counts the copy of this process it was before exec.)
struct Finished {
  int exit_status = 0;
  double peak_rss_mb = 0;
};
absl::StatusOr<Finished> RunToCompletion(const std::vector<std::string>& argv,
                                         const std::string& log_path);

}  // namespace archive::bench

#endif  // TESTS_BENCH_ARCHIVE_SERVERS_H_
