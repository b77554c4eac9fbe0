// A size in bytes as a command-line flag: "256MB", "1GB", "64KiB", "0" or a
// plain number of bytes. The suffixes are binary (MB = MiB = 2^20 bytes),
// as RocksDB's and the kernel's figures are.
#ifndef COMMON_BYTE_SIZE_H_
#define COMMON_BYTE_SIZE_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

namespace archive {

struct ByteSize {
  uint64_t bytes = 0;
};

// For ABSL_FLAG(archive::ByteSize, ...). An error names what was wrong.
bool AbslParseFlag(absl::string_view text, ByteSize* size, std::string* error);
std::string AbslUnparseFlag(ByteSize size);

}  // namespace archive

#endif  // COMMON_BYTE_SIZE_H_
