// What a SearchArticles query asks for: words that must all occur, and
// "quoted phrases" whose words must occur in order, each tokenized exactly as
// the stores tokenize articles (common/tokenizer.h), so case, accents' forms
// and scripts match the same way.
#ifndef QUERY_SEARCH_QUERY_H_
#define QUERY_SEARCH_QUERY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace archive::query {

struct SearchQuery {
  // Every distinct term, phrases' included: all must occur.
  std::vector<std::string> terms;
  // Phrases of two or more terms.
  std::vector<std::vector<std::string>> phrases;
};

inline constexpr int kMaxSearchTerms = 32;

// INVALID_ARGUMENT naming `query` when the text has no searchable word, an
// unclosed quote, or more than kMaxSearchTerms terms.
absl::StatusOr<SearchQuery> ParseSearchQuery(const std::string& text);

}  // namespace archive::query

#endif  // QUERY_SEARCH_QUERY_H_
