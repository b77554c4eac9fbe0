#include "store/conjunctive_search.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "store/article_key.h"
#include "store/document_table.h"
#include "store/search_hits.h"
#include "store/term_cursor.h"

namespace archive::store {
namespace {

// A search looks at the clock once every this many postings of its rarest
// term.
constexpr int kPostingsBetweenDeadlineChecks = 256;

}  // namespace

absl::Status ConjunctiveSearch::Run(const v1::SearchRequest& request,
                                    v1::SearchResponse* response,
                                    absl::Time deadline) const {
  ASSIGN_OR_RETURN(const SearchQuery query, ParseSearchRequest(request));
  const size_t term_count = query.terms.size();

  // Positions only for the terms of a phrase.
  std::vector<bool> in_phrase(term_count, false);
  for (const std::vector<size_t>& phrase : query.phrases) {
    for (size_t i : phrase) in_phrase[i] = true;
  }
  std::unique_ptr<FullTextIndex::View> view =
      index_->Capture(query.terms, /*copy_lists=*/true);
  ASSIGN_OR_RETURN(const SearchScoring scoring,
                   ScoringOf(*index_, *view, query.terms, request, response));
  const v1::TermStatistics& local = scoring.local;
  const Bm25& bm25 = scoring.bm25;
  const std::vector<double>& idf = scoring.idf;

  // The rarest term drives the join.
  std::vector<size_t> order(term_count);
  for (size_t i = 0; i < term_count; ++i) order[i] = i;
  auto local_df = [&](size_t i) {
    return local.document_frequency().at(query.terms[i]);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return local_df(a) < local_df(b);
  });
  const DocumentTable& documents = index_->documents();
  const SearchFilter filter(documents, query);
  if (!filter.CanMatch() || local_df(order[0]) == 0) {
    return ReadHits(*database_, {}, request, 0, 0, response);
  }
  // By term index, as `order` reads them.
  const TermCursor::StoredLists stored = StoredListsOf(*database_, *view);
  std::vector<std::unique_ptr<TermCursor>> cursors(term_count);
  for (size_t i = 0; i < term_count; ++i) {
    const std::optional<FullTextIndex::View::Copied>& active = view->active[i];
    TermCursor::MemoryLists memory;
    if (view->frozen != nullptr) {
      memory.frozen = view->frozen->postings.Find(query.terms[i]);
    }
    if (active.has_value()) {
      memory.active_documents = &active->documents;
      if (in_phrase[i]) memory.active_positions = &active->positions;
    }
    cursors[i] = std::make_unique<TermCursor>(
        stored, query.terms[i], TermCursor::Weight{idf[i], &bm25}, memory);
  }
  TermCursor& driver = *cursors[order[0]];
  const bool filtered = filter.filtered();
  // Counting every match needs every match: no stretch passed over.
  const bool block_bounds = block_bounds_ && !request.count_matches();

  HitCollector top(documents, query);
  uint64_t stretches_skipped = 0;
  std::vector<std::vector<uint32_t>> positions(term_count);
  std::vector<const std::vector<uint32_t>*> phrase_positions;
  for (int steps = 1; driver.Valid(); ++steps) {
    if (steps % kPostingsBetweenDeadlineChecks == 0 && absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("search: deadline passed after ", steps, " postings"));
    }
    const uint64_t document = driver.document();
    // A filter is checked first, as it may pass over most of the driver's
    // postings; otherwise only after the other terms are found there, as
    // reading a document's brief may cost a cache miss.
    std::optional<uint32_t> length;
    if (filtered) {
      ASSIGN_OR_RETURN(length, filter.Admit(document));
      if (!length.has_value()) {
        driver.Next();
        continue;
      }
    }

    // Every other term at the driver's document, or the first document past
    // it that one of them holds.
    uint64_t ahead = document;
    bool exhausted = false;
    for (size_t k = 1; k < term_count && ahead == document; ++k) {
      TermCursor& other = *cursors[order[k]];
      other.SkipTo(document);
      if (!other.Valid()) {
        exhausted = true;
        break;
      }
      ahead = other.document();
    }
    if (exhausted) break;
    if (ahead != document) {
      driver.SkipTo(ahead);
      continue;
    }
    // Every term is at `document`, each in a block that holds every posting
    // of the term up to the block's last document. Once the page is full and
    // more hits are known to exist (so has_more needs no count), stretches
    // that cannot beat the page's worst hit are passed over, moving from
    // block to block without reading a posting, until one might. The bounds
    // add up in the order the scores do, so rounding keeps them above.
    if (block_bounds && top.offered() > static_cast<size_t>(query.limit)) {
      uint64_t target = document;
      for (;;) {
        double bound = 0;
        uint64_t stretch_last = std::numeric_limits<uint64_t>::max();
        bool bounded = true;
        for (size_t i = 0; i < term_count && bounded; ++i) {
          cursors[i]->ShallowSkipTo(target);
          bounded = cursors[i]->HasBlockBound();
          if (bounded) {
            bound += cursors[i]->BlockBound();
            stretch_last = std::min(stretch_last, cursors[i]->BlockLast());
          }
        }
        if (!bounded || top.MightKeep(bound)) break;
        ++stretches_skipped;
        target = stretch_last + 1;
      }
      if (target != document) {
        driver.SkipTo(target);
        continue;
      }
    }
    if (!filtered) {
      ASSIGN_OR_RETURN(length, filter.Admit(document));
      if (!length.has_value()) {
        driver.Next();
        continue;
      }
    }

    bool phrases_match = true;
    for (const std::vector<size_t>& phrase : query.phrases) {
      phrase_positions.clear();
      for (size_t i : phrase) {
        RETURN_IF_ERROR(cursors[i]->Positions(&positions[i]));
        phrase_positions.push_back(&positions[i]);
      }
      if (!ContainsPhrase(phrase_positions)) {
        phrases_match = false;
        break;
      }
    }
    if (phrases_match) {
      const double norm = bm25.LengthNorm(*length);
      double score = 0;
      for (size_t i = 0; i < term_count; ++i) {
        score += Bm25::TermScoreWithNorm(idf[i], cursors[i]->frequency(), norm);
      }
      top.Offer(document, score);
    }
    driver.Next();
  }
  stretches_skipped_.fetch_add(stretches_skipped, std::memory_order_relaxed);
  for (const std::unique_ptr<TermCursor>& cursor : cursors) {
    RETURN_IF_ERROR(cursor->status());
  }

  const size_t matched_after = top.offered();
  const uint64_t matched = top.matched();
  return ReadHits(*database_, top.Take(), request, matched_after, matched, response);
}

}  // namespace archive::store
