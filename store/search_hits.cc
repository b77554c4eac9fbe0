#include "store/search_hits.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/article_view.h"
#include "common/snippet.h"
#include "common/status_macros.h"
#include "store/article_key.h"
#include "store/page_limits.h"
#include "store/stored_article.h"

namespace archive::store {

SearchFilter::SearchFilter(const DocumentTable& documents, const SearchQuery& query)
    : documents_(documents), query_(query) {
  if (!query.source.empty()) {
    source_ = documents.FindSource(query.source);
    if (!source_.has_value()) can_match_ = false;
  }
  if (query.start_time.has_value() && query.start_time == query.end_time) {
    can_match_ = false;
  }
  filtered_ = !query.source.empty() || query.start_time.has_value() ||
              query.end_time.has_value();
}

absl::StatusOr<std::optional<uint32_t>> SearchFilter::Admit(uint64_t document) const {
  const std::optional<DocumentBrief> brief = documents_.Brief(document);
  if (!brief.has_value()) {
    return absl::DataLossError(
        absl::StrCat("a posting names document ", document, ", not stored"));
  }
  if (brief->state != DocumentInfo::kLive) return std::nullopt;
  if (filtered_) {
    const DocumentInfo& info = *documents_.Find(document);
    if ((source_.has_value() && info.source != *source_) ||
        (query_.start_time.has_value() && info.time_key() < *query_.start_time) ||
        (query_.end_time.has_value() && info.time_key() >= *query_.end_time)) {
      return std::nullopt;
    }
  }
  return brief->length;
}

void HitCollector::Offer(uint64_t document, double score) {
  ++matched_;
  const std::optional<RankedHit>& after = query_.after;
  const bool past_cursor = !after.has_value() || score < after->score;
  if (!past_cursor && score != after->score) return;
  if (past_cursor && !top_.MightKeep(score)) {
    top_.Count();
    return;
  }
  const DocumentInfo& info = *documents_.Find(document);
  RankedHit hit{score, info.TimeIdKey(), ""};
  if (!after.has_value() || RanksBefore(*after, hit)) {
    hit.source = documents_.source(info.source);
    top_.Offer(std::move(hit));
  }
}

absl::StatusOr<SearchScoring> ScoringOf(const FullTextIndex& index,
                                        const FullTextIndex::View& view,
                                        const std::vector<std::string>& terms,
                                        const v1::SearchRequest& request,
                                        v1::SearchResponse* response) {
  absl::StatusOr<v1::TermStatistics> local = index.LocalTermStatistics(terms, view);
  if (!local.ok()) return local.status();
  const bool global = request.global().document_count() > 0;
  const v1::TermStatistics& chosen = global ? request.global() : *local;
  *response->mutable_statistics() = chosen;
  SearchScoring scoring{{}, Bm25(chosen.document_count(), chosen.total_terms()), {}};
  scoring.local = *std::move(local);
  const v1::TermStatistics& statistics = global ? request.global() : scoring.local;
  for (const std::string& term : terms) {
    auto found = statistics.document_frequency().find(term);
    if (found == statistics.document_frequency().end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "global.document_frequency: no entry for the term \"", term, "\""));
    }
    scoring.idf.push_back(scoring.bm25.Idf(found->second));
  }
  return scoring;
}

TermCursor::StoredLists StoredListsOf(const StoreDatabase& database,
                                      const FullTextIndex::View& view) {
  TermCursor::StoredLists stored;
  stored.db = database.db();
  stored.postings = database.family(kTermPostings);
  stored.positions = database.family(kTermPositions);
  stored.blocks = database.family(kTermBlocks);
  stored.read_options = view.read_options;
  return stored;
}

absl::Status ReadHits(const StoreDatabase& database,
                      const std::vector<RankedHit>& hits,
                      const v1::SearchRequest& request, size_t matched_after,
                      uint64_t matched, v1::SearchResponse* response) {
  // The hits' articles, read a few at a time (one MultiGet, which batches
  // the reads of a block), until the page's byte budget is spent.
  constexpr size_t kHitsPerRead = 16;
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
    database.db()->MultiGet(rocksdb::ReadOptions(), database.family(kArticles), count,
                            slices.data(), values.data(), statuses.data(),
                            /*sorted_input=*/false);
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
  response->set_has_more(matched_after > static_cast<size_t>(response->hits_size()));
  if (request.count_matches()) response->set_match_count(matched);
  return absl::OkStatus();
}

}  // namespace archive::store
