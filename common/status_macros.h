// Early-return helpers for absl::Status and absl::StatusOr<T>.
//
// abseil 20220623 ships no status_macros.h; these are the project's only
// copies. Use them instead of ad-hoc `if (!s.ok()) return s;` chains.
#ifndef COMMON_STATUS_MACROS_H_
#define COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ARCHIVE_STATUS_CONCAT_INNER_(a, b) a##b
#define ARCHIVE_STATUS_CONCAT_(a, b) ARCHIVE_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function unless it is OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status archive_status_ = (expr);           \
    if (!archive_status_.ok()) return archive_status_; \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>),
// returns its status if not OK, else assigns its value to `lhs`, which may be
// a declaration such as `auto value`.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ARCHIVE_ASSIGN_OR_RETURN_IMPL_(   \
      ARCHIVE_STATUS_CONCAT_(archive_statusor_, __LINE__), lhs, expr)

#define ARCHIVE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = *std::move(statusor)

#endif  // COMMON_STATUS_MACROS_H_
