// ArticleWriter: the put path. A batch of articles is validated whole, then
// stored as one WriteBatch holding each new article with every index entry
// of it (by id, by time, by URL, its head, its source's counters, its
// MinHash entries and its full-text document), so an index never points at
// nothing; it returns once the batch is in the write-ahead log (fsynced
// when `sync`).
//
// Arrival rules: an article whose id is stored already is a duplicate, and
// is stored once. Its arrival (source, url, crawled_at) is compared with the
// stored article's own and with its sightings (ClassifyArrival): a repeat
// of one already recorded (a retried Put, the same page fed again) adds
// nothing, a new one adds a sighting; a copy from another store (PutItem.copy)
// adds its own sightings as well. Tokenizing, most of a Put's work, is
// done before any lock and only for ids not stored yet.
//
// Thread safety: Put is safe from any number of threads. The check-then-
// write of ids is serialized by kLockStripes lock stripes, chosen by a hash
// of the id and taken in index order (so concurrent batches cannot
// deadlock): of concurrent Puts of the same content exactly one stores it,
// and every caller gets the same id. The stripes guard RocksDB keys, not
// members, so nothing is annotated as guarded by them.
#ifndef STORE_ARTICLE_WRITER_H_
#define STORE_ARTICLE_WRITER_H_

#include <array>
#include <cstddef>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/mutex.h"
#include "archive/v1/store.pb.h"
#include "google/protobuf/repeated_field.h"
#include "store/column_families.h"
#include "store/full_text_index.h"
#include "store/near_duplicate_index.h"

namespace archive::store {

// Whether `in` is the very arrival that brought `stored`, one already
// recorded as a sighting of it, or a new one.
enum class Arrival { kOriginal, kKnownSighting, kNew };
Arrival ClassifyArrival(const v1::Article& stored, const v1::Article& in);

class ArticleWriter {
 public:
  static constexpr size_t kLockStripes = 256;

  // The pointees must outlive the writer. `max_article_bytes` bounds what a
  // Put takes (ValidateStoredArticle).
  ArticleWriter(const StoreDatabase* database, FullTextIndex* index,
                const NearDuplicateIndex* near_duplicates, bool sync,
                size_t max_article_bytes)
      : database_(database),
        index_(index),
        near_duplicates_(near_duplicates),
        sync_(sync),
        max_article_bytes_(max_article_bytes) {}
  ArticleWriter(const ArticleWriter&) = delete;
  ArticleWriter& operator=(const ArticleWriter&) = delete;

  // See ArticleDb::Put.
  absl::StatusOr<std::vector<v1::PutResult>> Put(
      const google::protobuf::RepeatedPtrField<v1::PutItem>& items);

  // See ArticleDb::Delete. Under the same stripes as Put, so a Put and a
  // Delete of one id never interleave.
  absl::StatusOr<uint32_t> Delete(const google::protobuf::RepeatedPtrField<std::string>& ids);

 private:
  using Stripes = std::array<Mutex, kLockStripes>;

  // Holds a set of stripes, locked in the order given, until Release or
  // destruction. The analysis cannot follow a set of locks chosen at run
  // time, hence its opt-out here and only here.
  class StripeLocks {
   public:
    StripeLocks(Stripes* stripes, const std::vector<size_t>& indexes)
        ABSL_NO_THREAD_SAFETY_ANALYSIS;
    StripeLocks(const StripeLocks&) = delete;
    StripeLocks& operator=(const StripeLocks&) = delete;
    ~StripeLocks() { Release(); }
    void Release() ABSL_NO_THREAD_SAFETY_ANALYSIS;

   private:
    std::vector<Mutex*> held_;
  };

  const StoreDatabase* const database_;
  FullTextIndex* const index_;
  const NearDuplicateIndex* const near_duplicates_;
  const bool sync_;
  const size_t max_article_bytes_;
  Stripes stripes_;
};

}  // namespace archive::store

#endif  // STORE_ARTICLE_WRITER_H_
