#include "common/thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "gtest/gtest.h"

namespace archive {
namespace {

TEST(ThreadPoolTest, RunsEveryAcceptedTaskBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(2, 1000);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(pool.TrySchedule([&ran] { ran.fetch_add(1); }));
    }
  }
  EXPECT_EQ(ran.load(), 500);
}

TEST(ThreadPoolTest, RefusesWhenTheQueueIsFull) {
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  std::atomic<int> started{0};
  ThreadPool pool(1, 2);
  auto blocker = [&] {
    started.fetch_add(1);
    std::unique_lock<std::mutex> lock(mutex);
    released.wait(lock, [&] { return release; });
  };
  ASSERT_TRUE(pool.TrySchedule(blocker));
  while (started.load() == 0) std::this_thread::yield();
  // The worker is busy: two more fit in the queue, the third is refused.
  EXPECT_TRUE(pool.TrySchedule([] {}));
  EXPECT_TRUE(pool.TrySchedule([] {}));
  EXPECT_FALSE(pool.TrySchedule([] {}));
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  released.notify_all();
}

}  // namespace
}  // namespace archive
