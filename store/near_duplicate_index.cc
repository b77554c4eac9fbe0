#include "store/near_duplicate_index.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/minhash.h"
#include "common/status_macros.h"
#include "store/article_key.h"
#include "store/rocksdb_status.h"

namespace archive::store {

void NearDuplicateIndex::Add(std::string_view id, std::string_view id_key,
                             const google::protobuf::Timestamp& published_at,
                             const std::vector<uint32_t>& signature,
                             rocksdb::WriteBatch* batch) const {
  batch->Put(database_->family(kMinHash),
             rocksdb::Slice(id_key.data(), id_key.size()),
             EncodeSignatureRecord(published_at, signature));
  for (uint64_t band : LshBandKeys(signature)) {
    batch->Put(database_->family(kLshBands), BandKey(band, id), "");
  }
}

absl::Status NearDuplicateIndex::Remove(std::string_view id, std::string_view id_key,
                                        rocksdb::WriteBatch* batch) const {
  const rocksdb::Slice key(id_key.data(), id_key.size());
  rocksdb::PinnableSlice value;
  const rocksdb::Status status = database_->db()->Get(
      rocksdb::ReadOptions(), database_->family(kMinHash), key, &value);
  if (status.IsNotFound()) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocksDbStatus(status, "reading a signature"));
  std::optional<SignatureRecord> record = DecodeSignatureRecord(value.ToStringView());
  if (!record.has_value()) {
    return absl::DataLossError("a stored MinHash signature does not decode");
  }
  batch->Delete(database_->family(kMinHash), key);
  for (uint64_t band : LshBandKeys(record->signature)) {
    batch->Delete(database_->family(kLshBands), BandKey(band, id));
  }
  return absl::OkStatus();
}

absl::Status NearDuplicateIndex::Find(const v1::FindSimilarRequest& request,
                                      v1::FindSimilarResponse* response) const {
  const double min_resemblance = request.min_resemblance();
  // NaN compares false with everything, so it would report nothing, or
  // everything, silently.
  if (!(min_resemblance >= 0 && min_resemblance <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "min_resemblance: ", min_resemblance, " is not in [0, 1]"));
  }
  if (request.limit() < 0 || request.limit() > kMaxSimilarLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limit: ", request.limit(), " is not in [0, ", kMaxSimilarLimit, "]"));
  }
  const int limit =
      request.limit() > 0 ? request.limit() : kDefaultSimilarLimit;
  std::unique_ptr<rocksdb::Iterator> bands(
      database_->db()->NewIterator(rocksdb::ReadOptions(),
                                   database_->family(kLshBands)));
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
      const rocksdb::Status held = database_->db()->Get(
          rocksdb::ReadOptions(), database_->family(kById), *id_key, &stored_key);
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
    database_->db()->MultiGet(rocksdb::ReadOptions(), database_->family(kMinHash), keys.size(),
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

}  // namespace archive::store
