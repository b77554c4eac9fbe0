// The page_size rule of every paged read (AIP-158): 0 means the read's
// default, more than its maximum means the maximum, and a negative size is
// INVALID_ARGUMENT "page_size: must not be negative". Pure: safe from any
// thread.
#ifndef COMMON_PAGE_SIZE_H_
#define COMMON_PAGE_SIZE_H_

#include <algorithm>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace archive {

inline absl::StatusOr<int> ResolvePageSize(int requested, int default_size,
                                           int max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  return requested == 0 ? default_size : std::min(requested, max_size);
}

}  // namespace archive

#endif  // COMMON_PAGE_SIZE_H_
