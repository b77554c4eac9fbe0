#include "store/article_db.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/article_view.h"
#include "common/fingerprint.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/snippet.h"
#include "common/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/perf_level.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_buffer_manager.h"
#include "store/article_key.h"
#include "store/posting_codec.h"
#include "store/rocksdb_status.h"
#include "store/source_counters.h"
#include "store/term_counters.h"

namespace archive::store {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// A Scan page stops early once it holds this many bytes of articles.
constexpr size_t kMaxPageBytes = size_t{4} << 20;

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
static_assert(sizeof(kFamilyNames) / sizeof(kFamilyNames[0]) == 15);

// Families of the index before document numbers: one posting key a term and
// article. Dropped on open; the articles are indexed again.
const char* const kObsoleteFamilyNames[] = {"postings", "term_stats"};

// In the default family: the layout version (absent before document
// numbers, 2 before article heads), and the first document not written out
// in a segment.
constexpr char kFormatKey[] = "format";
constexpr char kNumberedFormat[] = "2";
constexpr char kFormat[] = "3";
constexpr char kIndexedThroughKey[] = "indexed_through";

// Documents a migration or a recovery writes in one batch.
constexpr size_t kIndexBatchDocuments = 1000;

// A term's postings far ahead (more documents than this) are reached by a
// seek to their segment rather than by reading the ones between.
constexpr uint64_t kSeekDistance = 2048;

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

// Candidates read from one band at most: a band shared by more articles than
// this carries no information (boilerplate text), and reading it all would
// make one query as slow as a scan.
constexpr int kMaxCandidatesPerBand = 256;
constexpr int kDefaultSimilarLimit = 10;

// A search looks at the clock once every this many postings of its rarest
// term.
constexpr int kPostingsBetweenDeadlineChecks = 256;

bool SameTime(const google::protobuf::Timestamp& a,
              const google::protobuf::Timestamp& b) {
  return a.seconds() == b.seconds() && a.nanos() == b.nanos();
}

// Whether `in` is the very arrival that brought `stored`, one already
// recorded as a sighting of it, or a new one.
enum class Arrival { kOriginal, kKnownSighting, kNew };
Arrival ClassifyArrival(const v1::Article& stored, const v1::Article& in) {
  if (stored.source() == in.source() && stored.url() == in.url() &&
      SameTime(stored.crawled_at(), in.crawled_at())) {
    return Arrival::kOriginal;
  }
  for (const v1::Sighting& seen : stored.sightings()) {
    if (seen.source() == in.source() && seen.url() == in.url() &&
        SameTime(seen.crawled_at(), in.crawled_at())) {
      return Arrival::kKnownSighting;
    }
  }
  return Arrival::kNew;
}

// What a Put that stores a new article reports.
v1::PutResult NewArticleResult(const v1::Article& stored) {
  v1::PutResult result;
  result.set_id(stored.id());
  if (stored.near_duplicate_of().empty()) {
    result.set_outcome(v1::OUTCOME_STORED);
  } else {
    result.set_outcome(v1::OUTCOME_NEAR_DUPLICATE);
    result.set_duplicate_of(stored.near_duplicate_of());
  }
  return result;
}

uint64_t ArticleBytes(const v1::Article& article) {
  uint64_t bytes = article.title().size() + article.body().size();
  for (const std::string& caption : article.captions()) bytes += caption.size();
  return bytes;
}

rocksdb::Slice AsSlice(std::string_view view) {
  return rocksdb::Slice(view.data(), view.size());
}

absl::Status ValidateTime(const google::protobuf::Timestamp* time,
                          std::string_view field) {
  if (time != nullptr && (time->nanos() < 0 || time->nanos() >= 1'000'000'000)) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": nanos out of range"));
  }
  return absl::OkStatus();
}

// Parses a value of the articles family and checks it against its digest, so
// that damaged bytes are DATA_LOSS rather than a wrong article.
absl::Status DecodeArticle(const rocksdb::Slice& value, v1::Article* article) {
  if (!article->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("a stored article does not parse");
  }
  if (article->content_digest() !=
          ContentDigest(article->title(), article->body()) ||
      article->id() != IdFromDigest(article->content_digest())) {
    return absl::DataLossError(absl::StrCat(
        "article ", article->id(), ": stored text does not match its digest"));
  }
  return absl::OkStatus();
}

// Parses a value of the article_heads family. A head holds no text to check
// against its digest; RocksDB's block checksums guard its bytes, and Verify
// compares it with its article.
absl::Status DecodeHead(const rocksdb::Slice& value, v1::Article* head) {
  if (!head->ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      head->id() != IdFromDigest(head->content_digest())) {
    return absl::DataLossError("a stored article head does not decode");
  }
  return absl::OkStatus();
}

// A value of the articles family (DecodeArticle) or, for `head`, of the
// article_heads family (DecodeHead).
absl::Status DecodeStored(bool head, const rocksdb::Slice& value, v1::Article* article) {
  return head ? DecodeHead(value, article) : DecodeArticle(value, article);
}

// The article (or its `head`) an index entry led to, read with `status`:
// DATA_LOSS when it is missing (the entry points at nothing) or damaged.
absl::Status DecodeReadArticle(const rocksdb::Status& status,
                               const rocksdb::Slice& value, v1::Article* article,
                               bool head = false) {
  if (status.IsNotFound()) {
    return absl::DataLossError("an index entry points at no article");
  }
  RETURN_IF_ERROR(FromRocksDbStatus(status, "reading an article"));
  return DecodeStored(head, value, article);
}

// One term's postings as a search reads them: the segments written out, in
// document order, then those in memory. Where a stored segment has a block
// table, SkipTo jumps over whole blocks, and BlockBound tells the best score
// the current block can give. Not copyable or movable: its read options point
// into it.
class TermCursor {
 public:
  // `frozen` and `active` (either may be null) are the term's lists in the
  // segment being written out and in the active segment. `idf` and `bm25`
  // score the term, for BlockBound.
  TermCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* postings,
             rocksdb::ColumnFamilyHandle* positions,
             rocksdb::ColumnFamilyHandle* blocks,
             rocksdb::ReadOptions read_options, const std::string& term,
             double idf, const Bm25* bm25, const PostingListWriter* frozen,
             const std::string* active_documents,
             const std::string* active_positions)
      : db_(db),
        positions_family_(positions),
        blocks_family_(blocks),
        read_options_(read_options),
        term_(term),
        lower_(PostingPrefix(term)),
        upper_(PostingLimit(term)),
        lower_slice_(lower_),
        upper_slice_(upper_),
        idf_(idf),
        bm25_(bm25),
        frozen_(frozen),
        active_documents_(active_documents),
        active_positions_(active_positions) {
    rocksdb::ReadOptions bounded = read_options;
    bounded.iterate_lower_bound = &lower_slice_;
    bounded.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(bounded, postings));
    it_->SeekToFirst();
    StartSegment();
    Advance();
  }

  TermCursor(const TermCursor&) = delete;
  TermCursor& operator=(const TermCursor&) = delete;

  bool Valid() const { return valid_; }
  uint64_t document() const { return reader_.document(); }
  uint32_t frequency() const { return reader_.frequency(); }
  absl::Status status() const { return status_; }

