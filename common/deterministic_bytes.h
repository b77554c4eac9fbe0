// A message's bytes in one order: map fields serialize in an unspecified
// order unless deterministically, so bytes that are compared or hashed (a
// page token's query fingerprint, a fuzzer's round trip) come from here.
#ifndef COMMON_DETERMINISTIC_BYTES_H_
#define COMMON_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace archive {

inline std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace archive

#endif  // COMMON_DETERMINISTIC_BYTES_H_
