// ArticleCount: this store's part of counting articles over time
// (Store.Count). One pass over the DocumentTable in document order: every
// live document within the request's filters is counted into its bucket's
// and its source's total, and, when the request's query matches it, into
// their counts. The query's matchers (QuerySearch::Match) are asked about
// those documents only, in ascending order, so a common word's postings are
// read once and a rare word's are skipped through. With an ownership, a
// document counts only where this store is its first answering owner
// (common/rendezvous.h), which costs a hash per store per document.
//
// Counts read only memory (the table's entries) and the query's postings:
// about 40 bytes of the table a document, and no article. What is stored
// while a count runs may or may not be counted.
//
// Thread safety: Run is safe from any number of threads at once.
#ifndef STORE_ARTICLE_COUNT_H_
#define STORE_ARTICLE_COUNT_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "archive/v1/store.pb.h"
#include "store/full_text_index.h"
#include "store/query_search.h"

namespace archive::store {

class ArticleCount {
 public:
  // `index` and `search` must outlive it.
  ArticleCount(const FullTextIndex* index, const QuerySearch* search)
      : index_(index), search_(search) {}

  // INVALID_ARGUMENT naming the field for a malformed request (a query
  // tree as QuerySearch refuses it, a bad filter, interval or time zone, an
  // ownership whose indexes are out of its stores); DEADLINE_EXCEEDED when
  // `deadline` passes first.
  absl::Status Run(const v1::CountRequest& request, v1::CountResponse* response,
                   absl::Time deadline) const;

 private:
  const FullTextIndex* const index_;
  const QuerySearch* const search_;
};

}  // namespace archive::store

#endif  // STORE_ARTICLE_COUNT_H_
