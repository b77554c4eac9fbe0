#include "store/article_db.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/fingerprint.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
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
    "postings",
    "term_stats",
};
static_assert(sizeof(kFamilyNames) / sizeof(kFamilyNames[0]) == 10);

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

// The full-text index entries of one Put's new articles. They go into the
// batch sorted by key, which the memtable inserts fastest, with one counter
// merge a term however many of the articles hold it.
class PendingPostings {
 public:
  void Add(const v1::Article& article, const IndexedText& text) {
    const ArticlePosition at{article.published_at(), article.id()};
    for (const auto& [term, positions] : text.positions) {
      postings_.emplace_back(
          PostingKey(term, at),
          EncodePosting(text.length, article.source(), positions));
      ++document_frequency_[term];
    }
    ++documents_;
    total_terms_ += text.length;
  }

  void WriteTo(rocksdb::ColumnFamilyHandle* postings,
               rocksdb::ColumnFamilyHandle* term_stats,
               rocksdb::WriteBatch* batch) {
    if (documents_ == 0) return;
    std::sort(postings_.begin(), postings_.end());
    for (const auto& [key, value] : postings_) batch->Put(postings, key, value);
    for (const auto& [term, count] : document_frequency_) {
      batch->Merge(term_stats, term, EncodeTermCounters({count}));
    }
    batch->Merge(term_stats, AsSlice(kCollectionStatsKey),
                 EncodeTermCounters({documents_, total_terms_}));
  }

 private:
  std::vector<std::pair<std::string, std::string>> postings_;
  std::map<std::string, uint64_t> document_frequency_;
  uint64_t documents_ = 0;
  uint64_t total_terms_ = 0;
};

// One term's postings within a search's time range, read in publication
// order. Not copyable or movable: its read options point into it.
class TermPostings {
 public:
  TermPostings(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
               rocksdb::ReadOptions read_options, const std::string& term,
               const SearchQuery& query)
      : term_size_(term.size()),
        prefix_(PostingPrefix(term)),
        lower_(prefix_ + query.start_time.value_or("")),
        upper_(query.end_time.has_value() ? prefix_ + *query.end_time
                                          : PostingLimit(term)),
        lower_slice_(lower_),
        upper_slice_(upper_) {
    read_options.iterate_lower_bound = &lower_slice_;
    read_options.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(read_options, family));
    it_->SeekToFirst();
  }

  TermPostings(const TermPostings&) = delete;
  TermPostings& operator=(const TermPostings&) = delete;

  bool Valid() const { return it_->Valid(); }
  absl::Status status() const {
    return FromRocksDbStatus(it_->status(), "reading postings");
  }
  std::string_view value() const { return it_->value().ToStringView(); }

  // The `time id` of the current posting.
  absl::StatusOr<std::string_view> Document() const {
    std::optional<std::string_view> document =
        PostingDocument(it_->key().ToStringView(), term_size_);
    if (!document.has_value()) {
      return absl::DataLossError("a posting key does not decode");
    }
    return *document;
  }

  void Next() { it_->Next(); }

  // Moves to the first posting at or after `document`; stays when the
  // current one is. Tries the next posting before seeking: in a list as
  // dense as the driver's it is usually the one, and much cheaper.
  void SkipTo(std::string_view document) {
    if (!it_->Valid() || AtOrAfter(document)) return;
    it_->Next();
    if (!it_->Valid() || AtOrAfter(document)) return;
    it_->Seek(prefix_ + std::string(document));
  }

 private:
  bool AtOrAfter(std::string_view document) const {
    return it_->key().ToStringView().substr(prefix_.size()) >= document;
  }

  const size_t term_size_;
  const std::string prefix_;
  const std::string lower_;
  const std::string upper_;
  const rocksdb::Slice lower_slice_;
  const rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
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
    if (f == kTermStats) cf.merge_operator = NewTermCountersMergeOperator();
    descriptors.emplace_back(kFamilyNames[f], cf);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw_db);
  if (!status.ok()) {
    return FromRocksDbStatus(status,
                             absl::StrCat("cannot open database at ", path));
  }
  return std::unique_ptr<ArticleDb>(
      new ArticleDb(options, std::unique_ptr<rocksdb::DB>(raw_db),
                    std::move(handles)));
}

ArticleDb::ArticleDb(const ArticleDbOptions& options,
                     std::unique_ptr<rocksdb::DB> db,
                     std::vector<rocksdb::ColumnFamilyHandle*> families)
    : options_(options), db_(std::move(db)), families_(std::move(families)) {}

