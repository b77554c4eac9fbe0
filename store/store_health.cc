#include "store/store_health.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"

namespace archive::store {

bool IsTransientFailure(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kAborted;
}

StoreHealth::StoreHealth(std::vector<std::string> names, absl::Duration initial,
                         absl::Duration max)
    : names_(std::move(names)), initial_(initial), max_(max) {
  MutexLock lock(&mutex_);
  states_.resize(names_.size());
  for (State& state : states_) state.next_down = initial_;
}

bool StoreHealth::IsDown(size_t store, absl::Time now) const {
  MutexLock lock(&mutex_);
  return now < states_[store].down_until;
}

void StoreHealth::Report(size_t store, const absl::Status& status, absl::Time now) {
  MutexLock lock(&mutex_);
  State& state = states_[store];
  if (status.ok()) {
    if (state.next_down != initial_) {
      ARCHIVE_LOG(INFO) << "store " << names_[store] << " answers again";
    }
    state.down_until = absl::InfinitePast();
    state.next_down = initial_;
    return;
  }
  if (!IsTransientFailure(status.code()) || now < state.down_until) return;
  ARCHIVE_LOG(WARNING) << "store " << names_[store] << " passed over for "
                       << absl::FormatDuration(state.next_down) << ": " << status;
  state.down_until = now + state.next_down;
  state.next_down = std::min(state.next_down * 2, max_);
}

}  // namespace archive::store
