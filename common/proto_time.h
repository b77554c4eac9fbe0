// Conversions between google.protobuf.Timestamp and absl::Time.
#ifndef COMMON_PROTO_TIME_H_
#define COMMON_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace archive {

absl::Time ToAbslTime(const google::protobuf::Timestamp& timestamp);
google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

// Whether `a` is earlier than `b` (both normalized: nanos in [0, 1e9)).
inline bool TimestampLess(const google::protobuf::Timestamp& a,
                          const google::protobuf::Timestamp& b) {
  return a.seconds() < b.seconds() ||
         (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

// RFC 3339 in UTC with the fraction only when non-zero:
// "2023-01-13T15:00:00Z".
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace archive

#endif  // COMMON_PROTO_TIME_H_
