// The one place where rocksdb::Status becomes absl::Status.
#ifndef STORE_ROCKSDB_STATUS_H_
#define STORE_ROCKSDB_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace archive::store {

// Maps RocksDB's codes onto the canonical ones (Corruption is DATA_LOSS,
// IOError UNAVAILABLE, Busy/TryAgain ABORTED, ...), prefixing `context`.
absl::Status FromRocksDbStatus(const rocksdb::Status& status,
                               std::string_view context);

}  // namespace archive::store

#endif  // STORE_ROCKSDB_STATUS_H_
