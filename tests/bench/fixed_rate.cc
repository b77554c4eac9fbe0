#include "tests/bench/fixed_rate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"

namespace archive::bench {

double Quantile(std::vector<double>* values, double p) {
  if (values->empty()) return 0;
  std::sort(values->begin(), values->end());
  const size_t rank = static_cast<size_t>(std::ceil(p * values->size()));
  return (*values)[std::min(values->size() - 1, rank == 0 ? 0 : rank - 1)];
}

LatencySummary RunAtFixedRate(
    double rate, absl::Duration warmup, absl::Duration duration, int workers,
    const std::function<absl::Status(int worker, int64_t i)>& call) {
  const int64_t warmup_calls = static_cast<int64_t>(rate * absl::ToDoubleSeconds(warmup));
  const int64_t total_calls =
      warmup_calls +
      std::max<int64_t>(1, static_cast<int64_t>(rate * absl::ToDoubleSeconds(duration)));
  const absl::Duration interval = absl::Seconds(1.0 / rate);
  std::atomic<int64_t> next{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  LatencySummary summary;
  summary.offered_per_s = rate;

  const absl::Time start = absl::Now() + absl::Milliseconds(20);
  absl::Time measured_start = start + warmup_calls * interval;
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      std::vector<double> mine;
      int64_t errors = 0;
      std::string first_error;
      for (int64_t i = next++; i < total_calls; i = next++) {
        const absl::Time due = start + i * interval;
        const absl::Time now = absl::Now();
        if (due > now) absl::SleepFor(due - now);
        const absl::Status status = call(w, i);
        if (i < warmup_calls) continue;
        mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - due));
        if (!status.ok()) {
          ++errors;
          if (first_error.empty()) first_error = status.ToString();
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      summary.errors += errors;
      if (summary.first_error.empty()) summary.first_error = first_error;
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - measured_start);
  summary.calls = static_cast<int64_t>(latencies_ms.size());
  summary.achieved_per_s = seconds > 0 ? summary.calls / seconds : 0;
  summary.p50_ms = Quantile(&latencies_ms, 0.50);
  summary.p90_ms = Quantile(&latencies_ms, 0.90);
  summary.p99_ms = Quantile(&latencies_ms, 0.99);
  summary.max_ms = latencies_ms.empty() ? 0 : latencies_ms.back();
  return summary;
}

}  // namespace archive::bench