  void Next() {
    if (Unstale()) return;
    Advance();
  }

  // Moves to the first posting at or after `target`; stays when the current
  // one is.
  void SkipTo(uint64_t target) {
    Unstale();
    if (!valid_ || document() >= target) return;
    if (stage_ == kStored && target - document() > kSeekDistance) {
      // The segment that would hold `target`: the last starting at or
      // before it.
      // The current segment starts before `target`, so there is one; the
      // reader is started again, as moving the iterator may have released
      // the value it read.
      it_->SeekForPrev(SegmentKey(term_, target));
      StartSegment();
      Advance();
    }
    // Straight to the block that would hold `target` where the lists have
    // block tables, then through its postings.
    while (valid_ && document() < target) {
      ShallowSkipTo(target);
      if (!Unstale()) Advance(target);
    }
  }

  // Moves the current block (BlockBound, BlockLast) to the one holding the
  // first posting at or after `target`, reading no posting, across segments
  // if need be; stops at a list with no block table. The posting is not
  // read: SkipTo(target) must come before document(), frequency() or
  // Positions().
  void ShallowSkipTo(uint64_t target) {
    while (valid_ && stage_ == kStored && has_table_ &&
           table_.blocks[block_].last_document < target) {
      if (block_ + 1 < table_.blocks.size()) {
        ++block_;
      } else {
        it_->Next();
        StartSegment();
      }
      stale_ = true;
    }
  }

  // Whether the current list has a block table, so that BlockBound is finite
  // and BlockLast means something.
  bool HasBlockBound() const { return stage_ == kStored && has_table_; }

  // The highest score a posting of the current block can have; infinity
  // when the list here has no block table (memory, or an older segment).
  double BlockBound() {
    if (!HasBlockBound()) return std::numeric_limits<double>::infinity();
    double& bound = bounds_[block_];
    if (bound < 0) {
      const BlockTable::Block& block = table_.blocks[block_];
      bound = 0;
      for (uint32_t p = block.peaks_begin; p < block.peaks_end; ++p) {
        const BlockTable::Peak& peak = table_.peaks[p];
        bound = std::max(bound, Bm25::TermScoreWithNorm(
                                    idf_, peak.frequency,
                                    bm25_->LengthNorm(peak.length)));
      }
    }
    return bound;
  }
  // The last document BlockBound holds for, when HasBlockBound().
  uint64_t BlockLast() const { return table_.blocks[block_].last_document; }

  // The current posting's positions.
  absl::Status Positions(std::vector<uint32_t>* out) {
    if (stage_ == kStored && !positions_loaded_) {
      stored_positions_.Reset();
      rocksdb::Status status = db_->Get(read_options_, positions_family_,
                                        segment_key_, &stored_positions_);
      if (!status.ok()) {
        return FromRocksDbStatus(status, "reading the positions of a posting");
      }
      positions_loaded_ = true;
      GiveStoredPositions();
    }
    if (!reader_.Positions(out)) {
      return absl::DataLossError("the positions of a posting do not decode");
    }
    return absl::OkStatus();
  }

 private:
  enum Stage { kStored, kFrozen, kActive, kDone };

  // Starts reading the stage's list at the iterator (kStored) or the next
  // stage's.
  void StartSegment() {
    positions_loaded_ = false;
    positions_base_ = 0;
    has_table_ = false;
    if (stage_ == kStored) {
      if (it_->Valid()) {
        segment_key_ = it_->key().ToString();
        segment_documents_ = it_->value().ToStringView();
        reader_ = PostingListReader(segment_documents_);
        LoadBlockTable();
        return;
      }
      if (!it_->status().ok()) {
        status_ = FromRocksDbStatus(it_->status(), "reading postings");
        stage_ = kDone;
        return;
      }
      stage_ = kFrozen;
      if (frozen_ != nullptr) {
        reader_ = PostingListReader(frozen_->documents(), frozen_->positions());
        return;
      }
    }
    if (stage_ == kFrozen) {
      stage_ = kActive;
      if (active_documents_ != nullptr) {
        reader_ = PostingListReader(*active_documents_,
                                    active_positions_ == nullptr
                                        ? std::string_view()
                                        : std::string_view(*active_positions_));
        return;
      }
    }
    stage_ = kDone;
  }

  // The stored segment's block table, when it has one.
  void LoadBlockTable() {
    block_ = 0;
    // Every posting takes 3 bytes at least: a list this short has one block
    // at most, and no table.
    if (segment_documents_.size() <= 3 * kPostingsPerBlock) return;
    rocksdb::PinnableSlice value;
    rocksdb::Status status =
        db_->Get(read_options_, blocks_family_, segment_key_, &value);
    if (status.IsNotFound()) return;
    if (!status.ok()) {
      Fail(FromRocksDbStatus(status, "reading a block table"));
      return;
    }
    if (!DecodeBlockTable(value.ToStringView(), &table_) ||
        table_.blocks.back().documents_end != segment_documents_.size()) {
      Fail(absl::DataLossError(
          absl::StrCat("the block table of \"", term_, "\" does not decode")));
      return;
    }
    bounds_.assign(table_.blocks.size(), -1);
    has_table_ = true;
  }

  // After ShallowSkipTo: reads the current block's first posting, and true;
  // else false.
  bool Unstale() {
    if (!stale_) return false;
    stale_ = false;
    // A first block, or a list with no table, is where StartSegment left
    // the reader: at its start.
    if (stage_ == kStored && has_table_ && block_ > 0) StartBlock(block_);
    Advance();
    return true;
  }

  // Reads the stored segment from block `b` (not the first) on.
  void StartBlock(size_t b) {
    const BlockTable::Block& before = table_.blocks[b - 1];
    reader_ = PostingListReader(segment_documents_.substr(before.documents_end),
                                {}, before.last_document);
    positions_base_ = before.positions_end;
    block_ = b;
    if (positions_loaded_) GiveStoredPositions();
  }

  // The stored segment's positions, from where the reader started.
  void GiveStoredPositions() {
    const std::string_view all = stored_positions_.ToStringView();
    // Out of range, the reader gets none, and Positions() fails.
    reader_.SetPositions(positions_base_ <= all.size()
                             ? all.substr(positions_base_)
                             : std::string_view());
  }

  void Fail(absl::Status status) {
    status_ = std::move(status);
    stage_ = kDone;
    reader_ = PostingListReader();
    has_table_ = false;
  }

  // The next posting, of this list or of the next non-empty one; with a
  // `target`, the first posting of this list at or after it, or else the
  // first of the next non-empty list.
  void Advance(std::optional<uint64_t> target = std::nullopt) {
    while (stage_ != kDone) {
      const bool read = target.has_value() ? reader_.SkipTo(*target) : reader_.Next();
      target.reset();
      if (read) {
        if (has_table_) {
          while (block_ < table_.blocks.size() &&
                 reader_.document() > table_.blocks[block_].last_document) {
            ++block_;
          }
          if (block_ == table_.blocks.size()) {
            Fail(absl::DataLossError(absl::StrCat(
                "the postings of \"", term_, "\" pass their block table")));
            break;
          }
        }
        valid_ = true;
        return;
      }
      if (reader_.corrupt()) {
        status_ = absl::DataLossError(
            absl::StrCat("the postings of \"", term_, "\" do not decode"));
        break;
      }
      if (stage_ == kStored) it_->Next();
      StartSegment();
    }
    stage_ = kDone;
    valid_ = false;
  }

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const positions_family_;
  rocksdb::ColumnFamilyHandle* const blocks_family_;
  const rocksdb::ReadOptions read_options_;
  const std::string term_;
  const std::string lower_;
  const std::string upper_;
  const rocksdb::Slice lower_slice_;
  const rocksdb::Slice upper_slice_;
  const double idf_;
  const Bm25* const bm25_;
  const PostingListWriter* const frozen_;
  const std::string* const active_documents_;
  const std::string* const active_positions_;
  std::unique_ptr<rocksdb::Iterator> it_;

