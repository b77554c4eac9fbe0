#include "store/article_db.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "rocksdb/env.h"
#include "rocksdb/metadata.h"
#include "rocksdb/perf_level.h"
#include "store/article_key.h"
#include "store/article_scan.h"
#include "store/layout_migration.h"
#include "store/rocksdb_status.h"
#include "store/source_counters.h"
#include "store/stored_article.h"
#include "store/verify.h"

namespace archive::store {
namespace {

// RocksDB counts every key comparison in a thread-local perf context by
// default, which costs the store about a tenth of its CPU; nothing here reads
// the counts. Called at the top of every entry point, on the thread that
// will call RocksDB.
void DisablePerfCounters() {
  thread_local bool disabled = false;
  if (!disabled) {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    disabled = true;
  }
}

FullTextIndexOptions IndexOptions(const ArticleDbOptions& options,
                                  bool read_only) {
  FullTextIndexOptions index;
  index.segment_documents = options.segment_documents;
  index.segment_bytes = options.segment_bytes;
  index.sync = options.sync;
  index.read_only = read_only;
  return index;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ArticleDb>> ArticleDb::Open(
    const std::string& path, const ArticleDbOptions& options) {
  StoreDatabaseOptions database_options;
  database_options.block_cache_bytes = options.block_cache_bytes;
  database_options.memtable_bytes = options.memtable_bytes;
  database_options.compaction_buffer_bytes = options.min_free_disk_bytes / 2;
  // A database that does not exist yet is created whatever the space.
  const bool exists = rocksdb::Env::Default()->FileExists(path + "/CURRENT").ok();
  const absl::Status room = DiskSpace(path, options.min_free_disk_bytes).CheckWritable();
  if (exists && !room.ok()) {
    ARCHIVE_LOG(WARNING) << "opening " << path << " read-only, because the "
                         << room.message() << "; restart the store with room "
                                              "to take writes again";
    database_options.read_only = true;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<StoreDatabase> database,
                   StoreDatabase::Open(path, database_options));
  std::unique_ptr<ArticleDb> db(new ArticleDb(path, options, std::move(database)));
  absl::Status loaded = db->Load();
  if (!loaded.ok()) {
    return absl::Status(loaded.code(),
                        absl::StrCat("cannot open database at ", path, ": ",
                                     std::string(loaded.message())));
  }
  return db;
}

ArticleDb::ArticleDb(const std::string& path, const ArticleDbOptions& options,
                     std::unique_ptr<StoreDatabase> database)
    : options_(options),
      disk_(path, options.min_free_disk_bytes),
      database_(std::move(database)),
      index_(database_.get(), IndexOptions(options, database_->read_only())),
      near_duplicates_(database_.get()),
      writer_(database_.get(), &index_, &near_duplicates_, options.sync,
              options.max_article_bytes),
      search_(database_.get(), &index_, options.search_block_bounds),
      query_search_(database_.get(), &index_),
      count_(&index_, &query_search_) {}

ArticleDb::~ArticleDb() { (void)Close(); }

absl::Status ArticleDb::Load() {
  DisablePerfCounters();
  ASSIGN_OR_RETURN(const Layout layout, ReadLayout(*database_));
  if (database_->read_only() && !(layout.numbered && layout.has_heads)) {
    return absl::ResourceExhaustedError(
        "its layout needs a migration, which writes, and the disk is nearly "
        "full: free space first");
  }
  RETURN_IF_ERROR(index_.LoadDocuments());
  if (!layout.numbered) RETURN_IF_ERROR(NumberArticles(*database_, &index_));
  if (!layout.has_heads) RETURN_IF_ERROR(WriteAllHeads(*database_));
  return index_.Recover();
}

absl::Status ArticleDb::WritesAllowed() const {
  if (database_->read_only()) {
    return absl::ResourceExhaustedError(
        "store opened read-only: its disk was nearly full when it started; "
        "free space and restart it");
  }
  return disk_.CheckWritable();
}

absl::StatusOr<uint32_t> ArticleDb::Delete(
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  DisablePerfCounters();
  // A delete frees space, so only a read-only database refuses one.
  if (database_->read_only()) return WritesAllowed();
  return writer_.Delete(ids);
}

absl::StatusOr<std::vector<v1::PutResult>> ArticleDb::Put(
    const google::protobuf::RepeatedPtrField<v1::PutItem>& items) {
  DisablePerfCounters();
  RETURN_IF_ERROR(WritesAllowed());
  return writer_.Put(items);
}

absl::StatusOr<v1::Article> ArticleDb::Get(std::string_view id,
                                           bool memory_only) const {
  DisablePerfCounters();
  std::optional<std::string> id_key = EncodeId(id);
  if (!id_key.has_value()) {
    return absl::InvalidArgumentError("id: must be 32 lower-case hex digits");
  }
  rocksdb::ReadOptions read_options;
  if (memory_only) read_options.read_tier = rocksdb::kBlockCacheTier;
  std::string key;
  rocksdb::Status status = database_->db()->Get(read_options,
                                             database_->family(kById), *id_key, &key);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no article with id ", std::string(id)));
  }
  RETURN_IF_ERROR(FromRocksDbStatus(status, "looking up the id index"));
  return ReadArticle(*database_, key, read_options);
}

absl::Status ArticleDb::Scan(const v1::ScanRequest& request,
                             v1::ScanResponse* response) const {
  DisablePerfCounters();
  return ScanArticles(*database_, request, response);
}

absl::Status ArticleDb::FindSimilar(const v1::FindSimilarRequest& request,
                                    v1::FindSimilarResponse* response) const {
  DisablePerfCounters();
  return near_duplicates_.Find(request, response);
}

absl::Status ArticleDb::Search(const v1::SearchRequest& request,
                               v1::SearchResponse* response,
                               absl::Time deadline) const {
  DisablePerfCounters();
  if (request.has_query()) return query_search_.Run(request, response, deadline);
  return search_.Run(request, response, deadline);
}

absl::Status ArticleDb::Count(const v1::CountRequest& request, v1::CountResponse* response,
                              absl::Time deadline) const {
  DisablePerfCounters();
  return count_.Run(request, response, deadline);
}

uint64_t ArticleDb::search_stretches_skipped() const {
  return search_.stretches_skipped();
}

absl::Status ArticleDb::Stats(const v1::StatsRequest& request,
                              v1::StatsResponse* response) const {
  DisablePerfCounters();
  for (int i = 0; i < request.terms_size(); ++i) {
    RETURN_IF_ERROR(
        ValidateTerm(request.terms(i), absl::StrCat("terms[", i, "]")));
  }
  const std::vector<std::string> terms(request.terms().begin(),
                                       request.terms().end());
  std::unique_ptr<FullTextIndex::View> view =
      index_.Capture(terms, /*copy_lists=*/false);
  ASSIGN_OR_RETURN(*response->mutable_term_statistics(),
                   index_.LocalTermStatistics(terms, *view));
  if (request.term_statistics_only()) return absl::OkStatus();

  std::unique_ptr<rocksdb::Iterator> it(
      database_->db()->NewIterator(rocksdb::ReadOptions(),
                                   database_->family(kSourceStats)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<SourceCounters> counters =
        SourceCounters::Decode(it->value().ToStringView());
    if (!counters.has_value()) {
      return absl::DataLossError(absl::StrCat(
          "source_stats of ", it->key().ToString(), " does not decode"));
    }
    // A source whose every copy was moved away (Delete) has counters of 0,
    // and a range that no longer means anything: not listed.
    if (counters->article_count == 0) continue;
    v1::SourceSummary* summary = response->add_sources();
    summary->set_source(it->key().ToString());
    summary->set_article_count(counters->article_count);
    summary->set_total_bytes(counters->total_bytes);
    *summary->mutable_oldest() = counters->oldest;
    *summary->mutable_newest() = counters->newest;
    response->set_article_count(response->article_count() +
                                counters->article_count);
    response->set_total_bytes(response->total_bytes() + counters->total_bytes);
  }
  return FromRocksDbStatus(it->status(), "reading source stats");
}

absl::StatusOr<StoreFigures> ArticleDb::Figures() const {
  DisablePerfCounters();
  StoreFigures figures;
  v1::StatsRequest request;
  v1::StatsResponse stats;
  RETURN_IF_ERROR(Stats(request, &stats));
  figures.articles = stats.article_count();
  figures.text_bytes = stats.total_bytes();
  absl::StatusOr<uint64_t> free = disk_.FreeBytes();
  figures.free_disk_bytes = free.ok() ? *free : 0;
  figures.min_free_disk_bytes = disk_.min_free_bytes();
  figures.writes_allowed = WritesAllowed().ok();
  figures.read_only = database_->read_only();

  rocksdb::DB* db = database_->db();
  auto property = [db](rocksdb::ColumnFamilyHandle* family, const std::string& name) {
    uint64_t value = 0;
    return db->GetIntProperty(family, name, &value) ? value : 0;
  };
  for (rocksdb::ColumnFamilyHandle* handle : database_->families()) {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(handle, &meta);
    StoreFigures::Family family;
    family.name = handle->GetName();
    family.sst_files = meta.file_count;
    family.sst_bytes = meta.size;
    family.memtable_bytes = property(handle, rocksdb::DB::Properties::kCurSizeAllMemTables);
    family.pending_compaction_bytes =
        property(handle, rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    figures.families.push_back(std::move(family));
  }
  rocksdb::ColumnFamilyHandle* first = database_->families().front();
  figures.block_cache_usage_bytes = property(first, rocksdb::DB::Properties::kBlockCacheUsage);
  figures.block_cache_capacity_bytes =
      property(first, rocksdb::DB::Properties::kBlockCacheCapacity);
  figures.write_stopped = property(first, rocksdb::DB::Properties::kIsWriteStopped) != 0;
  figures.delayed_write_rate = property(first, rocksdb::DB::Properties::kActualDelayedWriteRate);
  figures.background_errors = property(first, rocksdb::DB::Properties::kBackgroundErrors);
  figures.postings = index_.InMemoryFigures();
  return figures;
}

absl::Status ArticleDb::Verify(const v1::VerifyRequest& request,
                               v1::VerifyResponse* response) const {
  DisablePerfCounters();
  return VerifyArticles(*database_, request, response);
}

absl::Status ArticleDb::Flush() {
  DisablePerfCounters();
  if (database_->read_only()) return absl::OkStatus();
  RETURN_IF_ERROR(index_.WriteSegment(/*force=*/true));
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocksDbStatus(
      database_->db()->Flush(flush, database_->families()), "flushing memtables");
}

absl::Status ArticleDb::Close() {
  if (database_->closed()) return absl::FailedPreconditionError("already closed");
  DisablePerfCounters();
  // Written out now, the postings need no indexing again on the next open.
  absl::Status result = index_.WriteSegment(/*force=*/true);
  absl::Status closed = database_->Close();
  return result.ok() ? closed : result;
}

}  // namespace archive::store
