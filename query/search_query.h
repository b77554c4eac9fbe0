// The query language of SearchArticles (and of every RPC that takes a
// query): one parser, so that every such RPC reads a query alike.
//
//   words          all must occur: `japan security`, or `japan AND security`
//   "a phrase"     its words in order, adjacent
//   a OR b         either
//   NOT a, -a      not a
//   ( ... )        grouping
//   elect*         a word starting with "elect"
//   source:HOST    articles of that outlet (a filter: it narrows a search)
//
// NOT (and -) binds tightest, then AND, then OR: `a b OR c` is `(a b) OR c`.
// AND, OR and NOT are operators only in capitals; in any other case they
// are words. A word is split and folded exactly as the stores split and
// fold articles (common/tokenizer.h), so case, accents' forms and scripts
// match the same way, and a word that splits into several terms ("U.S.-led")
// is a phrase of them. Punctuation alone is no word.
//
// Errors are INVALID_ARGUMENT, "query: " and the problem, with the position
// in characters (Unicode code points) from 1 where one is to blame:
// "query: unbalanced parenthesis at 17".
//
// Thread-safe: no state.
#ifndef QUERY_SEARCH_QUERY_H_
#define QUERY_SEARCH_QUERY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/v1/store.pb.h"

namespace archive::query {

struct SearchQuery {
  // The query as the stores match it (SearchRequest.query).
  v1::QueryNode root;
  // Every distinct term outside a NOT, phrases' included, in the order the
  // query gives them: what hits are scored by (SearchRequest.terms, and
  // the statistics asked of every store) and what snippets mark.
  std::vector<std::string> terms;
  // True when the query is words and phrases that must all occur, and
  // nothing else: then `terms` and `phrases` say it all (SearchRequest's
  // terms and phrases, as before the language), and `root` need not be
  // sent.
  bool conjunctive = false;
  // The phrases of two or more terms, when `conjunctive`.
  std::vector<std::vector<std::string>> phrases;
};

// Distinct words (terms) a query may hold, prefixes and excluded ones
// included.
inline constexpr int kMaxSearchTerms = 32;
// Parentheses and NOTs nested deeper than this are refused.
inline constexpr int kMaxQueryDepth = 32;

// INVALID_ARGUMENT naming `query` for a syntax error (with its position), a
// query with no word, a query of only excluded words or filters, words ORed
// with filters, or more than kMaxSearchTerms words.
absl::StatusOr<SearchQuery> ParseSearchQuery(const std::string& text);

}  // namespace archive::query

#endif  // QUERY_SEARCH_QUERY_H_