  Stage stage_ = kStored;
  bool valid_ = false;
  absl::Status status_;
  std::string segment_key_;
  std::string_view segment_documents_;  // the iterator's value
  PostingListReader reader_;
  rocksdb::PinnableSlice stored_positions_;
  bool positions_loaded_ = false;
  // Where the reader started in the segment's positions.
  size_t positions_base_ = 0;
  bool has_table_ = false;
  BlockTable table_;
  // By block: BlockBound, or -1 until asked for.
  std::vector<double> bounds_;
  size_t block_ = 0;  // of the current posting, or ShallowSkipTo's
  // ShallowSkipTo moved block_ past the reader's posting.
  bool stale_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ArticleDb>> ArticleDb::Open(
    const std::string& path, const ArticleDbOptions& options) {
  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  // Memtables are charged to the block cache, so the two budgets together
  // bound the store's memory.
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memtable_bytes,
                                                    cache);

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
  std::unique_ptr<ArticleDb> db(new ArticleDb(
      options, std::unique_ptr<rocksdb::DB>(raw_db), std::move(handles)));
  absl::Status loaded = db->LoadIndex();
  if (!loaded.ok()) {
    return absl::Status(loaded.code(),
                        absl::StrCat("cannot open database at ", path, ": ",
                                     std::string(loaded.message())));
  }
  return db;
}

ArticleDb::ArticleDb(const ArticleDbOptions& options,
                     std::unique_ptr<rocksdb::DB> db,
                     std::vector<rocksdb::ColumnFamilyHandle*> families)
    : options_(options),
      db_(std::move(db)),
      families_(std::move(families)),
      active_(std::make_shared<Segment>()) {}

ArticleDb::~ArticleDb() { (void)Close(); }

absl::Status ArticleDb::LoadIndex() {
  DisablePerfCounters();
  std::string format;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(kDefault), kFormatKey, &format);
  if (!status.ok() && !status.IsNotFound()) {
    return FromRocksDbStatus(status, "reading the layout version");
  }
  if (status.ok() && format != kNumberedFormat && format != kFormat) {
    return absl::FailedPreconditionError(
        absl::StrCat("layout version ", format, " is not one this build reads (",
                     kNumberedFormat, " or ", kFormat, ")"));
  }
  const bool numbered = status.ok();
  const bool has_heads = status.ok() && format == kFormat;

  // The documents: every number below the next one, those whose batch
  // failed as dead.
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family(kDocuments)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<uint64_t> document = DecodeDocumentKey(it->key().ToStringView());
      std::optional<DocumentRecord> record =
          DecodeDocumentRecord(it->value().ToStringView());
      if (!document.has_value() || !record.has_value() ||
          *document < documents_.size()) {
        return absl::DataLossError("a documents entry does not decode");
      }
      while (documents_.size() < *document) documents_.AppendDead();
      if (!documents_.Append(record->article_key, record->length)) {
        return absl::DataLossError("a documents entry holds no article key");
      }
      documents_.SetState(*document, DocumentInfo::kLive);
      live_documents_ += 1;
      live_terms_ += record->length;
    }
    RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the documents"));
  }

  // A database from before document numbers: number its articles, in key
  // order, as unindexed documents, which the step below indexes. After a
  // numbering cut short, it goes on after the last article numbered.
  if (!numbered) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family(kArticles)));
    if (documents_.size() == 0) {
      it->SeekToFirst();
    } else {
      const std::string last =
          documents_.ArticleKey(*documents_.Find(documents_.size() - 1));
      it->Seek(last);
      if (it->Valid() && it->key() == rocksdb::Slice(last)) it->Next();
    }
    rocksdb::WriteBatch batch;
    for (; it->Valid(); it->Next()) {
      v1::Article article;
      RETURN_IF_ERROR(DecodeArticle(it->value(), &article));
      const IndexedText text = IndexText(article.title(), article.body());
      const std::string key = it->key().ToString();
      if (!documents_.Append(key, text.length)) {
        return absl::DataLossError(absl::StrCat("article ", article.id(),
                                                ": its key does not decode"));
      }
      const uint64_t document = documents_.size() - 1;
      batch.Put(family(kDocuments), DocumentKey(document),
                EncodeDocumentRecord(text.length, key));
      batch.Put(family(kUnindexed), DocumentKey(document), "");
      documents_.SetState(document, DocumentInfo::kLive);
      live_documents_ += 1;
      live_terms_ += text.length;
      if (batch.Count() >= 2 * kIndexBatchDocuments) {
        RETURN_IF_ERROR(FromRocksDbStatus(db_->Write(rocksdb::WriteOptions(), &batch),
                                          "numbering the articles"));
        batch.Clear();
      }
    }
    RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the articles"));
    batch.Put(family(kDefault), kFormatKey, kNumberedFormat);
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    RETURN_IF_ERROR(FromRocksDbStatus(db_->Write(write_options, &batch),
                                      "numbering the articles"));
  }
  if (!has_heads) RETURN_IF_ERROR(WriteAllHeads());

  // The documents whose postings were still in memory: indexed again, in
  // order, into the active segment.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(kUnindexed)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<uint64_t> document = DecodeDocumentKey(it->key().ToStringView());
    if (!document.has_value() || !documents_.IsLive(*document)) {
      return absl::DataLossError("an unindexed marker names no document");
    }
    const DocumentInfo* info = documents_.Find(*document);
    ASSIGN_OR_RETURN(const v1::Article article,
                     ReadArticle(documents_.ArticleKey(*info)));
    {
      std::unique_lock<std::shared_mutex> lock(index_mutex_);
      active_->postings.Add(*document, IndexText(article.title(), article.body()));
    }
    RETURN_IF_ERROR(WriteSegment(/*force=*/false));
  }
  return FromRocksDbStatus(it->status(), "reading the unindexed documents");
}

absl::Status ArticleDb::WriteAllHeads() {
  // Heads are written whole again after a migration cut short: a Put of the
  // same head changes nothing.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(kArticles)));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Article article;
    if (!DecodeArticle(it->value(), &article).ok()) continue;
    batch.Put(family(kArticleHeads), it->key(), ArticleHead(article).SerializeAsString());
    if (batch.Count() >= kIndexBatchDocuments) {
      RETURN_IF_ERROR(FromRocksDbStatus(db_->Write(rocksdb::WriteOptions(), &batch),
                                        "writing the article heads"));
      batch.Clear();
    }
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the articles"));
  batch.Put(family(kDefault), kFormatKey, kFormat);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksDbStatus(db_->Write(write_options, &batch),
                           "writing the article heads");
}

