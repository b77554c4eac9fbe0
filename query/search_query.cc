#include "query/search_query.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"

namespace archive::query {
namespace {

void AddTerm(const std::string& term, SearchQuery* query) {
  if (std::find(query->terms.begin(), query->terms.end(), term) ==
      query->terms.end()) {
    query->terms.push_back(term);
  }
}

}  // namespace

absl::StatusOr<SearchQuery> ParseSearchQuery(const std::string& text) {
  absl::StatusOr<std::string> normalized = NormalizeLine(text);
  if (!normalized.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("query: ", normalized.status().message()));
  }
  SearchQuery query;
  bool in_phrase = false;
  size_t start = 0;
  const std::string& line = *normalized;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size() && line[i] != '"') continue;
    const std::vector<std::string> terms = Tokenize(line.substr(start, i - start));
    if (in_phrase && terms.size() > 1) {
      if (std::find(query.phrases.begin(), query.phrases.end(), terms) ==
          query.phrases.end()) {
        query.phrases.push_back(terms);
      }
    }
    for (const std::string& term : terms) AddTerm(term, &query);
    if (i == line.size()) break;
    in_phrase = !in_phrase;
    start = i + 1;
  }
  if (in_phrase) {
    return absl::InvalidArgumentError("query: a quote is not closed");
  }
  if (query.terms.empty()) {
    return absl::InvalidArgumentError("query: no words to search for");
  }
  if (query.terms.size() > static_cast<size_t>(kMaxSearchTerms)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "query: ", query.terms.size(), " distinct words, over the limit of ",
        kMaxSearchTerms));
  }
  return query;
}

}  // namespace archive::query
