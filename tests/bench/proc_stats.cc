#include "tests/bench/proc_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace archive::bench {
namespace {

// The fields of /proc/PID/stat after the command name (which is in
// parentheses and may hold spaces): [0] is field 3, the state.
std::optional<std::vector<std::string>> StatFields(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  const size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 > text.size()) return std::nullopt;
  std::istringstream in(text.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() < 13) return std::nullopt;
  return fields;
}

double Seconds(const struct rusage& usage) {
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

double UsageSeconds(int who) {
  struct rusage usage = {};
  ::getrusage(who, &usage);
  return Seconds(usage);
}

}  // namespace

double ProcessCpuSeconds() { return UsageSeconds(RUSAGE_SELF); }

double ThreadCpuSeconds() { return UsageSeconds(RUSAGE_THREAD); }

std::optional<double> PeakRssMb(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::strtod(line.c_str() + 6, nullptr) / 1024.0;  // kB
    }
  }
  return std::nullopt;
}

std::optional<double> CpuSeconds(pid_t pid) {
  const std::optional<std::vector<std::string>> fields = StatFields(pid);
  if (!fields.has_value()) return std::nullopt;
  // utime and stime are fields 14 and 15, in clock ticks.
  const double ticks = std::strtod((*fields)[11].c_str(), nullptr) +
                       std::strtod((*fields)[12].c_str(), nullptr);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<double> CpuSeconds(const std::vector<pid_t>& pids) {
  double total = 0;
  for (pid_t pid : pids) {
    const std::optional<double> cpu = CpuSeconds(pid);
    if (!cpu.has_value()) return std::nullopt;
    total += *cpu;
  }
  return total;
}

std::optional<pid_t> ParentPid(pid_t pid) {
  const std::optional<std::vector<std::string>> fields = StatFields(pid);
  if (!fields.has_value()) return std::nullopt;
  return static_cast<pid_t>(std::strtol((*fields)[1].c_str(), nullptr, 10));
}

std::optional<double> FamilyCpuSeconds(pid_t pid) {
  std::optional<double> total = CpuSeconds(pid);
  if (!total.has_value()) return std::nullopt;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    pid_t child = 0;
    if (!absl::SimpleAtoi(it->path().filename().string(), &child)) continue;
    if (ParentPid(child) == pid) *total += CpuSeconds(child).value_or(0);
  }
  return total;
}

MachineCpu ReadMachineCpu() {
  std::ifstream stat("/proc/stat");
  std::string label;
  double user = 0, nice = 0, system = 0, idle = 0, io_wait = 0, irq = 0, softirq = 0,
         steal = 0;
  stat >> label >> user >> nice >> system >> idle >> io_wait >> irq >> softirq >> steal;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  MachineCpu cpu;
  cpu.busy = (user + nice + system + irq + softirq + steal) / tick;
  cpu.io_wait = io_wait / tick;
  cpu.idle = idle / tick;
  return cpu;
}

void WaitUntilQuiet(pid_t pid, double busy_share, absl::Duration limit) {
  const absl::Time give_up = absl::Now() + limit;
  std::optional<double> before = CpuSeconds(pid);
  while (before.has_value() && absl::Now() < give_up) {
    absl::SleepFor(absl::Seconds(1));
    const std::optional<double> after = CpuSeconds(pid);
    if (!after.has_value() || *after - *before < busy_share) return;
    before = after;
  }
}

double DirectoryMb(const std::string& path) {
  std::error_code error;
  uintmax_t bytes = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(path, error);
       !error && it != std::filesystem::recursive_directory_iterator();
       it.increment(error)) {
    if (it->is_regular_file(error)) bytes += it->file_size(error);
  }
  return static_cast<double>(bytes) / (1 << 20);
}

}  // namespace archive::bench