absl::StatusOr<uint64_t> ArticleDb::AddDocument(const std::string& key,
                                                const IndexedText& text,
                                                rocksdb::WriteBatch* batch) {
  if (!documents_.Append(key, text.length)) {
    return absl::ResourceExhaustedError("no document number left");
  }
  const uint64_t document = documents_.size() - 1;
  active_->postings.Add(document, text);
  const std::string document_key = DocumentKey(document);
  batch->Put(family(kDocuments), document_key, EncodeDocumentRecord(text.length, key));
  batch->Put(family(kUnindexed), document_key, "");
  return document;
}

absl::Status ArticleDb::WriteSegment(bool force) {
  std::lock_guard<std::mutex> one_at_a_time(write_segment_mutex_);
  std::shared_ptr<Segment> segment;
  {
    std::unique_lock<std::shared_mutex> lock(index_mutex_);
    if (frozen_ == nullptr) {
      const MemorySegment& postings = active_->postings;
      const bool full = postings.documents() >= options_.segment_documents ||
                        postings.bytes() >= options_.segment_bytes;
      if (postings.empty() || (!force && !full)) return absl::OkStatus();
      frozen_ = std::move(active_);
      active_ = std::make_shared<Segment>();
    }
    // else the last attempt failed: that segment is written first.
    segment = frozen_;
  }
  bool failed = false;
  {
    // Every Put that added a document to it has written its batch (or
    // failed to), so each document's unindexed marker is in, or never will be.
    std::unique_lock<std::mutex> lock(segment->mutex);
    segment->idle.wait(lock, [&] { return segment->writers == 0; });
    failed = segment->failed;
  }

  const MemorySegment& postings = segment->postings;
  rocksdb::WriteBatch batch;
  for (const auto& [term, list] : postings.SortedTerms()) {
    const PostingListWriter* live = list;
    PostingListWriter without_dead;
    if (failed) {
      // Leave out the documents of failed batches.
      PostingListReader reader(list->documents(), list->positions());
      std::vector<uint32_t> positions;
      while (reader.Next()) {
        if (!documents_.IsLive(reader.document())) continue;
        if (!reader.Positions(&positions)) {
          return absl::InternalError("postings in memory do not decode");
        }
        without_dead.Add(reader.document(), positions);
      }
      if (without_dead.count() == 0) continue;
      live = &without_dead;
    }
    const std::string key = SegmentKey(term, postings.first_document());
    batch.Put(family(kTermPostings), key, live->documents());
    batch.Put(family(kTermPositions), key, live->positions());
    const std::string blocks =
        EncodeBlockTable(*live, [this](uint64_t document) -> uint32_t {
          const std::optional<DocumentBrief> brief = documents_.Brief(document);
          return brief.has_value() ? brief->length : 0;
        });
    if (!blocks.empty()) batch.Put(family(kTermBlocks), key, blocks);
    batch.Merge(family(kTermCounts), AsSlice(term), EncodeTermCounters({live->count()}));
  }
  batch.DeleteRange(family(kUnindexed), DocumentKey(postings.first_document()),
                    DocumentKey(postings.last_document() + 1));
  batch.Put(family(kDefault), kIndexedThroughKey,
            DocumentKey(postings.last_document() + 1));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  absl::Status written = FromRocksDbStatus(db_->Write(write_options, &batch),
                                           "writing a segment of postings");
  // Failed, it stays frozen_: searched in memory, and tried again next time.
  if (written.ok()) {
    std::unique_lock<std::shared_mutex> lock(index_mutex_);
    frozen_.reset();
  }
  return written;
}

absl::Status ArticleDb::Flush() {
  DisablePerfCounters();
  RETURN_IF_ERROR(WriteSegment(/*force=*/true));
  rocksdb::FlushOptions flush;
  flush.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> families(families_.begin(),
                                                     families_.end());
  return FromRocksDbStatus(db_->Flush(flush, families), "flushing memtables");
}

absl::Status ArticleDb::Verify(const v1::VerifyRequest& request,
                               v1::VerifyResponse* response) const {
  DisablePerfCounters();
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  const int page_size =
      request.page_size() == 0 ? 1000 : std::min(request.page_size(), 10000);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(kArticles)));
  if (request.page_token().empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(request.page_token());
    if (it->Valid() && it->key() == request.page_token()) it->Next();
  }
  std::string last_key;
  std::string last_id;
  for (; it->Valid() && response->checked() < static_cast<uint64_t>(page_size);
       it->Next()) {
    response->set_checked(response->checked() + 1);
    last_key = it->key().ToString();
    last_id.clear();
    v1::DamagedArticle damage;
    std::optional<DecodedArticleKey> key = DecodeArticleKey(last_key);
    if (key.has_value()) {
      last_id = key->position.id;
      damage.set_id(key->position.id);
      damage.set_source(key->source);
      *damage.mutable_published_at() = key->position.published_at;
    }
    v1::Article article;
    const absl::Status decoded = DecodeArticle(it->value(), &article);
    std::string stored_key;
    std::string head;
    if (!key.has_value()) {
      damage.set_problem("the key does not decode");
    } else if (!decoded.ok()) {
      damage.set_problem(std::string(decoded.message()));
    } else if (article.source() != key->source || article.id() != key->position.id ||
               EncodeTime(article.published_at()) !=
                   EncodeTime(key->position.published_at)) {
      damage.set_problem("the article does not match its key");
    } else if (!db_->Get(rocksdb::ReadOptions(), family(kById),
                         *EncodeId(article.id()), &stored_key)
                    .ok() ||
               stored_key != last_key) {
      damage.set_problem("the id index does not point at the article");
    } else if (!db_->Get(rocksdb::ReadOptions(), family(kArticleHeads), last_key, &head)
                    .ok() ||
               head != ArticleHead(article).SerializeAsString()) {
      damage.set_problem("the article's head does not match it");
    } else {
      continue;
    }
    *response->add_damaged() = std::move(damage);
  }
  if (!it->status().ok()) {
    return absl::DataLossError(absl::StrCat(
        "storage damaged after ",
        last_key.empty() ? std::string("the start of the articles")
                         : "article " + (last_id.empty() ? std::string("?") : last_id),
        ": ", it->status().ToString()));
  }
  if (it->Valid()) response->set_next_page_token(last_key);
  return absl::OkStatus();
}

absl::Status ArticleDb::Close() {
  if (db_ == nullptr) return absl::FailedPreconditionError("already closed");
  DisablePerfCounters();
  // Written out now, the postings need no indexing again on the next open.
  absl::Status result = WriteSegment(/*force=*/true);
  absl::Status wal =
      FromRocksDbStatus(db_->FlushWAL(/*sync=*/true), "flushing the WAL");
  if (result.ok()) result = wal;
  for (rocksdb::ColumnFamilyHandle* handle : families_) {
    db_->DestroyColumnFamilyHandle(handle);
  }
  families_.clear();
  absl::Status closed = FromRocksDbStatus(db_->Close(), "closing the database");
  db_.reset();
  return result.ok() ? closed : result;
}

