// StoreHealth: which stores a caller passes over for a moment because they
// just failed, so that a store that is down or hangs (SIGSTOP: its
// connection is up but nothing answers) costs one failed call, not one per
// request. A store that fails is passed over for `initial` (250 ms), doubling
// to `max` (10 s) while it keeps failing when tried again; one success ends
// it. Shared by ingest's pipeline and query's fan-out.
//
// Thread-safe.
#ifndef STORE_STORE_HEALTH_H_
#define STORE_STORE_HEALTH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/mutex.h"

namespace archive::store {

// Whether a failure says the store may be down, rather than that the
// request was wrong: what makes a call worth trying again or elsewhere.
bool IsTransientFailure(absl::StatusCode code);

class StoreHealth {
 public:
  // `names` for the log, one per store.
  explicit StoreHealth(std::vector<std::string> names,
                       absl::Duration initial = absl::Milliseconds(250),
                       absl::Duration max = absl::Seconds(10));

  // Whether store `store` is passed over at `now`.
  bool IsDown(size_t store, absl::Time now) const ABSL_LOCKS_EXCLUDED(mutex_);
  // A call to `store` ended with `status`: OK marks it up, a transient
  // failure down (logged once a time it goes down), others change nothing.
  void Report(size_t store, const absl::Status& status, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mutex_);

 private:
  struct State {
    absl::Time down_until = absl::InfinitePast();
    absl::Duration next_down;
  };

  const std::vector<std::string> names_;
  const absl::Duration initial_;
  const absl::Duration max_;
  mutable Mutex mutex_;
  std::vector<State> states_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace archive::store

#endif  // STORE_STORE_HEALTH_H_
