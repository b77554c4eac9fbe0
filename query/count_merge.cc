#include "query/count_merge.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace archive::query {
namespace {

// A sum over copies, divided by their number: never 0 for a sum that was
// not.
uint64_t Once(uint64_t sum, int copies) {
  if (copies <= 1 || sum == 0) return sum;
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(
                                   static_cast<double>(sum) / copies)));
}

double Ratio(uint64_t count, uint64_t total) {
  return total == 0 ? 0 : static_cast<double>(count) / static_cast<double>(total);
}

template <typename Message>
void SetFigures(uint64_t count, uint64_t total, Message* message) {
  message->set_count(count);
  message->set_total(total);
  message->set_ratio(Ratio(count, total));
}

}  // namespace

void CountMerge::Add(const v1::CountResponse& response) {
  for (const v1::CountCell& cell : response.buckets()) {
    Tally& tally = buckets_[cell.start_seconds()];
    tally.count += cell.count();
    tally.total += cell.total();
  }
  auto source = [&response](const v1::CountCell& cell) -> std::optional<std::string> {
    if (cell.source() >= static_cast<uint32_t>(response.sources_size())) return std::nullopt;
    return response.sources(cell.source());
  };
  for (const v1::CountCell& cell : response.source_totals()) {
    const std::optional<std::string> name = source(cell);
    if (!name.has_value()) continue;  // a malformed cell: a store's bug, not the caller's
    Tally& tally = sources_[*name];
    tally.count += cell.count();
    tally.total += cell.total();
  }
  for (const v1::CountCell& cell : response.source_buckets()) {
    const std::optional<std::string> name = source(cell);
    if (!name.has_value()) continue;
    Tally& tally = source_buckets_[{*name, cell.start_seconds()}];
    tally.count += cell.count();
    tally.total += cell.total();
  }
}

absl::StatusOr<v1::CountArticlesResponse> CountMerge::Finish(
    const v1::CountArticlesRequest& request, const TimeBuckets& buckets, int copies) const {
  v1::CountArticlesResponse response;
  // The range: the request's bounds, else the stores' first and last
  // buckets.
  std::optional<absl::Time> first, last;
  if (request.has_start_time()) {
    first = buckets.StartOf(ToAbslTime(request.start_time()));
  } else if (!buckets_.empty()) {
    first = absl::FromUnixSeconds(buckets_.begin()->first);
  }
  if (request.has_end_time()) {
    // The bucket of the last instant before the end.
    last = buckets.StartOf(ToAbslTime(request.end_time()) - absl::Nanoseconds(1));
  } else if (!buckets_.empty()) {
    last = absl::FromUnixSeconds(buckets_.rbegin()->first);
  }
  if (!first.has_value() || !last.has_value() || *last < *first) return response;

  std::vector<int64_t> starts;
  for (absl::Time start = *first; start <= *last; start = buckets.Next(start)) {
    if (starts.size() == kMaxCountBuckets) {
      return absl::InvalidArgumentError(absl::StrCat(
          "interval: more than ", kMaxCountBuckets,
          " buckets in the range; choose a longer interval or a shorter range"));
    }
    starts.push_back(absl::ToUnixSeconds(start));
  }

  uint64_t count = 0, total = 0;
  for (const int64_t start : starts) {
    const auto found = buckets_.find(start);
    const Tally tally = found == buckets_.end() ? Tally{} : found->second;
    v1::CountBucket* bucket = response.add_buckets();
    *bucket->mutable_start() = ToProtoTimestamp(absl::FromUnixSeconds(start));
    SetFigures(Once(tally.count, copies), Once(tally.total, copies), bucket);
    count += bucket->count();
    total += bucket->total();
  }
  SetFigures(count, total, &response);

  // Sources with matches, most first, then by name.
  std::vector<std::pair<uint64_t, std::string>> ranked;
  for (const auto& [name, tally] : sources_) {
    if (tally.count > 0) ranked.emplace_back(Once(tally.count, copies), name);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const int limit = request.source_limit() == 0
                        ? kDefaultCountSources
                        : std::min(request.source_limit(), kMaxCountSources);
  if (ranked.size() > static_cast<size_t>(limit)) ranked.resize(limit);
  for (const auto& [source_count, name] : ranked) {
    v1::SourceCount* source = response.add_top_sources();
    source->set_source(name);
    SetFigures(source_count, Once(sources_.at(name).total, copies), source);
    if (!request.split_by_source()) continue;
    for (const int64_t start : starts) {
      const auto found = source_buckets_.find({name, start});
      const Tally tally = found == source_buckets_.end() ? Tally{} : found->second;
      v1::CountBucket* bucket = source->add_buckets();
      *bucket->mutable_start() = ToProtoTimestamp(absl::FromUnixSeconds(start));
      SetFigures(Once(tally.count, copies), Once(tally.total, copies), bucket);
    }
  }
  return response;
}

}  // namespace archive::query
