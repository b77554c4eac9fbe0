#include "tests/bench/fixed_rate.h"

#include <atomic>
#include <set>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace archive::bench {
namespace {

TEST(QuantileTest, NearestRank) {
  std::vector<double> values = {5, 1, 4, 2, 3, 6, 7, 8, 9, 10};
  EXPECT_EQ(Quantile(&values, 0.5), 5);
  EXPECT_EQ(Quantile(&values, 0.9), 9);
  EXPECT_EQ(Quantile(&values, 0.99), 10);
  EXPECT_EQ(Quantile(&values, 0), 1);
  std::vector<double> none;
  EXPECT_EQ(Quantile(&none, 0.99), 0);
}

TEST(RunAtFixedRateTest, MakesEveryCallOnceAndCountsErrors) {
  std::atomic<int> made{0};
  std::set<int64_t> seen;
  std::mutex mutex;
  const LatencySummary summary = RunAtFixedRate(
      500, absl::Milliseconds(20), absl::Milliseconds(200), 4,
      [&](int worker, int64_t i) {
        EXPECT_LT(worker, 4);
        std::lock_guard<std::mutex> lock(mutex);
        EXPECT_TRUE(seen.insert(i).second);
        ++made;
        return i % 10 == 0 ? absl::UnavailableError("down") : absl::OkStatus();
      });
  EXPECT_EQ(made, 110);  // 10 warm-up calls, then 100 measured
  EXPECT_EQ(summary.calls, 100);
  EXPECT_EQ(summary.errors, 10);
  EXPECT_EQ(summary.first_error.find("UNAVAILABLE"), 0u);
  EXPECT_LT(summary.p50_ms, 50);
}

TEST(RunAtFixedRateTest, WaitingBehindSlowCallsCounts) {
  // One worker, calls of 20 ms offered every 10 ms: each waits longer than
  // the one before, and the latency says so.
  const LatencySummary summary = RunAtFixedRate(
      100, absl::ZeroDuration(), absl::Milliseconds(200), 1, [](int, int64_t) {
        absl::SleepFor(absl::Milliseconds(20));
        return absl::OkStatus();
      });
  EXPECT_EQ(summary.calls, 20);
  EXPECT_GT(summary.p99_ms, 150);
  EXPECT_LT(summary.achieved_per_s, 60);
}

}  // namespace
}  // namespace archive::bench