ArticleDb::~ArticleDb() { (void)Close(); }

absl::Status ArticleDb::Flush() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> families(families_.begin(),
                                                     families_.end());
  return FromRocksDbStatus(db_->Flush(flush, families), "flushing memtables");
}

absl::Status ArticleDb::Verify(const v1::VerifyRequest& request,
                               v1::VerifyResponse* response) const {
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
  absl::Status result =
      FromRocksDbStatus(db_->FlushWAL(/*sync=*/true), "flushing the WAL");
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
  PendingPostings postings;
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
        postings.Add(in, *texts[i]);
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

  postings.WriteTo(family(kPostings), family(kTermStats), &batch);
  for (const auto& [id, entry] : touched) {
    if (entry.is_new || entry.changed) {
      batch.Put(family(kArticles), entry.key, entry.article.SerializeAsString());
    }
  }
  if (batch.Count() == 0) return results;
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  RETURN_IF_ERROR(
      FromRocksDbStatus(db_->Write(write_options, &batch), "writing the batch"));
  return results;
}

absl::StatusOr<v1::Article> ArticleDb::ReadArticle(std::string_view key) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family(kArticles),
                                    AsSlice(key), &value);
  if (status.IsNotFound()) {
    return absl::DataLossError("an index entry points at no article");
  }
  RETURN_IF_ERROR(FromRocksDbStatus(status, "reading an article"));
  v1::Article article;
  RETURN_IF_ERROR(DecodeArticle(value, &article));
  return article;
}

absl::StatusOr<v1::Article> ArticleDb::Get(std::string_view id) const {
  std::optional<std::string> id_key = EncodeId(id);
  if (!id_key.has_value()) {
    return absl::InvalidArgumentError("id: must be 32 lower-case hex digits");
  }
  std::string key;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(kById), *id_key, &key);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no article with id ", std::string(id)));
  }
  RETURN_IF_ERROR(FromRocksDbStatus(status, "looking up the id index"));
  return ReadArticle(key);
}

