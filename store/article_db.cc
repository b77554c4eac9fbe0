#include "store/article_db.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_map>
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
#include "rocksdb/table.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_buffer_manager.h"
#include "store/article_key.h"
#include "store/rocksdb_status.h"
#include "store/source_counters.h"

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
};
static_assert(sizeof(kFamilyNames) / sizeof(kFamilyNames[0]) == 8);

// Candidates read from one band at most: a band shared by more articles than
// this carries no information (boilerplate text), and reading it all would
// make one query as slow as a scan.
constexpr int kMaxCandidatesPerBand = 256;
constexpr int kDefaultSimilarLimit = 10;

bool SameTime(const google::protobuf::Timestamp& a,
              const google::protobuf::Timestamp& b) {
  return a.seconds() == b.seconds() && a.nanos() == b.nanos();
}

// True when `in` is the very arrival that brought `stored` (a retry), or one
// already recorded as a sighting of it.
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

// What a Put of the stored article itself reports.
v1::PutResult OriginalResult(const v1::Article& stored) {
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
        results[i] = OriginalResult(fresh.article);
        touched.emplace(in.id(), std::move(fresh));
        continue;
      } else {
        return FromRocksDbStatus(status, "looking up the id index");
      }
    }

    Touched& entry = found->second;
    switch (ClassifyArrival(entry.article, in)) {
      case Arrival::kOriginal:
        results[i] = OriginalResult(entry.article);
        continue;
      case Arrival::kNew: {
        v1::Sighting* sighting = entry.article.add_sightings();
        sighting->set_source(in.source());
        sighting->set_url(in.url());
        *sighting->mutable_crawled_at() = in.crawled_at();
        entry.changed = true;
        break;
      }
      case Arrival::kKnownSighting:
        break;
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

absl::Status ArticleDb::Stats(const v1::StatsRequest& /*request*/,
                              v1::StatsResponse* response) const {
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
  response->mutable_term_statistics()->set_document_count(
      response->article_count());
  return absl::OkStatus();
}

}  // namespace archive::store
