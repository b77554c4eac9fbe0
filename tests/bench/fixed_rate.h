// Drives calls at a fixed offered rate and reports their latency, as a
// service's users see it.
//
// Call i is due at start + i / rate, whether or not earlier calls have
// returned (an open loop, as independent users are), and its latency runs
// from when it was due, not from when a worker got to it: when the system
// falls behind, the waiting counts (no "coordinated omission"). `workers`
// threads take the calls in order, so at most that many are under way.
#ifndef TESTS_BENCH_FIXED_RATE_H_
#define TESTS_BENCH_FIXED_RATE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace archive::bench {

struct LatencySummary {
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;
  double offered_per_s = 0;
  double achieved_per_s = 0;  // calls completed / wall time
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Calls `call(worker, i)` for i = 0, 1, ... at `rate` per second for
// `duration`, after `warmup` of the same load that is not measured (its
// calls get the first indexes).
LatencySummary RunAtFixedRate(
    double rate, absl::Duration warmup, absl::Duration duration, int workers,
    const std::function<absl::Status(int worker, int64_t i)>& call);

// The p-quantile (0 <= p <= 1) of `values`, by the nearest-rank method;
// 0 when empty. Sorts `values`.
double Quantile(std::vector<double>* values, double p);

}  // namespace archive::bench

#endif  // TESTS_BENCH_FIXED_RATE_H_
