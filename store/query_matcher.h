// Matchers: the documents a query's nodes (v1::QueryNode) match, read from
// their terms' TermCursors in document order, document at a time.
//
// A matcher of words (a term, a phrase, a prefix, and an AND or an OR of
// them) lists its matches: SkipTo(target) moves it to its first match at or
// after `target`, Next to the one after. A filter (a source, or an OR of
// filters) lists nothing and only tells whether a document matches.
// Every matcher answers Matches(document), for ascending documents (it may
// move a matcher of words ahead to `document`), which is how an AND checks
// its filters and its exclusions at a candidate that its words agree on.
//
// Matches are of documents, live or not: the search checks liveness and the
// request's filters at the root's matches. A phrase reads its terms'
// positions only at documents that hold all of them. At a match, Collect
// gives the frequency of each scored term (an index into the search's
// terms) held by the parts that matched there: the words of an AND, the
// sides of an OR at that document; never those of an exclusion, nor a
// prefix's.
//
// Thread safety: a matcher belongs to one thread, as its cursors do.
#ifndef STORE_QUERY_MATCHER_H_
#define STORE_QUERY_MATCHER_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "store/document_table.h"
#include "store/term_cursor.h"

namespace archive::store {

// Past every document: what document() is once a matcher is done.
inline constexpr uint64_t kNoDocument = std::numeric_limits<uint64_t>::max();

class Matcher {
 public:
  virtual ~Matcher() = default;

  // True for a matcher of words, false for a filter.
  virtual bool Lists() const = 0;

  // Matchers of words only. Before the first SkipTo, where the matcher is
  // is unspecified: SkipTo(0) starts it.
  virtual uint64_t document() const = 0;  // kNoDocument when done
  bool Valid() const { return document() != kNoDocument; }
  virtual void SkipTo(uint64_t target) = 0;
  virtual void Next() = 0;

  // Whether `document` matches; `document` must not decrease between calls
  // (nor be below where SkipTo left a matcher of words).
  virtual bool Matches(uint64_t document) = 0;

  // At a match of this matcher (of words) at `document`: sets
  // frequencies[i] for each scored term i held there.
  virtual void Collect(uint64_t document, std::vector<uint32_t>* frequencies) const = 0;

  // Why it ended early (a cursor's read failed, positions did not decode).
  virtual absl::Status status() const = 0;
};

// A term's matches; `scored` is its index among the search's scored terms,
// or -1 when it is not scored (under an exclusion, or a prefix's).
std::unique_ptr<Matcher> TermMatcher(std::unique_ptr<TermCursor> cursor, int scored);
// The documents where the cursors' terms occur in this order, adjacent.
// The cursors must give positions.
std::unique_ptr<Matcher> PhraseMatcher(std::vector<std::unique_ptr<TermCursor>> cursors,
                                       std::vector<int> scored);
// Every `must` and no `must_not`: at least one `must` lists (else it is a
// filter of them all).
std::unique_ptr<Matcher> AllMatcher(std::vector<std::unique_ptr<Matcher>> must,
                                    std::vector<std::unique_ptr<Matcher>> must_not);
// One `should` or more: all of them list, or none does.
std::unique_ptr<Matcher> AnyMatcher(std::vector<std::unique_ptr<Matcher>> should);
// Documents whose source is `source` (DocumentTable's index; nullopt: no
// document has the source, so none matches). `documents` must outlive it.
std::unique_ptr<Matcher> SourceMatcher(const DocumentTable* documents,
                                       std::optional<uint32_t> source);
// Matches nothing and lists nothing more (a prefix no term has).
std::unique_ptr<Matcher> EmptyMatcher();

}  // namespace archive::store

#endif  // STORE_QUERY_MATCHER_H_
