// Mutex, MutexLock, ReaderMutexLock and CondVar: std::shared_mutex and
// std::condition_variable_any with abseil's thread-safety annotations, so
// that clang's -Wthread-safety (--config=tsa) checks what each lock guards.
//
// Why not absl::Mutex, which is annotated already: Debian's libabsl is not
// built with ThreadSanitizer, and absl::Mutex synchronizes through atomics
// inside it, which TSan cannot see, so every access it guards would be
// reported as a race. The standard library's locks end in pthread calls,
// which TSan intercepts. Use as absl::Mutex: annotate state with
// ABSL_GUARDED_BY(mutex_), functions with ABSL_EXCLUSIVE_LOCKS_REQUIRED.
//
// A Mutex is not recursive. All of it is safe from any thread.
#ifndef COMMON_MUTEX_H_
#define COMMON_MUTEX_H_

#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace archive {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mutex_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mutex_.unlock(); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mutex_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mutex_.unlock_shared(); }

 private:
  friend class CondVar;
  std::shared_mutex mutex_;
};

// Holds `mutex` exclusively for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mutex) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex)
      : mutex_(mutex) {
    mutex_->Lock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mutex_->Unlock(); }

 private:
  Mutex* const mutex_;
};

// Holds `mutex` shared for its scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mutex) ABSL_SHARED_LOCK_FUNCTION(mutex)
      : mutex_(mutex) {
    mutex_->ReaderLock();
  }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mutex_->ReaderUnlock(); }

 private:
  Mutex* const mutex_;
};

// Waiting for a condition on state a Mutex guards: Wait with the mutex held
// exclusively, in a loop that checks the condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases `mutex`, waits for a Signal (or spuriously), takes it again.
  void Wait(Mutex* mutex) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    std::unique_lock<std::shared_mutex> lock(mutex->mutex_, std::adopt_lock);
    condition_.wait(lock);
    lock.release();
  }
  // As Wait, but returns by `deadline` at the latest.
  void WaitWithDeadline(Mutex* mutex, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    std::unique_lock<std::shared_mutex> lock(mutex->mutex_, std::adopt_lock);
    condition_.wait_until(lock, absl::ToChronoTime(deadline));
    lock.release();
  }
  void Signal() { condition_.notify_one(); }
  void SignalAll() { condition_.notify_all(); }

 private:
  std::condition_variable_any condition_;
};

}  // namespace archive

#endif  // COMMON_MUTEX_H_
