#include "store/store_health.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace archive::store {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

TEST(StoreHealthTest, AFailedStoreIsPassedOverForLongerEachTime) {
  StoreHealth health({"a:1", "b:1"}, absl::Milliseconds(100), absl::Milliseconds(300));
  EXPECT_FALSE(health.IsDown(0, kNow));
  health.Report(0, absl::UnavailableError("refused"), kNow);
  EXPECT_TRUE(health.IsDown(0, kNow + absl::Milliseconds(99)));
  EXPECT_FALSE(health.IsDown(0, kNow + absl::Milliseconds(100)));
  EXPECT_FALSE(health.IsDown(1, kNow));

  // Tried again and failing: twice as long, then no longer than the most.
  absl::Time again = kNow + absl::Milliseconds(100);
  health.Report(0, absl::DeadlineExceededError("hung"), again);
  EXPECT_TRUE(health.IsDown(0, again + absl::Milliseconds(199)));
  EXPECT_FALSE(health.IsDown(0, again + absl::Milliseconds(200)));
  again += absl::Milliseconds(200);
  health.Report(0, absl::UnavailableError("refused"), again);
  again += absl::Milliseconds(300);
  EXPECT_FALSE(health.IsDown(0, again));
  health.Report(0, absl::UnavailableError("refused"), again);
  EXPECT_TRUE(health.IsDown(0, again + absl::Milliseconds(299)));
  EXPECT_FALSE(health.IsDown(0, again + absl::Milliseconds(300)));
}

TEST(StoreHealthTest, OneSuccessEndsIt) {
  StoreHealth health({"a:1"}, absl::Milliseconds(100), absl::Seconds(10));
  health.Report(0, absl::UnavailableError("refused"), kNow);
  health.Report(0, absl::OkStatus(), kNow + absl::Milliseconds(1));
  EXPECT_FALSE(health.IsDown(0, kNow + absl::Milliseconds(2)));
  // And the next failure starts from the shortest pass-over again.
  health.Report(0, absl::UnavailableError("refused"), kNow + absl::Seconds(1));
  EXPECT_FALSE(health.IsDown(0, kNow + absl::Seconds(1) + absl::Milliseconds(100)));
}

TEST(StoreHealthTest, ARefusedRequestSaysNothingOfTheStore) {
  StoreHealth health({"a:1"});
  health.Report(0, absl::InvalidArgumentError("items[0].article.title"), kNow);
  health.Report(0, absl::DataLossError("damaged"), kNow);
  EXPECT_FALSE(health.IsDown(0, kNow));
}

TEST(StoreHealthTest, IsSafeFromManyThreads) {
  // Under ThreadSanitizer in tests/run.sh: reports and reads from the
  // threads of a pipeline and a fan-out at once.
  StoreHealth health({"a:1", "b:1", "c:1"}, absl::Microseconds(50), absl::Milliseconds(1));
  std::vector<std::thread> threads;
  std::atomic<int> down_seen{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const size_t store = static_cast<size_t>((t + i) % 3);
        const absl::Time now = absl::Now();
        health.Report(store, i % 3 == 0 ? absl::OkStatus() : absl::UnavailableError("x"),
                      now);
        down_seen += health.IsDown(store, now) ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(down_seen.load(), 0);
}

}  // namespace
}  // namespace archive::store
