// How much room the store's volume has left, and the watermark below which
// the store takes no more writes.
//
// RocksDB meets a full disk badly: the first failed writes are clean errors,
// then a failed write-ahead-log sync trips an assertion that Debian's
// librocksdb keeps (SIGABRT), and reopening needs room for recovery. So the
// store stops taking Puts while fewer than `min_free_bytes` are free on the
// volume, well before RocksDB could meet ENOSPC, and takes them again by
// itself once space comes back: the check is made on every Put, against the
// volume as it is then (statvfs, the bytes an unprivileged writer may use).
// docs/RELIABILITY.md says how much headroom to give. Thread-safe.
#ifndef STORE_DISK_SPACE_H_
#define STORE_DISK_SPACE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace archive::store {

class DiskSpace {
 public:
  // `path` is a directory on the volume (the database's).
  DiskSpace(std::string path, uint64_t min_free_bytes)
      : path_(std::move(path)), min_free_bytes_(min_free_bytes) {}

  // Bytes free on the volume for an unprivileged writer.
  absl::StatusOr<uint64_t> FreeBytes() const;

  // OK while at least min_free_bytes are free (or the watermark is 0);
  // RESOURCE_EXHAUSTED "disk nearly full: 12 MB free on DIR, need 64 MB"
  // otherwise. A volume that cannot be measured counts as writable: RocksDB
  // then reports what goes wrong.
  absl::Status CheckWritable() const;

  uint64_t min_free_bytes() const { return min_free_bytes_; }

 private:
  const std::string path_;
  const uint64_t min_free_bytes_;
};

}  // namespace archive::store

#endif  // STORE_DISK_SPACE_H_
