// A fixed set of worker threads with a bounded queue, for work that blocks
// (RocksDB reads and fsyncs) and so must stay off gRPC's callback threads.
//
// TrySchedule never blocks: when the queue is full it refuses, and the caller
// sheds the request (RESOURCE_EXHAUSTED) instead of growing a backlog. The
// destructor runs every task already accepted, then joins the workers.
// Thread-safe.
#ifndef COMMON_THREAD_POOL_H_
#define COMMON_THREAD_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/mutex.h"

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
  void Work() ABSL_LOCKS_EXCLUDED(mutex_);
  // A worker has something to do: a task, or to stop.
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return stopping_ || !queue_.empty();
  }

  const size_t max_queued_;
  Mutex mutex_;
  // Signalled when a task is queued or the pool stops.
  CondVar ready_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace archive

#endif  // COMMON_THREAD_POOL_H_