absl::StatusOr<std::vector<v1::PutResult>> ArticleDb::Put(
    const google::protobuf::RepeatedPtrField<v1::PutItem>& items) {
  DisablePerfCounters();
  const absl::Time now = absl::Now();
  for (int i = 0; i < items.size(); ++i) {
    RETURN_IF_ERROR(ValidateStoredArticle(
        items[i].article(), now, absl::StrCat("items[", i, "].article.")));
    if (items[i].minhash_size() != 0 &&
        items[i].minhash_size() != static_cast<int>(kSignatureLength)) {
      return absl::InvalidArgumentError(
          absl::StrCat("items[", i, "].minhash: has ", items[i].minhash_size(),
                       " values, not ", kSignatureLength));
    }
  }

  // Lock every stripe the batch touches, in index order so that concurrent
  // batches cannot deadlock.
  std::vector<size_t> stripes;
  for (const v1::PutItem& item : items) {
    stripes.push_back(std::hash<std::string>()(item.article().id()) %
                      kLockStripes);
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());

  // Tokenizing is most of a Put's work, so it is done before the locks are
  // taken, and only for articles not stored yet: a retried or re-fed batch
  // tokenizes nothing.
  std::vector<std::optional<IndexedText>> texts(items.size());
  std::unordered_set<std::string> seen;
  for (int i = 0; i < items.size(); ++i) {
    const v1::Article& in = items[i].article();
    if (!seen.insert(in.id()).second) continue;
    rocksdb::PinnableSlice stored_key;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family(kById),
                                      *EncodeId(in.id()), &stored_key);
    if (status.IsNotFound()) {
      texts[i] = IndexText(in.title(), in.body());
    } else if (!status.ok()) {
      return FromRocksDbStatus(status, "looking up the id index");
    }
  }

  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t stripe : stripes) locks.emplace_back(put_stripes_[stripe]);

  // The articles this batch touches, by id: new ones and stored ones that
  // gain a sighting. Written once each at the end.
  struct Touched {
    std::string key;
    v1::Article article;
    bool is_new = false;
    bool changed = false;
  };
  std::unordered_map<std::string, Touched> touched;
  rocksdb::WriteBatch batch;
  // New articles in order: item index and article key.
  std::vector<std::pair<int, std::string>> fresh_articles;
  std::vector<v1::PutResult> results(items.size());

  for (int i = 0; i < items.size(); ++i) {
    const v1::Article& in = items[i].article();
    const std::string id_key = *EncodeId(in.id());
    auto found = touched.find(in.id());
    if (found == touched.end()) {
      std::string stored_key;
      rocksdb::Status status =
          db_->Get(rocksdb::ReadOptions(), family(kById), id_key, &stored_key);
      if (status.ok()) {
        ASSIGN_OR_RETURN(v1::Article stored, ReadArticle(stored_key));
        found = touched.emplace(in.id(), Touched{stored_key, std::move(stored)})
                    .first;
      } else if (status.IsNotFound()) {
        Touched fresh;
        fresh.article = in;
        fresh.article.clear_sightings();
        fresh.is_new = true;
        const ArticlePosition at{in.published_at(), in.id()};
        fresh.key = ArticleKey(in.source(), at);
        batch.Put(family(kById), id_key, fresh.key);
        batch.Put(family(kByTime), TimeKey(at), in.source());
        batch.Put(family(kArticleHeads), fresh.key,
                  ArticleHead(fresh.article).SerializeAsString());
        if (!in.url().empty()) batch.Put(family(kByUrl), UrlKey(in.url(), at), "");
        if (items[i].minhash_size() > 0) {
          const std::vector<uint32_t> signature(items[i].minhash().begin(),
                                                items[i].minhash().end());
          batch.Put(family(kMinHash), id_key,
                    EncodeSignatureRecord(in.published_at(), signature));
          for (uint64_t band : LshBandKeys(signature)) {
            batch.Put(family(kLshBands), BandKey(band, in.id()), "");
          }
        }
        batch.Merge(family(kSourceStats), in.source(),
                    SourceCounters::ForArticle(ArticleBytes(in),
                                               in.published_at())
                        .Encode());
        if (!texts[i].has_value()) texts[i] = IndexText(in.title(), in.body());
        fresh_articles.emplace_back(i, fresh.key);
        results[i] = NewArticleResult(fresh.article);
        touched.emplace(in.id(), std::move(fresh));
        continue;
      } else {
        return FromRocksDbStatus(status, "looking up the id index");
      }
    }

    Touched& entry = found->second;
    // A duplicate. A repeat of an arrival already recorded (a retried Put,
    // or the same page fed again) adds nothing; a new one adds a sighting.
    if (ClassifyArrival(entry.article, in) == Arrival::kNew) {
      v1::Sighting* sighting = entry.article.add_sightings();
      sighting->set_source(in.source());
      sighting->set_url(in.url());
      *sighting->mutable_crawled_at() = in.crawled_at();
      entry.changed = true;
    }
    results[i].set_id(entry.article.id());
    results[i].set_outcome(v1::OUTCOME_DUPLICATE);
    results[i].set_duplicate_of(entry.article.id());
  }

  for (const auto& [id, entry] : touched) {
    if (entry.is_new || entry.changed) {
      batch.Put(family(kArticles), entry.key, entry.article.SerializeAsString());
    }
  }
  if (batch.Count() == 0) return results;

  // Document numbers, and postings in the active segment, in one step so
  // that the segment's documents ascend. Searches skip them until the
  // batch is written.
  std::vector<uint64_t> numbered;
  std::shared_ptr<Segment> segment;
  if (!fresh_articles.empty()) {
    std::unique_lock<std::shared_mutex> lock(index_mutex_);
    segment = active_;
    for (const auto& [i, key] : fresh_articles) {
      absl::StatusOr<uint64_t> document = AddDocument(key, *texts[i], &batch);
      if (!document.ok()) {
        for (uint64_t added : numbered) {
          documents_.SetState(added, DocumentInfo::kDead);
        }
        if (!numbered.empty()) {
          std::lock_guard<std::mutex> writers(segment->mutex);
          segment->failed = true;
        }
        return document.status();
      }
      numbered.push_back(*document);
    }
    std::lock_guard<std::mutex> writers(segment->mutex);
    ++segment->writers;
  }

  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  const absl::Status written =
      FromRocksDbStatus(db_->Write(write_options, &batch), "writing the batch");
  if (segment != nullptr) {
    for (size_t n = 0; n < numbered.size(); ++n) {
      documents_.SetState(numbered[n],
                          written.ok() ? DocumentInfo::kLive : DocumentInfo::kDead);
      if (written.ok()) {
        live_documents_ += 1;
        live_terms_ += texts[fresh_articles[n].first]->length;
      }
    }
    {
      std::lock_guard<std::mutex> writers(segment->mutex);
      if (!written.ok()) segment->failed = true;
      --segment->writers;
    }
    segment->idle.notify_all();
  }
  RETURN_IF_ERROR(written);
  locks.clear();
  // The articles are stored whatever becomes of this: a segment that fails
  // to be written stays searchable in memory, is tried again by the next
  // Put, and its documents keep their unindexed markers.
  (void)WriteSegment(/*force=*/false);
  return results;
}

