// CountMerge: the query server's half of CountArticles. It sums the
// stores' counts (CountResponse: sparse cells by bucket start and source)
// and makes the caller's answer: every bucket of the range, empty ones
// included, with count, total and ratio; the overall figures; the top
// sources, each with its series when asked.
//
// Each article is counted once however many copies the stores hold
// (docs/REPLICATION.md): either every store counted all it holds, and the
// sums are divided by the replicas, or the answering stores counted only
// what they are the first answering owner of, and the sums are the counts.
//
// Thread safety: one merge, one thread.
#ifndef QUERY_COUNT_MERGE_H_
#define QUERY_COUNT_MERGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "archive/v1/query.pb.h"
#include "archive/v1/store.pb.h"
#include "common/time_buckets.h"

namespace archive::query {

// Buckets one answer may list.
inline constexpr int kMaxCountBuckets = 10000;
// Sources top_sources lists by default, and at most.
inline constexpr int kDefaultCountSources = 10;
inline constexpr int kMaxCountSources = 100;

class CountMerge {
 public:
  // Adds one store's counts.
  void Add(const v1::CountResponse& response);

  // The answer to `request` (already checked), its buckets made by
  // `buckets`, every sum divided by `copies` (1 when the stores counted by
  // ownership). INVALID_ARGUMENT naming interval when the range holds more
  // than kMaxCountBuckets buckets.
  absl::StatusOr<v1::CountArticlesResponse> Finish(const v1::CountArticlesRequest& request,
                                                   const TimeBuckets& buckets,
                                                   int copies) const;

 private:
  struct Tally {
    uint64_t count = 0;
    uint64_t total = 0;
  };
  std::map<int64_t, Tally> buckets_;
  std::map<std::string, Tally> sources_;
  std::map<std::pair<std::string, int64_t>, Tally> source_buckets_;
};

}  // namespace archive::query

#endif  // QUERY_COUNT_MERGE_H_
