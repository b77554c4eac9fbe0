#include "store/article_count.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/rendezvous.h"
#include "common/status_macros.h"
#include "common/time_buckets.h"
#include "store/article_key.h"
#include "store/document_table.h"
#include "store/full_text.h"
#include "store/search_hits.h"

namespace archive::store {
namespace {

// A count looks at the clock once every this many documents.
constexpr uint64_t kDocumentsBetweenDeadlineChecks = 16384;

struct Tally {
  uint64_t count = 0;
  uint64_t total = 0;

  void Add(bool matched) {
    ++total;
    count += matched;
  }
};

absl::StatusOr<std::optional<AnsweringOwner>> OwnershipOf(const v1::CountRequest& request) {
  if (!request.has_ownership()) return std::optional<AnsweringOwner>();
  const v1::CountOwnership& ownership = request.ownership();
  const size_t stores = ownership.stores_size();
  if (stores == 0) return absl::InvalidArgumentError("ownership.stores: empty");
  if (ownership.replicas() == 0) return absl::InvalidArgumentError("ownership.replicas: 0");
  if (ownership.self() >= stores) {
    return absl::InvalidArgumentError(
        absl::StrCat("ownership.self: ", ownership.self(), " is not below ", stores));
  }
  std::vector<bool> answering(stores);
  for (int i = 0; i < ownership.answering_size(); ++i) {
    if (ownership.answering(i) >= stores) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ownership.answering[", i, "]: ", ownership.answering(i), " is not below ", stores));
    }
    answering[ownership.answering(i)] = true;
  }
  if (!answering[ownership.self()]) {
    return absl::InvalidArgumentError("ownership.answering: does not hold self");
  }
  return std::optional<AnsweringOwner>(
      AnsweringOwner({ownership.stores().begin(), ownership.stores().end()},
                     ownership.replicas(), std::move(answering)));
}

int64_t UnixSeconds(const DocumentInfo& info) {
  const std::optional<google::protobuf::Timestamp> time = DecodeTime(info.time_key());
  return time.has_value() ? time->seconds() : 0;  // the table holds only valid keys
}

}  // namespace

absl::Status ArticleCount::Run(const v1::CountRequest& request,
                               v1::CountResponse* response, absl::Time deadline) const {
  SearchQuery filters;
  RETURN_IF_ERROR(ParseSearchFilters(request.source(),
                                     request.has_start_time() ? &request.start_time() : nullptr,
                                     request.has_end_time() ? &request.end_time() : nullptr,
                                     &filters));
  ASSIGN_OR_RETURN(const TimeBuckets buckets,
                   TimeBuckets::Make(request.interval(), request.time_zone()));
  ASSIGN_OR_RETURN(const std::optional<AnsweringOwner> owner, OwnershipOf(request));
  std::unique_ptr<QuerySearch::Matches> matches;
  if (request.has_query()) {
    ASSIGN_OR_RETURN(matches, search_->Match(request.query()));
    matches->root().SkipTo(0);
  }

  const DocumentTable& documents = index_->documents();
  const SearchFilter filter(documents, filters);
  absl::flat_hash_map<int64_t, Tally> by_bucket;
  absl::flat_hash_map<uint32_t, Tally> by_source;
  absl::flat_hash_map<std::pair<int64_t, uint32_t>, Tally> by_bucket_and_source;
  if (filter.CanMatch()) {
    BucketWalk walk(buckets);
    const uint64_t size = documents.size();
    for (uint64_t document = 0; document < size; ++document) {
      if (document % kDocumentsBetweenDeadlineChecks == 0 && document > 0 &&
          absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("count: deadline passed after ", document, " documents"));
      }
      ASSIGN_OR_RETURN(const std::optional<uint32_t> admitted, filter.Admit(document));
      if (!admitted.has_value()) continue;
      const DocumentInfo& info = *documents.Find(document);
      if (owner.has_value() &&
          owner->Of(DecodeId(info.id_key())) != request.ownership().self()) {
        continue;
      }
      const bool matched = matches == nullptr || matches->root().Matches(document);
      const int64_t start = walk.StartOf(UnixSeconds(info));
      by_bucket[start].Add(matched);
      by_source[info.source].Add(matched);
      if (request.split_by_source()) by_bucket_and_source[{start, info.source}].Add(matched);
    }
    if (matches != nullptr) RETURN_IF_ERROR(matches->root().status());
  }

  // Sources by name, referred to by their place in response->sources().
  std::vector<std::pair<std::string, uint32_t>> sources;
  for (const auto& [source, tally] : by_source) sources.emplace_back(documents.source(source), source);
  std::sort(sources.begin(), sources.end());
  absl::flat_hash_map<uint32_t, uint32_t> place;
  for (const auto& [name, source] : sources) {
    place[source] = static_cast<uint32_t>(response->sources_size());
    response->add_sources(name);
    v1::CountCell* cell = response->add_source_totals();
    cell->set_source(place[source]);
    cell->set_count(by_source[source].count);
    cell->set_total(by_source[source].total);
  }
  std::vector<int64_t> starts;
  for (const auto& [start, tally] : by_bucket) starts.push_back(start);
  std::sort(starts.begin(), starts.end());
  for (const int64_t start : starts) {
    v1::CountCell* cell = response->add_buckets();
    cell->set_start_seconds(start);
    cell->set_count(by_bucket[start].count);
    cell->set_total(by_bucket[start].total);
  }
  std::vector<std::pair<int64_t, uint32_t>> cells;
  for (const auto& [key, tally] : by_bucket_and_source) {
    cells.emplace_back(key.first, place[key.second]);
  }
  std::sort(cells.begin(), cells.end());
  absl::flat_hash_map<uint32_t, uint32_t> source_of_place;
  for (const auto& [source, at] : place) source_of_place[at] = source;
  for (const auto& [start, at] : cells) {
    const Tally& tally = by_bucket_and_source[{start, source_of_place[at]}];
    v1::CountCell* cell = response->add_source_buckets();
    cell->set_start_seconds(start);
    cell->set_source(at);
    cell->set_count(tally.count);
    cell->set_total(tally.total);
  }
  return absl::OkStatus();
}

}  // namespace archive::store