absl::StatusOr<v1::Article> ArticleDb::ReadArticle(
    std::string_view key, const rocksdb::ReadOptions& read_options, bool head) const {
  rocksdb::PinnableSlice value;
  const rocksdb::Status status = db_->Get(
      read_options, family(head ? kArticleHeads : kArticles), AsSlice(key), &value);
  v1::Article article;
  RETURN_IF_ERROR(DecodeReadArticle(status, value, &article, head));
  return article;
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
  rocksdb::Status status = db_->Get(read_options, family(kById), *id_key, &key);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no article with id ", std::string(id)));
  }
  RETURN_IF_ERROR(FromRocksDbStatus(status, "looking up the id index"));
  return ReadArticle(key, read_options);
}

absl::Status ArticleDb::Scan(const v1::ScanRequest& request,
                             v1::ScanResponse* response) const {
  DisablePerfCounters();
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  const int page_size = request.page_size() == 0
                            ? kDefaultPageSize
                            : std::min(request.page_size(), kMaxPageSize);
  const google::protobuf::Timestamp* start =
      request.has_start_time() ? &request.start_time() : nullptr;
  const google::protobuf::Timestamp* end =
      request.has_end_time() ? &request.end_time() : nullptr;
  RETURN_IF_ERROR(ValidateTime(start, "start_time"));
  RETURN_IF_ERROR(ValidateTime(end, "end_time"));
  if (start != nullptr && end != nullptr &&
      EncodeTime(*start) > EncodeTime(*end)) {
    return absl::InvalidArgumentError("start_time: after end_time");
  }
  const bool by_source = !request.source().empty();
  if (by_source) RETURN_IF_ERROR(ValidateSource(request.source(), "source"));
  RETURN_IF_ERROR(ValidateArticleView(request.view()));
  const bool heads = request.view() == v1::ARTICLE_VIEW_BASIC;
  const Family stored = heads ? kArticleHeads : kArticles;

  std::optional<ArticlePosition> after;
  if (!request.page_token().empty()) {
    v1::ScanCursor cursor;
    if (!cursor.ParseFromString(request.page_token()) ||
        !IsWellFormedId(cursor.id()) || cursor.published_at().nanos() < 0 ||
        cursor.published_at().nanos() >= 1'000'000'000) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    after = ArticlePosition{cursor.published_at(), cursor.id()};
  }

  // Keys of the family being walked, and their bounds: [lower, upper).
  const std::string prefix = by_source ? SourcePrefix(request.source()) : "";
  const std::string lower = start != nullptr ? prefix + EncodeTime(*start) : prefix;
  std::string upper;
  if (end != nullptr) {
    upper = prefix + EncodeTime(*end);
  } else if (by_source) {
    upper = request.source() + '\x01';
  } else {
    upper = std::string(kTimeKeyLength + 1, '\xff');
  }
  const rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions read_options;
  if (!lower.empty()) read_options.iterate_lower_bound = &lower_slice;
  read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, family(by_source ? stored : kByTime)));

  const bool forward = request.oldest_first();
  if (after.has_value()) {
    const std::string resume = prefix + TimeKey(*after);
    if (forward) {
      if (resume < lower) {
        it->Seek(lower);
      } else {
        it->Seek(resume);
        if (it->Valid() && it->key() == resume) it->Next();
      }
    } else {
      if (resume >= upper) {
        it->SeekToLast();
      } else {
        it->SeekForPrev(resume);
        if (it->Valid() && it->key() == resume) it->Prev();
      }
    }
  } else if (forward) {
    it->SeekToFirst();
  } else {
    it->SeekToLast();
  }

  size_t bytes = 0;
  for (; it->Valid() && response->articles_size() < page_size &&
         bytes < kMaxPageBytes;
       forward ? it->Next() : it->Prev()) {
    v1::Article* article = response->add_articles();
    if (by_source) {
      RETURN_IF_ERROR(DecodeStored(heads, it->value(), article));
    } else {
      const std::string key =
          SourcePrefix(it->value().ToStringView()) + it->key().ToString();
      ASSIGN_OR_RETURN(*article, ReadArticle(key, rocksdb::ReadOptions(), heads));
    }
    bytes += article->ByteSizeLong();
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "scanning"));
  const bool more = it->Valid();
  if (more && response->articles_size() > 0) {
    const v1::Article& last = *response->articles().rbegin();
    v1::ScanCursor cursor;
    *cursor.mutable_published_at() = last.published_at();
    cursor.set_id(last.id());
    response->set_next_page_token(cursor.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status ArticleDb::FindSimilar(const v1::FindSimilarRequest& request,
                                    v1::FindSimilarResponse* response) const {
  DisablePerfCounters();
  const double min_resemblance = request.min_resemblance();
  const int limit =
      request.limit() > 0 ? request.limit() : kDefaultSimilarLimit;
  std::unique_ptr<rocksdb::Iterator> bands(
      db_->NewIterator(rocksdb::ReadOptions(), family(kLshBands)));
  for (int q = 0; q < request.queries_size(); ++q) {
    v1::SimilarArticles* result = response->add_results();
    const std::string& id = request.queries(q).id();
    const auto& minhash = request.queries(q).minhash();
    if (!id.empty()) {
      std::optional<std::string> id_key = EncodeId(id);
      if (!id_key.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "queries[", q, "].id: must be 32 lower-case hex digits"));
      }
      rocksdb::PinnableSlice stored_key;
      const rocksdb::Status held =
          db_->Get(rocksdb::ReadOptions(), family(kById), *id_key, &stored_key);
      if (!held.IsNotFound()) {
        RETURN_IF_ERROR(FromRocksDbStatus(held, "looking up the id index"));
      }
      result->set_holds_id(held.ok());
      if (minhash.empty()) continue;
    }
    if (minhash.size() != static_cast<int>(kSignatureLength)) {
      return absl::InvalidArgumentError(
          absl::StrCat("queries[", q, "].minhash: has ", minhash.size(),
                       " values, not ", kSignatureLength));
    }
    const std::vector<uint32_t> query(minhash.begin(), minhash.end());

    // Candidates: every article sharing at least one band.
    std::vector<std::string> candidates;
    for (uint64_t band : LshBandKeys(query)) {
      const std::string prefix = BandPrefix(band);
      int taken = 0;
      for (bands->Seek(prefix); bands->Valid() && taken < kMaxCandidatesPerBand &&
                                bands->key().starts_with(prefix);
           bands->Next(), ++taken) {
        candidates.push_back(bands->key().ToString().substr(prefix.size()));
      }
      RETURN_IF_ERROR(FromRocksDbStatus(bands->status(), "reading LSH bands"));
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()),
                     candidates.end());

    // Confirmed on the full signatures.
    std::vector<rocksdb::Slice> keys(candidates.begin(), candidates.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), family(kMinHash), keys.size(),
                  keys.data(), values.data(), statuses.data());
    std::vector<v1::SimilarArticle> found;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      RETURN_IF_ERROR(FromRocksDbStatus(statuses[i], "reading a signature"));
      std::optional<SignatureRecord> record =
          DecodeSignatureRecord(values[i].ToStringView());
      if (!record.has_value()) {
        return absl::DataLossError("a stored MinHash signature does not decode");
      }
      const double resemblance = EstimateResemblance(query, record->signature);
      if (resemblance < min_resemblance) continue;
      v1::SimilarArticle& similar = found.emplace_back();
      similar.set_id(DecodeId(keys[i].ToStringView()));
      *similar.mutable_published_at() = record->published_at;
      similar.set_resemblance(resemblance);
    }
    std::sort(found.begin(), found.end(),
              [](const v1::SimilarArticle& a, const v1::SimilarArticle& b) {
                if (a.resemblance() != b.resemblance()) {
                  return a.resemblance() > b.resemblance();
                }
                return std::make_pair(EncodeTime(a.published_at()), a.id()) <
                       std::make_pair(EncodeTime(b.published_at()), b.id());
              });
    if (found.size() > static_cast<size_t>(limit)) found.resize(limit);
    for (v1::SimilarArticle& similar : found) {
      *result->add_articles() = std::move(similar);
    }
  }
  return absl::OkStatus();
}

