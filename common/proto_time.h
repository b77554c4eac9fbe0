// Conversions between google.protobuf.Timestamp and absl::Time.
#ifndef COMMON_PROTO_TIME_H_
#define COMMON_PROTO_TIME_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace archive {

absl::Time ToAbslTime(const google::protobuf::Timestamp& timestamp);
google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

// Whether `a` is earlier than `b` (both normalized: nanos in [0, 1e9)):
// protobuf's operator< (google/protobuf/util/time_util.h), which this header
// brings in with == and the rest, for callers that prefer a name.
inline bool TimestampLess(const google::protobuf::Timestamp& a,
                          const google::protobuf::Timestamp& b) {
  return a < b;
}

// Whether `time`'s nanos lie in [0, 1e9), as a normalized Timestamp's do.
// The one definition every check of a received time starts from.
inline bool HasValidNanos(const google::protobuf::Timestamp& time) {
  return time.nanos() >= 0 && time.nanos() < 1'000'000'000;
}

// INVALID_ARGUMENT "<field>: nanos out of range" unless HasValidNanos(time).
absl::Status ValidateTimestampNanos(const google::protobuf::Timestamp& time,
                                    std::string_view field);

// RFC 3339 in UTC with the fraction only when non-zero:
// "2023-01-13T15:00:00Z".
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace archive

#endif  // COMMON_PROTO_TIME_H_
