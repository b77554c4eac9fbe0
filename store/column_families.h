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

class StoreDatabase {
 public:
  // Opens (creating if missing) the database in `path` with every family,
  // dropping those of older layouts. Fails with a message naming the path.
  static absl::StatusOr<std::unique_ptr<StoreDatabase>> Open(
      const std::string& path, size_t block_cache_bytes, size_t memtable_bytes);

  StoreDatabase(const StoreDatabase&) = delete;
  StoreDatabase& operator=(const StoreDatabase&) = delete;
  ~StoreDatabase();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family(Family f) const { return families_[f]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& families() const {
    return families_;
  }
  bool closed() const { return db_ == nullptr; }

  // Flushes the write-ahead log (fsynced) and closes the database; later
  // calls fail.
  absl::Status Close();

 private:
  StoreDatabase(std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> families)
      : db_(std::move(db)), families_(std::move(families)) {}

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace archive::store

#endif  // STORE_COLUMN_FAMILIES_H_