struct ArticleDb::IndexView {
  // The postings written out, and their counts, as of this snapshot.
  std::unique_ptr<rocksdb::ManagedSnapshot> snapshot;
  rocksdb::ReadOptions read_options;
  // The segment being written out, when the snapshot does not hold it yet.
  std::shared_ptr<const Segment> frozen;
  // By term: the active segment's list, copied, and its length.
  struct Copied {
    std::string documents;
    std::string positions;
    uint64_t count = 0;
  };
  std::vector<std::optional<Copied>> active;
  uint64_t documents = 0;
  uint64_t total_terms = 0;
};

std::unique_ptr<ArticleDb::IndexView> ArticleDb::CaptureIndex(
    const std::vector<std::string>& terms, bool copy_lists) const {
  auto view = std::make_unique<IndexView>();
  {
    std::shared_lock<std::shared_mutex> lock(index_mutex_);
    view->snapshot = std::make_unique<rocksdb::ManagedSnapshot>(db_.get());
    view->frozen = frozen_;
    for (const std::string& term : terms) {
      std::optional<IndexView::Copied>& copied = view->active.emplace_back();
      const PostingListWriter* list = active_->postings.Find(term);
      if (list == nullptr) continue;
      copied.emplace();
      copied->count = list->count();
      if (copy_lists) {
        copied->documents = list->documents();
        copied->positions = list->positions();
      }
    }
    view->documents = live_documents_.load();
    view->total_terms = live_terms_.load();
  }
  view->read_options.snapshot = view->snapshot->snapshot();
  if (view->frozen != nullptr) {
    // Written out already, as far as the snapshot sees?
    std::string through;
    rocksdb::Status status = db_->Get(view->read_options, family(kDefault),
                                      kIndexedThroughKey, &through);
    std::optional<uint64_t> first_unwritten = DecodeDocumentKey(through);
    if (status.ok() && first_unwritten.has_value() &&
        *first_unwritten > view->frozen->postings.last_document()) {
      view->frozen.reset();
    }
  }
  return view;
}

absl::StatusOr<v1::TermStatistics> ArticleDb::LocalTermStatistics(
    const std::vector<std::string>& terms, const IndexView& view) const {
  std::vector<rocksdb::Slice> keys(terms.begin(), terms.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(view.read_options, family(kTermCounts), keys.size(), keys.data(),
                values.data(), statuses.data());
  v1::TermStatistics statistics;
  statistics.set_document_count(view.documents);
  statistics.set_total_terms(view.total_terms);
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t count = 0;
    if (!statuses[i].IsNotFound()) {
      RETURN_IF_ERROR(
          FromRocksDbStatus(statuses[i], "reading term statistics"));
      std::optional<std::vector<uint64_t>> decoded =
          DecodeTermCounters(values[i].ToStringView(), 1);
      if (!decoded.has_value()) {
        return absl::DataLossError("stored term statistics do not decode");
      }
      count = (*decoded)[0];
    }
    if (view.frozen != nullptr) {
      const PostingListWriter* list = view.frozen->postings.Find(terms[i]);
      if (list != nullptr) count += list->count();
    }
    if (view.active[i].has_value()) count += view.active[i]->count;
    (*statistics.mutable_document_frequency())[terms[i]] = count;
  }
  return statistics;
}

