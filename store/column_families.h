// The store's RocksDB database: its column families, their options, and
// the families of older layouts, dropped when it opens.
//
// Every family shares one block cache (bloom filters, cached index and
// filter blocks, L0's pinned), LZ4 above the bottom level and ZSTD at it;
// memtables are charged to that cache, so the two budgets together bound the
// store's memory. source_stats and term_counts merge their counters.
//
// A StoreDatabase owns the RocksDB instance and its handles. db() and
// family() are safe from any thread (RocksDB's DB is) until Close, which
// must not race with any other use; the destructor closes when Close was
// not called.
#ifndef STORE_COLUMN_FAMILIES_H_
#define STORE_COLUMN_FAMILIES_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"

namespace archive::store {

// Column families, in the order they are opened.
enum Family {
  kDefault,
  kArticles,
  kById,
  kByTime,
  kByUrl,
  kSourceStats,
  kMinHash,
  kLshBands,
  kDocuments,
  kUnindexed,
  kTermPostings,
  kTermPositions,
  kTermCounts,
  kTermBlocks,
  kArticleHeads,
};
inline constexpr int kFamilyCount = 15;

// Its name in RocksDB.
const char* FamilyName(Family family);

struct StoreDatabaseOptions {
  size_t block_cache_bytes = size_t{256} << 20;
  size_t memtable_bytes = size_t{128} << 20;
  // Room RocksDB's SstFileManager keeps free for flushes when it decides
  // whether a compaction may start; it also lets RocksDB recover by itself
  // from a background error of a full disk once space comes back.
  uint64_t compaction_buffer_bytes = 0;
  // Opened read-only: nothing is written, not even the log of the open.
  bool read_only = false;
};

class StoreDatabase {
 public:
  // Opens (creating if missing) the database in `path` with every family,
  // dropping those of older layouts (not when read-only). Fails with a
  // message naming the path.
  static absl::StatusOr<std::unique_ptr<StoreDatabase>> Open(
      const std::string& path, const StoreDatabaseOptions& options);

  StoreDatabase(const StoreDatabase&) = delete;
  StoreDatabase& operator=(const StoreDatabase&) = delete;
  ~StoreDatabase();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family(Family f) const { return families_[f]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& families() const {
    return families_;
  }
  bool closed() const { return db_ == nullptr; }
  bool read_only() const { return read_only_; }

  // Flushes the write-ahead log (fsynced) and closes the database; later
  // calls fail.
  absl::Status Close();

 private:
  StoreDatabase(std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> families, bool read_only)
      : db_(std::move(db)), families_(std::move(families)), read_only_(read_only) {}

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  const bool read_only_;
};

}  // namespace archive::store

#endif  // STORE_COLUMN_FAMILIES_H_
