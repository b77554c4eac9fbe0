// A store's database opened with plain RocksDB, every column family, for
// tests that look at or change it behind ArticleDb's back: damage, an older
// layout. Opened without ArticleDb's merge operators, so flush the ArticleDb
// (ArticleDb::Flush) before closing it: its log's merges could not be
// replayed here.
#ifndef STORE_RAW_DATABASE_H_
#define STORE_RAW_DATABASE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"

namespace archive::store {

class RawDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<RawDatabase>> Open(const std::string& path,
                                                          bool read_only = false);
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;
  // Closes the database.
  ~RawDatabase();

  rocksdb::DB* db() const { return db_; }
  // The families' names, in the order of families().
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& families() const { return families_; }
  // The family called `name`, nullptr when there is none.
  rocksdb::ColumnFamilyHandle* family(std::string_view name) const;
  // Creates a family, closed with the rest.
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> CreateFamily(const std::string& name);

 private:
  RawDatabase() = default;

  rocksdb::DB* db_ = nullptr;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace archive::store

#endif  // STORE_RAW_DATABASE_H_
