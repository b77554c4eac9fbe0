// QuerySearch: this store's part of a search by a query of the query
// language (SearchRequest.query, a tree of v1::QueryNode): the articles the
// tree matches, read document at a time through matchers
// (store/query_matcher.h), every match filtered, scored and counted, the
// best `limit` past the cursor kept, and their articles read
// (store/search_hits.h). Scores are BM25 over the request's `terms` that a
// match holds in the parts that matched, under the same statistics and in
// the same way as ConjunctiveSearch, so that a query of words alone ranks
// alike by either.
//
// Prefixes are expanded to this store's terms that start with them (at
// most kMaxPrefixTerms each) before the index is captured.
//
// Cost: every match is visited (no stretch is passed over by block bounds:
// an OR or a NOT has no bound that holds), and every node's postings are
// read up to the last match, an exclusion's only where the other parts
// agree.
//
// Thread safety: Run is safe from any number of threads at once.
#ifndef STORE_QUERY_SEARCH_H_
#define STORE_QUERY_SEARCH_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/store.pb.h"
#include "store/column_families.h"
#include "store/full_text.h"
#include "store/full_text_index.h"
#include "store/query_matcher.h"
#include "store/term_cursor.h"

namespace archive::store {

// Terms of one store a prefix may expand to.
inline constexpr size_t kMaxPrefixTerms = 256;
// Nodes nested deeper than this are refused.
inline constexpr int kMaxQueryNodeDepth = 64;

class QuerySearch {
 public:
  // `database` and `index` must outlive it.
  QuerySearch(const StoreDatabase* database, const FullTextIndex* index)
      : database_(database), index_(index) {}

  // As ArticleDb::Search, for a request with a `query`. INVALID_ARGUMENT
  // naming the node ("query.all.must[1].prefix: ...") for a malformed
  // tree, and "query: ..." for a prefix of too many terms.
  absl::Status Run(const v1::SearchRequest& request, v1::SearchResponse* response,
                   absl::Time deadline) const;

  // The documents a tree matches, unscored, over the index as of one
  // capture (for counting): root() lists them, live or not, to be filtered
  // by the caller. It owns what its matchers read.
  class Matches {
   public:
    ~Matches();
    Matcher& root() { return *root_; }

   private:
    friend class QuerySearch;
    Matches() = default;
    std::unique_ptr<FullTextIndex::View> view_;
    TermCursor::StoredLists stored_;
    const Bm25 unscored_{0, 0};  // what the cursors' weights point at
    std::unique_ptr<Matcher> root_;
  };
  // The same checks and refusals of `tree` as Run's, naming "query...".
  absl::StatusOr<std::unique_ptr<Matches>> Match(const v1::QueryNode& tree) const;

 private:
  const StoreDatabase* const database_;
  const FullTextIndex* const index_;
};

}  // namespace archive::store

#endif  // STORE_QUERY_SEARCH_H_
