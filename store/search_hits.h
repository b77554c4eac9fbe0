// What every kind of search does with its matches, in one place: which
// documents pass the request's filters, how a scored match is counted and
// offered to the page past the cursor, and how the page's articles are read.
// ConjunctiveSearch and QuerySearch differ only in how they find matches.
//
// Thread safety: a SearchFilter and a HitCollector belong to one search
// (one thread); ReadHits is safe from any thread.
#ifndef STORE_SEARCH_HITS_H_
#define STORE_SEARCH_HITS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "archive/v1/store.pb.h"
#include "store/column_families.h"
#include "store/document_table.h"
#include "store/full_text.h"
#include "store/full_text_index.h"
#include "store/term_cursor.h"

namespace archive::store {

// The request's filters (source, time range) over the DocumentTable.
class SearchFilter {
 public:
  // `documents` and `query` must outlive it.
  SearchFilter(const DocumentTable& documents, const SearchQuery& query);

  // False when no document can pass: a source no document has, or an empty
  // time range.
  bool CanMatch() const { return can_match_; }
  // Whether the filters narrow at all (else Admit only checks liveness).
  bool filtered() const { return filtered_; }
  // The document's length when it is stored and passes the filters, else
  // nullopt; DATA_LOSS for a document the table never had. Reads its 4-byte
  // brief, and its entry only for a filter.
  absl::StatusOr<std::optional<uint32_t>> Admit(uint64_t document) const;

 private:
  const DocumentTable& documents_;
  const SearchQuery& query_;
  std::optional<uint32_t> source_;
  bool filtered_ = false;
  bool can_match_ = true;
};

// Counts the matches and keeps the best `limit` of those ranking after the
// request's cursor.
class HitCollector {
 public:
  HitCollector(const DocumentTable& documents, const SearchQuery& query)
      : documents_(documents), query_(query), top_(query.limit) {}

  // A match of `score`: counted, and kept when it ranks after the cursor
  // and among the best so far. Most matches rank below the kept hits or
  // before the cursor, and are told apart by score alone, with no
  // allocation.
  void Offer(uint64_t document, double score);

  // Whether a match of at most `bound` might still be kept (TopHits).
  bool MightKeep(double bound) const { return top_.MightKeep(bound); }
  // Matches past the cursor: when above the limit, more hits than the page.
  size_t offered() const { return top_.offered(); }
  // Every match offered, whatever the cursor.
  uint64_t matched() const { return matched_; }
  // The kept hits, best first.
  std::vector<RankedHit> Take() { return top_.Take(); }

 private:
  const DocumentTable& documents_;
  const SearchQuery& query_;
  TopHits top_;
  uint64_t matched_ = 0;
};

// How a search scores the scored `terms` (sorted, distinct) of a request:
// by the request's `global` statistics when they count any document, else
// by this store's own as of the view, which are `local`.
struct SearchScoring {
  v1::TermStatistics local;
  Bm25 bm25;
  std::vector<double> idf;  // by term
};

// The scoring of `request` over `view` (whose first lists are `terms`'),
// its statistics reported in `response`; INVALID_ARGUMENT naming
// global.document_frequency for a term it has no entry for.
absl::StatusOr<SearchScoring> ScoringOf(const FullTextIndex& index,
                                        const FullTextIndex::View& view,
                                        const std::vector<std::string>& terms,
                                        const v1::SearchRequest& request,
                                        v1::SearchResponse* response);

// Where TermCursors read the written segments, as of `view`.
TermCursor::StoredLists StoredListsOf(const StoreDatabase& database,
                                      const FullTextIndex::View& view);

// Appends `hits`' articles to `response`, with snippets made from
// `request.terms()` when asked for, trimmed to the request's view, until the
// page's byte budget is spent; then sets has_more from `matched_after` (the
// matches past the cursor), and match_count when the request asked for it.
absl::Status ReadHits(const StoreDatabase& database,
                      const std::vector<RankedHit>& hits,
                      const v1::SearchRequest& request, size_t matched_after,
                      uint64_t matched, v1::SearchResponse* response);

}  // namespace archive::store

#endif  // STORE_SEARCH_HITS_H_
