#include "tests/bench/archive_servers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/health_client.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {

absl::StatusOr<std::unique_ptr<ArchiveServer>> ArchiveServer::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& log_path, const std::string& fixed_address,
    const ClientSecurity& security) {
  absl::Status last_failure;
  // A free port can be taken between picking it and binding it: try again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string address =
        fixed_address.empty() ? absl::StrCat("127.0.0.1:", testing::PickFreePort())
                              : fixed_address;
    std::vector<std::string> all_args = args;
    all_args.push_back("--listen=" + address);
    absl::StatusOr<std::unique_ptr<testing::ServerProcess>> process =
        testing::ServerProcess::Start(binary, all_args, log_path);
    if (!process.ok()) return process.status();
    const absl::Time give_up = absl::Now() + absl::Minutes(1);
    while (absl::Now() < give_up) {
      if (WaitUntilServing(address, absl::Seconds(1), security.credentials).ok()) {
        return std::unique_ptr<ArchiveServer>(
            new ArchiveServer(*std::move(process), address));
      }
      absl::StatusOr<int> exited = (*process)->Wait(absl::ZeroDuration());
      if (exited.ok()) {
        last_failure = absl::UnavailableError(
            absl::StrCat(binary, " exited with status ", *exited, "; see ", log_path));
        break;
      }
    }
    if (last_failure.ok()) {
      last_failure = absl::DeadlineExceededError(
          absl::StrCat(binary, " did not serve within a minute; see ", log_path));
    }
  }
  return last_failure;
}

absl::Status ArchiveServer::Stop() {
  process_->Signal(SIGTERM);
  absl::StatusOr<int> status = process_->Wait(absl::Minutes(1));
  if (!status.ok()) return status.status();
  if (*status != 0) {
    return absl::InternalError(
        absl::StrCat("server at ", address_, " exited with ", *status));
  }
  return absl::OkStatus();
}

absl::StatusOr<Finished> RunToCompletion(const std::vector<std::string>& argv,
                                         const std::string& log_path) {
  std::vector<std::string> storage = argv;
  std::vector<char*> pointers;
  for (std::string& arg : storage) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path));
  // Closed by a successful exec: until then the child is a copy of this
  // process, whose memory is not the child's to report.
  int exec_done[2];
  if (::pipe2(exec_done, O_CLOEXEC) != 0) {
    ::close(log);
    return absl::InternalError("pipe failed");
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    ::close(exec_done[0]);
    ::close(exec_done[1]);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  ::close(log);
  ::close(exec_done[1]);
  char unused;
  while (::read(exec_done[0], &unused, 1) < 0 && errno == EINTR) {
  }
  ::close(exec_done[0]);
  Finished finished;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) {
      return absl::InternalError(absl::StrCat("waiting for ", argv[0], " failed"));
    }
    // VmHWM only grows; once the process has exited there is none to read.
    finished.peak_rss_mb = std::max(finished.peak_rss_mb, PeakRssMb(pid).value_or(0));
    absl::SleepFor(absl::Milliseconds(10));
  }
  finished.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return finished;
}

}  // namespace archive::bench
