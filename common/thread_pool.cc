#include "common/thread_pool.h"

#include <utility>

namespace archive {

ThreadPool::ThreadPool(int threads, size_t max_queued)
    : max_queued_(max_queued) {
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
  }
  ready_.SignalAll();
  for (std::thread& worker : workers_) worker.join();
}

bool ThreadPool::TrySchedule(std::function<void()> task) {
  {
    MutexLock lock(&mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
  }
  ready_.Signal();
  return true;
}

void ThreadPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(&mutex_);
      while (!Ready()) ready_.Wait(&mutex_);
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace archive
