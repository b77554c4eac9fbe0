#include "query/snippet.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/tokenizer.h"

namespace archive::query {
namespace {

// Paragraph breaks become single spaces: a snippet is one line.
std::string Flatten(const std::string& text) {
  std::string flat;
  flat.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      if (!flat.empty() && flat.back() != ' ') flat += ' ';
    } else {
      flat += c;
    }
  }
  return flat;
}

}  // namespace

std::string MakeSnippet(const v1::Article& article,
                        const std::vector<std::string>& terms, int max_words) {
  const std::set<std::string> wanted(terms.begin(), terms.end());
  const std::string* text = &article.body();
  std::vector<Token> tokens = TokenizeWithOffsets(*text);
  auto matches = [&wanted](const Token& token) { return wanted.count(token.term) > 0; };
  if (std::none_of(tokens.begin(), tokens.end(), matches)) {
    text = &article.title();
    tokens = TokenizeWithOffsets(*text);
  }
  if (tokens.empty()) return "";

  // The window of max_words tokens holding the most distinct terms, first
  // such window: a sliding count of the terms inside it.
  const size_t window = std::min<size_t>(max_words, tokens.size());
  std::map<std::string, int> inside;
  auto add = [&](size_t i, int delta) {
    if (!matches(tokens[i])) return;
    if ((inside[tokens[i].term] += delta) == 0) inside.erase(tokens[i].term);
  };
  for (size_t i = 0; i < window; ++i) add(i, 1);
  size_t best_start = 0;
  size_t best_count = inside.size();
  for (size_t start = 1; start + window <= tokens.size(); ++start) {
    add(start - 1, -1);
    add(start + window - 1, 1);
    if (inside.size() > best_count) {
      best_count = inside.size();
      best_start = start;
    }
  }
  // Start a little before the first match, so it reads in context.
  size_t first_match = best_start;
  while (first_match < best_start + window && !matches(tokens[first_match])) {
    ++first_match;
  }
  if (first_match < best_start + window) {
    best_start = std::min(first_match - std::min<size_t>(first_match, 5),
                          tokens.size() - window);
  }

  const size_t end_token = best_start + window - 1;
  size_t begin = best_start == 0 ? 0 : tokens[best_start].begin;
  size_t end = end_token + 1 == tokens.size() ? text->size() : tokens[end_token].end;
  std::string snippet = begin > 0 ? "…" : "";
  size_t at = begin;
  for (size_t i = best_start; i <= end_token; ++i) {
    if (!matches(tokens[i])) continue;
    snippet += text->substr(at, tokens[i].begin - at);
    snippet += "**" + text->substr(tokens[i].begin, tokens[i].end - tokens[i].begin) + "**";
    at = tokens[i].end;
  }
  snippet += text->substr(at, end - at);
  if (end < text->size()) snippet += "…";
  return Flatten(snippet);
}

}  // namespace archive::query
