#include "common/proto_time.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace archive {

absl::Time ToAbslTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const int64_t seconds = absl::ToUnixSeconds(time);  // rounds down
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FormatTime(timestamp.nanos() == 0 ? "%Y-%m-%dT%H:%M:%SZ"
                                                 : "%Y-%m-%dT%H:%M:%E*SZ",
                          ToAbslTime(timestamp), absl::UTCTimeZone());
}

absl::Status ValidateTimestampNanos(const google::protobuf::Timestamp& time,
                                    std::string_view field) {
  if (HasValidNanos(time)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": nanos out of range"));
}

}  // namespace archive