absl::Status ArticleDb::Scan(const v1::ScanRequest& request,
                             v1::ScanResponse* response) const {
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
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(
      read_options, family(by_source ? kArticles : kByTime)));

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
      RETURN_IF_ERROR(DecodeArticle(it->value(), article));
    } else {
      ASSIGN_OR_RETURN(*article, ReadArticle(SourcePrefix(it->value().ToStringView()) +
                                             it->key().ToString()));
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
  const double min_resemblance = request.min_resemblance();
  const int limit =
      request.limit() > 0 ? request.limit() : kDefaultSimilarLimit;
  std::unique_ptr<rocksdb::Iterator> bands(
      db_->NewIterator(rocksdb::ReadOptions(), family(kLshBands)));
  for (int q = 0; q < request.queries_size(); ++q) {
    const auto& minhash = request.queries(q).minhash();
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
    v1::SimilarArticles* result = response->add_results();
    for (v1::SimilarArticle& similar : found) {
      *result->add_articles() = std::move(similar);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::TermStatistics> ArticleDb::LocalTermStatistics(
    const std::vector<std::string>& terms,
    const rocksdb::ReadOptions& read_options) const {
  std::vector<rocksdb::Slice> keys = {AsSlice(kCollectionStatsKey)};
  keys.insert(keys.end(), terms.begin(), terms.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(read_options, family(kTermStats), keys.size(), keys.data(),
                values.data(), statuses.data());
  v1::TermStatistics statistics;
  for (size_t i = 0; i < keys.size(); ++i) {
    const size_t count = i == 0 ? 2 : 1;
    std::vector<uint64_t> counters(count, 0);
    if (!statuses[i].IsNotFound()) {
      RETURN_IF_ERROR(
          FromRocksDbStatus(statuses[i], "reading term statistics"));
      std::optional<std::vector<uint64_t>> decoded =
          DecodeTermCounters(values[i].ToStringView(), count);
      if (!decoded.has_value()) {
        return absl::DataLossError("stored term statistics do not decode");
      }
      counters = *std::move(decoded);
    }
    if (i == 0) {
      statistics.set_document_count(counters[0]);
      statistics.set_total_terms(counters[1]);
    } else {
      (*statistics.mutable_document_frequency())[terms[i - 1]] = counters[0];
    }
  }
  return statistics;
}

absl::Status ArticleDb::Search(const v1::SearchRequest& request,
                               v1::SearchResponse* response,
                               absl::Time deadline) const {
  ASSIGN_OR_RETURN(const SearchQuery query, ParseSearchRequest(request));
  const size_t term_count = query.terms.size();

  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();
  ASSIGN_OR_RETURN(const v1::TermStatistics local,
                   LocalTermStatistics(query.terms, read_options));

  const v1::TermStatistics& statistics =
      request.global().document_count() > 0 ? request.global() : local;
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
  if (local_df(order[0]) == 0 ||
      (query.start_time.has_value() && query.start_time == query.end_time)) {
    return absl::OkStatus();
  }
  std::vector<std::unique_ptr<TermPostings>> postings;
  for (size_t i : order) {
    postings.push_back(std::make_unique<TermPostings>(
        db_.get(), family(kPostings), read_options, query.terms[i], query));
  }
  TermPostings& driver = *postings[0];

  TopHits top(query.limit);
  std::vector<Posting> decoded(term_count);  // by term index
  std::vector<const std::vector<uint32_t>*> phrase_positions;
  for (int steps = 1; driver.Valid(); ++steps) {
    if (steps % kPostingsBetweenDeadlineChecks == 0 && absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("search: deadline passed after ", steps, " postings"));
    }
    if (!query.source.empty()) {
      std::optional<std::string_view> source =
          DecodePostingSource(driver.value());
      if (!source.has_value()) {
        return absl::DataLossError("a stored posting does not decode");
      }
      if (*source != query.source) {
        driver.Next();
        continue;
      }
    }

    // Every other term at the driver's article, or the first article past
    // it that one of them holds.
    ASSIGN_OR_RETURN(const std::string_view document, driver.Document());
    std::string ahead;
    bool exhausted = false;
    for (size_t i = 1; i < postings.size() && ahead.empty(); ++i) {
      postings[i]->SkipTo(document);
      if (!postings[i]->Valid()) {
        exhausted = true;
        break;
      }
      ASSIGN_OR_RETURN(const std::string_view other, postings[i]->Document());
      if (other != document) ahead = std::string(other);
    }
    if (exhausted) break;
    if (!ahead.empty()) {
      driver.SkipTo(ahead);
      continue;
    }

    for (size_t i = 0; i < postings.size(); ++i) {
      std::optional<Posting> posting = DecodePosting(postings[i]->value());
      if (!posting.has_value()) {
        return absl::DataLossError("a stored posting does not decode");
      }
      decoded[order[i]] = *std::move(posting);
    }
    bool phrases_match = true;
    for (const std::vector<size_t>& phrase : query.phrases) {
      phrase_positions.clear();
      for (size_t i : phrase) phrase_positions.push_back(&decoded[i].positions);
      if (!ContainsPhrase(phrase_positions)) {
        phrases_match = false;
        break;
      }
    }
    if (phrases_match) {
      RankedHit hit;
      const uint32_t length = decoded[0].document_length;
      for (size_t i = 0; i < term_count; ++i) {
        hit.score += bm25.TermScore(
            idf[i], static_cast<uint32_t>(decoded[i].positions.size()), length);
      }
      hit.document = std::string(document);
      if (!query.after.has_value() || RanksBefore(*query.after, hit)) {
        hit.source = std::string(decoded[0].source);
        top.Offer(std::move(hit));
      }
    }
    driver.Next();
  }
  for (const std::unique_ptr<TermPostings>& term : postings) {
    RETURN_IF_ERROR(term->status());
  }

  const size_t matched = top.offered();
  size_t bytes = 0;
  for (RankedHit& hit : top.Take()) {
    if (bytes >= kMaxPageBytes) break;
    v1::StoreHit* out = response->add_hits();
    ASSIGN_OR_RETURN(*out->mutable_article(),
                     ReadArticle(SourcePrefix(hit.source) + hit.document));
    out->set_score(hit.score);
    bytes += out->article().ByteSizeLong();
  }
  response->set_has_more(matched > static_cast<size_t>(response->hits_size()));
  return absl::OkStatus();
}

absl::Status ArticleDb::Stats(const v1::StatsRequest& request,
                              v1::StatsResponse* response) const {
  for (int i = 0; i < request.terms_size(); ++i) {
    RETURN_IF_ERROR(
        ValidateTerm(request.terms(i), absl::StrCat("terms[", i, "]")));
  }
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
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading source stats"));
  ASSIGN_OR_RETURN(
      *response->mutable_term_statistics(),
      LocalTermStatistics({request.terms().begin(), request.terms().end()},
                          rocksdb::ReadOptions()));
  return absl::OkStatus();
}

}  // namespace archive::store