absl::Status ArticleDb::Search(const v1::SearchRequest& request,
                               v1::SearchResponse* response,
                               absl::Time deadline) const {
  DisablePerfCounters();
  ASSIGN_OR_RETURN(const SearchQuery query, ParseSearchRequest(request));
  const size_t term_count = query.terms.size();

  // Positions only for the terms of a phrase.
  std::vector<bool> in_phrase(term_count, false);
  for (const std::vector<size_t>& phrase : query.phrases) {
    for (size_t i : phrase) in_phrase[i] = true;
  }
  std::unique_ptr<IndexView> view = CaptureIndex(query.terms, /*copy_lists=*/true);
  ASSIGN_OR_RETURN(const v1::TermStatistics local,
                   LocalTermStatistics(query.terms, *view));

  const v1::TermStatistics& statistics =
      request.global().document_count() > 0 ? request.global() : local;
  *response->mutable_statistics() = statistics;
  const Bm25 bm25(statistics.document_count(), statistics.total_terms());
  std::vector<double> idf;
  for (const std::string& term : query.terms) {
    auto found = statistics.document_frequency().find(term);
    if (found == statistics.document_frequency().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("global.document_frequency: no entry for the term \"",
                       term, "\""));
    }
    idf.push_back(bm25.Idf(found->second));
  }

  // The rarest term drives the join.
  std::vector<size_t> order(term_count);
  for (size_t i = 0; i < term_count; ++i) order[i] = i;
  auto local_df = [&](size_t i) {
    return local.document_frequency().at(query.terms[i]);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return local_df(a) < local_df(b);
  });
  std::optional<uint32_t> source;
  if (!query.source.empty()) {
    source = documents_.FindSource(query.source);
    if (!source.has_value()) return absl::OkStatus();
  }
  if (local_df(order[0]) == 0 ||
      (query.start_time.has_value() && query.start_time == query.end_time)) {
    return absl::OkStatus();
  }
  // By term index, as `order` reads them.
  std::vector<std::unique_ptr<TermCursor>> cursors(term_count);
  for (size_t i = 0; i < term_count; ++i) {
    const std::optional<IndexView::Copied>& active = view->active[i];
    cursors[i] = std::make_unique<TermCursor>(
        db_.get(), family(kTermPostings), family(kTermPositions),
        family(kTermBlocks), view->read_options, query.terms[i], idf[i], &bm25,
        view->frozen == nullptr ? nullptr : view->frozen->postings.Find(query.terms[i]),
        active.has_value() ? &active->documents : nullptr,
        active.has_value() && in_phrase[i] ? &active->positions : nullptr);
  }
  TermCursor& driver = *cursors[order[0]];
  const bool filtered = source.has_value() || query.start_time.has_value() ||
                        query.end_time.has_value();
  // The document's length when it is stored and passes the filters, else
  // nullopt. Reads its 4-byte brief, and its entry only for a filter.
  auto admissible =
      [&](uint64_t document) -> absl::StatusOr<std::optional<uint32_t>> {
    const std::optional<DocumentBrief> brief = documents_.Brief(document);
    if (!brief.has_value()) {
      return absl::DataLossError(
          absl::StrCat("a posting names document ", document, ", not stored"));
    }
    if (brief->state != DocumentInfo::kLive) return std::nullopt;
    if (filtered) {
      const DocumentInfo& info = *documents_.Find(document);
      if ((source.has_value() && info.source != *source) ||
          (query.start_time.has_value() && info.time_key() < *query.start_time) ||
          (query.end_time.has_value() && info.time_key() >= *query.end_time)) {
        return std::nullopt;
      }
    }
    return brief->length;
  };

  TopHits top(query.limit);
  uint64_t stretches_skipped = 0;
  std::vector<std::vector<uint32_t>> positions(term_count);
  std::vector<const std::vector<uint32_t>*> phrase_positions;
  for (int steps = 1; driver.Valid(); ++steps) {
    if (steps % kPostingsBetweenDeadlineChecks == 0 && absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("search: deadline passed after ", steps, " postings"));
    }
    const uint64_t document = driver.document();
    // A filter is checked first, as it may pass over most of the driver's
    // postings; otherwise only after the other terms are found there, as
    // reading a document's brief may cost a cache miss.
    std::optional<uint32_t> length;
    if (filtered) {
      ASSIGN_OR_RETURN(length, admissible(document));
      if (!length.has_value()) {
        driver.Next();
        continue;
      }
    }

    // Every other term at the driver's document, or the first document past
    // it that one of them holds.
    uint64_t ahead = document;
    bool exhausted = false;
    for (size_t k = 1; k < term_count && ahead == document; ++k) {
      TermCursor& other = *cursors[order[k]];
      other.SkipTo(document);
      if (!other.Valid()) {
        exhausted = true;
        break;
      }
      ahead = other.document();
    }
    if (exhausted) break;
    if (ahead != document) {
      driver.SkipTo(ahead);
      continue;
    }
    // Every term is at `document`, each in a block that holds every posting
    // of the term up to the block's last document. Once the page is full and
    // more hits are known to exist (so has_more needs no count), stretches
    // that cannot beat the page's worst hit are passed over, moving from
    // block to block without reading a posting, until one might. The bounds
    // add up in the order the scores do, so rounding keeps them above.
    if (options_.search_block_bounds &&
        top.offered() > static_cast<size_t>(query.limit)) {
      uint64_t target = document;
      for (;;) {
        double bound = 0;
        uint64_t stretch_last = std::numeric_limits<uint64_t>::max();
        bool bounded = true;
        for (size_t i = 0; i < term_count && bounded; ++i) {
          cursors[i]->ShallowSkipTo(target);
          bounded = cursors[i]->HasBlockBound();
          if (bounded) {
            bound += cursors[i]->BlockBound();
            stretch_last = std::min(stretch_last, cursors[i]->BlockLast());
          }
        }
        if (!bounded || top.MightKeep(bound)) break;
        ++stretches_skipped;
        target = stretch_last + 1;
      }
      if (target != document) {
        driver.SkipTo(target);
        continue;
      }
    }
    if (!filtered) {
      ASSIGN_OR_RETURN(length, admissible(document));
      if (!length.has_value()) {
        driver.Next();
        continue;
      }
    }

    bool phrases_match = true;
    for (const std::vector<size_t>& phrase : query.phrases) {
      phrase_positions.clear();
      for (size_t i : phrase) {
        RETURN_IF_ERROR(cursors[i]->Positions(&positions[i]));
        phrase_positions.push_back(&positions[i]);
      }
      if (!ContainsPhrase(phrase_positions)) {
        phrases_match = false;
        break;
      }
    }
    if (phrases_match) {
      const double norm = bm25.LengthNorm(*length);
      double score = 0;
      for (size_t i = 0; i < term_count; ++i) {
        score += Bm25::TermScoreWithNorm(idf[i], cursors[i]->frequency(), norm);
      }
      // Most matches rank below the kept hits or before the cursor, and are
      // told apart by score alone.
      const bool past_cursor =
          !query.after.has_value() || score < query.after->score;
      const bool maybe_past_cursor =
          past_cursor || score == query.after->score;
      if (maybe_past_cursor) {
        if (past_cursor && !top.MightKeep(score)) {
          top.Count();
        } else {
          const DocumentInfo& info = *documents_.Find(document);
          RankedHit hit{score, info.TimeIdKey(), ""};
          if (!query.after.has_value() || RanksBefore(*query.after, hit)) {
            hit.source = documents_.source(info.source);
            top.Offer(std::move(hit));
          }
        }
      }
    }
    driver.Next();
  }
  stretches_skipped_.fetch_add(stretches_skipped, std::memory_order_relaxed);
  for (const std::unique_ptr<TermCursor>& cursor : cursors) {
    RETURN_IF_ERROR(cursor->status());
  }

  // The hits' articles, read a few at a time (one MultiGet, which batches
  // the reads of a block), until the page's byte budget is spent.
  constexpr size_t kHitsPerRead = 16;
  const size_t matched = top.offered();
  const std::vector<RankedHit> hits = top.Take();
  std::vector<std::string> snippet_terms;  // MakeSnippet's, when asked for
  if (request.snippets()) {
    snippet_terms.assign(request.terms().begin(), request.terms().end());
  }
  size_t bytes = 0;
  for (size_t first = 0; first < hits.size() && bytes < kMaxPageBytes;
       first += kHitsPerRead) {
    const size_t count = std::min(kHitsPerRead, hits.size() - first);
    std::vector<std::string> keys;
    for (size_t i = first; i < first + count; ++i) {
      keys.push_back(SourcePrefix(hits[i].source) + hits[i].document);
    }
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(count);
    std::vector<rocksdb::Status> statuses(count);
    db_->MultiGet(rocksdb::ReadOptions(), family(kArticles), count, slices.data(),
                  values.data(), statuses.data(), /*sorted_input=*/false);
    for (size_t i = 0; i < count && bytes < kMaxPageBytes; ++i) {
      v1::StoreHit* out = response->add_hits();
      RETURN_IF_ERROR(DecodeReadArticle(statuses[i], values[i], out->mutable_article()));
      out->set_score(hits[first + i].score);
      if (request.snippets()) {
        out->set_snippet(MakeSnippet(out->article(), snippet_terms));
      }
      ApplyArticleView(request.view(), out->mutable_article());
      bytes += out->article().ByteSizeLong();
    }
  }
  response->set_has_more(matched > static_cast<size_t>(response->hits_size()));
  return absl::OkStatus();
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
  std::unique_ptr<IndexView> view = CaptureIndex(terms, /*copy_lists=*/false);
  ASSIGN_OR_RETURN(*response->mutable_term_statistics(),
                   LocalTermStatistics(terms, *view));
  if (request.term_statistics_only()) return absl::OkStatus();

  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(kSourceStats)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<SourceCounters> counters =
        SourceCounters::Decode(it->value().ToStringView());
    if (!counters.has_value()) {
      return absl::DataLossError(absl::StrCat(
          "source_stats of ", it->key().ToString(), " does not decode"));
    }
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

}  // namespace archive::store
