// A fixed set of worker threads with a bounded queue, for work that blocks
// (RocksDB reads and fsyncs) and so must stay off gRPC's callback threads.
//
// TrySchedule never blocks: when the queue is full it refuses, and the caller
// sheds the request (RESOURCE_EXHAUSTED) instead of growing a backlog. The
// destructor runs every task already accepted, then joins the workers.
// Thread-safe.
#ifndef COMMON_THREAD_POOL_H_
#define COMMON_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace archive {

class ThreadPool {
 public:
  ThreadPool(int threads, size_t max_queued);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  // Queues `task`; false when max_queued tasks are already waiting.
  bool TrySchedule(std::function<void()> task);

 private:
  void Work();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> workers_;
};

}  // namespace archive

#endif  // COMMON_THREAD_POOL_H_
