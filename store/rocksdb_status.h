// The one place where rocksdb::Status becomes absl::Status.
#ifndef STORE_ROCKSDB_STATUS_H_
#define STORE_ROCKSDB_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace archive::store {

// Maps RocksDB's codes onto the canonical ones (Corruption is DATA_LOSS,
// IOError UNAVAILABLE but a full disk RESOURCE_EXHAUSTED, Busy/TryAgain
// ABORTED, ...), prefixing `context`.
// Incomplete, which RocksDB returns when a read limited to memory would
// have to go to the disk, becomes UNAVAILABLE marked so that NeedsDisk()
// tells it apart.
absl::Status FromRocksDbStatus(const rocksdb::Status& status,
                               std::string_view context);

// True for the status of a memory-only read that would have had to wait on
// the disk: worth doing again where blocking is allowed.
bool NeedsDisk(const absl::Status& status);

}  // namespace archive::store

#endif  // STORE_ROCKSDB_STATUS_H_
