// ConjunctiveSearch: this store's part of a full-text search (see
// ArticleDb::Search for the contract and the cost). The rarest term's
// TermCursor drives a join over every term's postings; matches are
// filtered and scored from the in-memory DocumentTable, kept in a bounded
// TopHits, and once the page is full, stretches whose block bounds cannot
// beat its worst hit are passed over unread. Then the hits' articles are
// read, a few at a time.
//
// Thread safety: Run is safe from any number of threads at once; each run
// reads the index as of one FullTextIndex::Capture.
#ifndef STORE_CONJUNCTIVE_SEARCH_H_
#define STORE_CONJUNCTIVE_SEARCH_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "archive/v1/store.pb.h"
#include "store/column_families.h"
#include "store/full_text.h"
#include "store/full_text_index.h"

namespace archive::store {

class ConjunctiveSearch {
 public:
  // `database` and `index` must outlive it. Without `block_bounds` no
  // stretch is passed over (to measure what that saves).
  ConjunctiveSearch(const StoreDatabase* database, const FullTextIndex* index,
                    bool block_bounds)
      : database_(database), index_(index), block_bounds_(block_bounds) {}

  absl::Status Run(const v1::SearchRequest& request,
                   v1::SearchResponse* response, absl::Time deadline) const;

  // Stretches of documents passed over by their block bounds, in all runs.
  uint64_t stretches_skipped() const {
    return stretches_skipped_.load(std::memory_order_relaxed);
  }

 private:
  const StoreDatabase* const database_;
  const FullTextIndex* const index_;
  const bool block_bounds_;
  mutable std::atomic<uint64_t> stretches_skipped_{0};
};

}  // namespace archive::store

#endif  // STORE_CONJUNCTIVE_SEARCH_H_
