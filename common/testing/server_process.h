// Real server processes for tests: start a binary from the test's runfiles
// on a free loopback port, wait until it is healthy, signal it, reap it.
// Test-only.
#ifndef COMMON_TESTING_SERVER_PROCESS_H_
#define COMMON_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace archive::testing {

// A loopback port that was free a moment ago.
int PickFreePort();

// A new empty directory under the test's temporary directory.
std::string MakeTempDir(const std::string& prefix);

// Threads of process `pid` (entries of /proc/PID/task); -1 if it is gone.
int ThreadCount(pid_t pid);

// Resident memory (VmRSS) of process `pid`, in bytes; -1 if it is gone.
int64_t ResidentBytes(pid_t pid);

// One child process, killed with SIGKILL by the destructor if still running.
class ServerProcess {
 public:
  // Starts `binary` (a path relative to the runfiles root, such as
  // "store/store_server") with `args`; stdout and stderr go to `log_path`.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& log_path);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  pid_t pid() const { return pid_; }

  void Signal(int signal_number);

  // Waits for the process to end; its exit code, or 128 + the signal that
  // ended it. DEADLINE_EXCEEDED if it is still running after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // The process's output so far.
  std::string Log() const;

 private:
  ServerProcess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  bool reaped_ = false;
  std::string log_path_;
};

}  // namespace archive::testing

#endif  // COMMON_TESTING_SERVER_PROCESS_H_
