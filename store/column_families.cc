#include "store/column_families.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"
#include "store/rocksdb_status.h"
#include "store/source_counters.h"
#include "store/term_counters.h"

namespace archive::store {
namespace {

const char* const kFamilyNames[] = {
    rocksdb::kDefaultColumnFamilyName.c_str(),
    "articles",
    "by_id",
    "by_time",
    "by_url",
    "source_stats",
    "minhash",
    "lsh_bands",
    "documents",
    "unindexed",
    "term_postings",
    "term_positions",
    "term_counts",
    "term_blocks",
    "article_heads",
};
static_assert(sizeof(kFamilyNames) / sizeof(kFamilyNames[0]) == kFamilyCount);

// Families of the index before document numbers: one posting key a term and
// article. Dropped on open; the articles are indexed again.
const char* const kObsoleteFamilyNames[] = {"postings", "term_stats"};

}  // namespace

const char* FamilyName(Family family) { return kFamilyNames[family]; }

absl::StatusOr<std::unique_ptr<StoreDatabase>> StoreDatabase::Open(
    const std::string& path, const StoreDatabaseOptions& options) {
  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memtable_bytes, cache);
  // Tracks the table files' space: compactions wait rather than fill the
  // disk, and a flush that met a full disk is retried once space is back.
  db_options.sst_file_manager.reset(rocksdb::NewSstFileManager(rocksdb::Env::Default()));
  db_options.sst_file_manager->SetCompactionBufferSize(options.compaction_buffer_bytes);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.block_size = 16 << 10;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int f = 0; f < kFamilyCount; ++f) {
    rocksdb::ColumnFamilyOptions cf;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf.write_buffer_size = 32 << 20;
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = rocksdb::kZSTD;
    cf.level_compaction_dynamic_level_bytes = true;
    if (f == kSourceStats) cf.merge_operator = NewSourceCountersMergeOperator();
    if (f == kTermCounts) cf.merge_operator = NewTermCountersMergeOperator();
    descriptors.emplace_back(kFamilyNames[f], cf);
  }
  // Families of an older layout must be opened to be dropped.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok()) {
    for (const char* obsolete : kObsoleteFamilyNames) {
      if (std::find(existing.begin(), existing.end(), obsolete) != existing.end()) {
        descriptors.emplace_back(obsolete, rocksdb::ColumnFamilyOptions());
      }
    }
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  if (options.read_only) {
    // Only the current families: a read-only open drops nothing.
    descriptors.resize(kFamilyCount);
    rocksdb::Status status = rocksdb::DB::OpenForReadOnly(
        db_options, path, descriptors, &handles, &raw_db);
    if (!status.ok()) {
      return FromRocksDbStatus(
          status, absl::StrCat("cannot open database at ", path, " read-only"));
    }
    return std::unique_ptr<StoreDatabase>(new StoreDatabase(
        std::unique_ptr<rocksdb::DB>(raw_db), std::move(handles), true));
  }
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw_db);
  if (!status.ok()) {
    return FromRocksDbStatus(status,
                             absl::StrCat("cannot open database at ", path));
  }
  for (size_t i = kFamilyCount; i < handles.size(); ++i) {
    status = raw_db->DropColumnFamily(handles[i]);
    raw_db->DestroyColumnFamilyHandle(handles[i]);
    if (!status.ok()) {
      for (int f = 0; f < kFamilyCount; ++f) {
        raw_db->DestroyColumnFamilyHandle(handles[f]);
      }
      delete raw_db;
      return FromRocksDbStatus(
          status, absl::StrCat("cannot drop the old index of ", path));
    }
  }
  handles.resize(kFamilyCount);
  return std::unique_ptr<StoreDatabase>(new StoreDatabase(
      std::unique_ptr<rocksdb::DB>(raw_db), std::move(handles), false));
}

StoreDatabase::~StoreDatabase() {
  if (!closed()) (void)Close();
}

absl::Status StoreDatabase::Close() {
  if (closed()) return absl::FailedPreconditionError("already closed");
  absl::Status result =
      read_only_ ? absl::OkStatus()
                 : FromRocksDbStatus(db_->FlushWAL(/*sync=*/true), "flushing the WAL");
  for (rocksdb::ColumnFamilyHandle* handle : families_) {
    db_->DestroyColumnFamilyHandle(handle);
  }
  families_.clear();
  absl::Status closed = FromRocksDbStatus(db_->Close(), "closing the database");
  db_.reset();
  return result.ok() ? closed : result;
}

}  // namespace archive::store
