// NearDuplicateIndex: the MinHash signatures of stored articles (the
// minhash family, by id) and their LSH band keys (the lsh_bands family), and
// the lookup of the articles whose signatures resemble a query's.
//
// Candidates are the articles sharing at least one band with the query, at
// most kMaxCandidatesPerBand a band (a band shared by more carries no
// information: boilerplate); each is confirmed by the estimate from the
// full signatures (common/minhash.h).
//
// Add only fills a caller's WriteBatch, so the entries are written with
// their article. Thread safety: both methods are safe from any thread.
#ifndef STORE_NEAR_DUPLICATE_INDEX_H_
#define STORE_NEAR_DUPLICATE_INDEX_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "archive/v1/store.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/write_batch.h"
#include "store/column_families.h"

namespace archive::store {

inline constexpr int kMaxCandidatesPerBand = 256;
inline constexpr int kDefaultSimilarLimit = 10;
inline constexpr int kMaxSimilarLimit = 1000;

class NearDuplicateIndex {
 public:
  // `database` must outlive it.
  explicit NearDuplicateIndex(const StoreDatabase* database)
      : database_(database) {}

  // Adds to `batch` the entries of the article `id` (`id_key` its key
  // codec's form), published at `published_at`, with a full `signature`.
  void Add(std::string_view id, std::string_view id_key,
           const google::protobuf::Timestamp& published_at,
           const std::vector<uint32_t>& signature,
           rocksdb::WriteBatch* batch) const;

  // Adds to `batch` the removal of the entries of article `id`, if it has
  // any (an article stored without a signature has none).
  absl::Status Remove(std::string_view id, std::string_view id_key,
                      rocksdb::WriteBatch* batch) const;

  // For each query signature, the stored articles whose signatures resemble
  // it at least `min_resemblance`, most alike first (then oldest, then id),
  // at most `limit` (default kDefaultSimilarLimit). INVALID_ARGUMENT naming
  // "queries[i].minhash" for a signature that is not full, "queries[i].id"
  // for a malformed id, "min_resemblance" outside [0, 1] (NaN too) and
  // "limit" outside [0, kMaxSimilarLimit].
  absl::Status Find(const v1::FindSimilarRequest& request,
                    v1::FindSimilarResponse* response) const;

 private:
  const StoreDatabase* const database_;
};

}  // namespace archive::store

#endif  // STORE_NEAR_DUPLICATE_INDEX_H_
