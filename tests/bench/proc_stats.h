// What /proc says about processes and the machine, for the benchmark's
// figures of memory and CPU. Linux only; every function is thread-safe.
#ifndef TESTS_BENCH_PROC_STATS_H_
#define TESTS_BENCH_PROC_STATS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace archive::bench {

// The process's peak resident memory (VmHWM), in MiB; nullopt once it is
// gone.
std::optional<double> PeakRssMb(pid_t pid);

// CPU time (user + system) the process has used so far, in seconds.
std::optional<double> CpuSeconds(pid_t pid);
// The same summed over `pids`; nullopt once one of them is gone.
std::optional<double> CpuSeconds(const std::vector<pid_t>& pids);

// CPU time (user + system) this process, and the calling thread, have used
// so far, in seconds (getrusage: exact, where /proc counts in ticks).
double ProcessCpuSeconds();
double ThreadCpuSeconds();

// The process's parent.
std::optional<pid_t> ParentPid(pid_t pid);

// CPU seconds so far of `pid` and of its living children (a PostgreSQL
// server: the postmaster and its backends and workers).
std::optional<double> FamilyCpuSeconds(pid_t pid);

// The machine's CPU time so far (/proc/stat), in seconds of all cores.
struct MachineCpu {
  double busy = 0;  // user, nice, system, irq, softirq, steal
  double io_wait = 0;
  double idle = 0;
  double total() const { return busy + io_wait + idle; }
};
MachineCpu ReadMachineCpu();

// Waits until `pid` uses less than `busy_share` of one core over a second
// (RocksDB's compactions after a load, say), at most `limit`.
void WaitUntilQuiet(pid_t pid, double busy_share, absl::Duration limit);

// Bytes of the files under `path`, in MiB.
double DirectoryMb(const std::string& path);

}  // namespace archive::bench

#endif  // TESTS_BENCH_PROC_STATS_H_
