#include "common/snippet.h"

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <utility>

#include "common/tokenizer.h"

namespace archive {
namespace {

// A text up to this size is tokenized whole.
constexpr size_t kWholeTextBytes = 2048;
// In a longer body: how much ICU tokenizes at most (more only when max_words
// asks for more), and how far the byte search reads.
constexpr size_t kTokenizeBudgetBytes = 16 * 1024;
constexpr size_t kByteSearchBytes = 256 * 1024;
// The body's first bytes, tokenized whatever the byte search says when they
// are not plain ASCII.
constexpr size_t kLeadBytes = 1024;
// The places of one term that the byte search reports at most.
constexpr size_t kMaxPlacesPerTerm = 256;
// A generous estimate of a word's bytes, with the space after it, in any
// script: sizes the text tokenized around a place.
constexpr size_t kBytesPerWord = 12;
// Words shown before a passage's first match.
constexpr size_t kContextWords = 5;
// How far a cut looks for a space before it settles for a character boundary.
constexpr size_t kMaxSpaceSearch = 64;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Where a tokenized stretch of `text` starts: just after a space shortly
// before `at`, else at the character boundary at or before it.
size_t CutBefore(std::string_view text, size_t at) {
  if (at >= text.size()) return text.size();
  for (size_t p = at; p > 0 && at - p <= kMaxSpaceSearch; --p) {
    if (IsSpace(text[p - 1])) return p;
  }
  while (at > 0 && IsContinuationByte(text[at])) --at;
  return at;
}

// Where a tokenized stretch of `text` ends: at a space shortly after `at`,
// else at the character boundary at or after it.
size_t CutAfter(std::string_view text, size_t at) {
  if (at >= text.size()) return text.size();
  for (size_t p = at; p < text.size() && p - at <= kMaxSpaceSearch; ++p) {
    if (IsSpace(text[p])) return p;
  }
  while (at < text.size() && IsContinuationByte(text[at])) ++at;
  return at;
}

// The query's distinct terms, each known by its index.
class TermSet {
 public:
  explicit TermSet(std::vector<std::string> terms) : terms_(std::move(terms)) {
    std::sort(terms_.begin(), terms_.end());
    terms_.erase(std::unique(terms_.begin(), terms_.end()), terms_.end());
  }

  size_t size() const { return terms_.size(); }
  const std::string& operator[](size_t i) const { return terms_[i]; }

  // The index of `term`, or -1 when it is not one of the query's.
  int IndexOf(const std::string& term) const {
    auto it = std::lower_bound(terms_.begin(), terms_.end(), term);
    return it != terms_.end() && *it == term ? static_cast<int>(it - terms_.begin()) : -1;
  }

 private:
  std::vector<std::string> terms_;
};

// The words of text[begin, end), with offsets into the whole text, and each
// one's term index (-1 for a word that is no query term). A word that the
// stretch's edge may have cut in two is left out.
struct Stretch {
  size_t begin = 0;
  size_t end = 0;
  std::vector<Token> tokens;
  std::vector<int> term_of;
};

Stretch TokenizeStretch(std::string_view text, size_t begin, size_t end,
                        const TermSet& terms) {
  Stretch stretch;
  stretch.begin = begin;
  stretch.end = end;
  const bool cut_before = begin > 0 && !IsSpace(text[begin - 1]);
  const bool cut_after = end < text.size() && !IsSpace(text[end]);
  for (Token& token : TokenizeWithOffsets(text.substr(begin, end - begin))) {
    token.begin += begin;
    token.end += begin;
    if ((cut_before && token.begin == begin) || (cut_after && token.end == end)) continue;
    stretch.term_of.push_back(terms.IndexOf(token.term));
    stretch.tokens.push_back(std::move(token));
  }
  return stretch;
}

// A window of a stretch: `size` tokens from `start`, holding `matched`
// distinct terms.
struct Passage {
  Stretch stretch;
  size_t start = 0;
  size_t size = 0;
  size_t matched = 0;
};

// The first window of `max_words` tokens of `stretch` holding the most
// distinct terms: a sliding count of the terms inside it.
Passage BestWindow(Stretch stretch, size_t max_words, size_t term_count) {
  Passage passage;
  const std::vector<int>& term_of = stretch.term_of;
  const size_t n = term_of.size();
  passage.size = std::min(max_words, n);
  std::vector<int> inside(term_count, 0);
  size_t distinct = 0;
  auto add = [&](size_t i) {
    if (term_of[i] >= 0 && inside[term_of[i]]++ == 0) ++distinct;
  };
  auto remove = [&](size_t i) {
    if (term_of[i] >= 0 && --inside[term_of[i]] == 0) --distinct;
  };
  for (size_t i = 0; i < passage.size; ++i) add(i);
  passage.matched = distinct;
  for (size_t start = 1; start + passage.size <= n && passage.matched < term_count;
       ++start) {
    remove(start - 1);
    add(start + passage.size - 1);
    if (distinct > passage.matched) {
      passage.matched = distinct;
      passage.start = start;
    }
  }
  passage.stretch = std::move(stretch);
  return passage;
}

// More distinct terms, or as many and earlier in the text.
bool Better(const Passage& a, const Passage& b) {
  if (a.matched != b.matched) return a.matched > b.matched;
  return a.matched > 0 &&
         a.stretch.tokens[a.start].begin < b.stretch.tokens[b.start].begin;
}

// The part of `term` that a text shows byte for byte, once its ASCII letters
// are lowered, wherever the term occurs in it (or in most such places): the
// term's longest run without an apostrophe (which the text may write as
// U+2019), less its first character when that is not ASCII (in upper case
// it is other bytes).
std::string_view Anchor(std::string_view term) {
  std::string_view anchor;
  for (size_t from = 0; from <= term.size();) {
    size_t to = std::min(term.find('\'', from), term.size());
    if (to - from > anchor.size()) anchor = term.substr(from, to - from);
    from = to + 1;
  }
  if (!anchor.empty() && static_cast<unsigned char>(anchor[0]) >= 0x80) {
    size_t next = 1;
    while (next < anchor.size() && IsContinuationByte(anchor[next])) ++next;
    if (next < anchor.size()) anchor.remove_prefix(next);
  }
  return anchor;
}

// A place where a term may occur: its anchor's byte offset.
struct Place {
  size_t offset;
  int term;
};

// The places of every term's anchor in the first kByteSearchBytes of `text`,
// ASCII letters compared in either case, in text order.
std::vector<Place> FindPlaces(std::string_view text, const TermSet& terms) {
  std::string folded(text.substr(0, kByteSearchBytes));
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
  }
  std::vector<Place> places;
  for (size_t t = 0; t < terms.size(); ++t) {
    const std::string_view anchor = Anchor(terms[t]);
    if (anchor.empty()) continue;
    size_t found = 0;
    for (size_t at = folded.find(anchor);
         at != std::string::npos && found < kMaxPlacesPerTerm;
         at = folded.find(anchor, at + 1), ++found) {
      places.push_back({at, static_cast<int>(t)});
    }
  }
  std::sort(places.begin(), places.end(),
            [](const Place& a, const Place& b) { return a.offset < b.offset; });
  return places;
}

// A stretch of `window_bytes` from a place, and how many distinct terms have
// places in it.
struct Cluster {
  size_t offset;
  size_t distinct;
};

// A cluster from every place, the most distinct terms first, then in text
// order.
std::vector<Cluster> RankClusters(const std::vector<Place>& places, size_t term_count,
                                  size_t window_bytes) {
  std::vector<Cluster> clusters;
  std::vector<int> inside(term_count, 0);
  size_t distinct = 0;
  size_t next = 0;
  for (const Place& place : places) {
    for (; next < places.size() && places[next].offset < place.offset + window_bytes;
         ++next) {
      if (inside[places[next].term]++ == 0) ++distinct;
    }
    clusters.push_back({place.offset, distinct});
    if (--inside[place.term] == 0) --distinct;
  }
  std::stable_sort(
      clusters.begin(), clusters.end(),
      [](const Cluster& a, const Cluster& b) { return a.distinct > b.distinct; });
  return clusters;
}

// The best passage of `text` that a bounded look finds (see snippet.h).
Passage FindPassage(std::string_view text, const TermSet& terms, size_t max_words) {
  if (text.size() <= kWholeTextBytes) {
    return BestWindow(TokenizeStretch(text, 0, text.size(), terms), max_words,
                      terms.size());
  }
  const size_t window_bytes = max_words * kBytesPerWord;
  size_t budget = std::max(kTokenizeBudgetBytes, 4 * window_bytes);
  std::vector<std::pair<size_t, size_t>> looked;  // tokenized [begin, end)
  auto seen = [&looked](size_t begin, size_t end) {
    return std::any_of(looked.begin(), looked.end(), [&](const auto& stretch) {
      return stretch.first <= begin && end <= stretch.second;
    });
  };
  Passage best;
  // Tokenizes about text[begin, end) if the budget allows.
  auto look = [&](size_t begin, size_t end) {
    begin = CutBefore(text, begin);
    end = CutAfter(text, end);
    if (end - begin > budget) return false;
    budget -= end - begin;
    looked.emplace_back(begin, end);
    Passage passage =
        BestWindow(TokenizeStretch(text, begin, end, terms), max_words, terms.size());
    if (Better(passage, best)) best = std::move(passage);
    return true;
  };
  for (const Cluster& cluster :
       RankClusters(FindPlaces(text, terms), terms.size(), window_bytes)) {
    if (best.matched == terms.size() || cluster.distinct <= best.matched) break;
    if (seen(cluster.offset, std::min(text.size(), cluster.offset + window_bytes))) {
      continue;
    }
    const size_t before = std::min(cluster.offset, window_bytes / 2);
    if (!look(cluster.offset - before, cluster.offset + window_bytes * 3 / 2)) break;
  }
  // Outside ASCII the byte search may miss a form of a term; the lead is
  // where a reader looks first.
  const size_t lead_end = CutAfter(text, kLeadBytes);
  if (best.matched < terms.size() && !IsAscii(text.substr(0, lead_end)) &&
      !seen(0, lead_end)) {
    look(0, lead_end);
  }
  return best;
}

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

// The passage's text with its matches marked; it starts a little before its
// first match, so that it reads in context, when that drops no match.
std::string Render(std::string_view text, const Passage& passage) {
  const std::vector<Token>& tokens = passage.stretch.tokens;
  const std::vector<int>& term_of = passage.stretch.term_of;
  const size_t n = tokens.size();
  const size_t size = passage.size;
  if (size == 0) return "";
  size_t start = passage.start;
  size_t first = start;
  while (first < start + size && term_of[first] < 0) ++first;
  if (first < start + size) {
    size_t last = start + size - 1;
    while (term_of[last] < 0) --last;
    const size_t slack = size - (last - first + 1);
    start = std::min(first - std::min({kContextWords, first, slack}), n - size);
  }
  const size_t end_token = start + size - 1;
  const size_t begin = start == 0 && passage.stretch.begin == 0 ? 0 : tokens[start].begin;
  const size_t end = end_token + 1 == n && passage.stretch.end == text.size()
                         ? text.size()
                         : tokens[end_token].end;
  std::string snippet = begin > 0 ? "…" : "";
  size_t at = begin;
  for (size_t i = start; i <= end_token; ++i) {
    if (term_of[i] < 0) continue;
    snippet.append(text.substr(at, tokens[i].begin - at));
    snippet += "**";
    snippet.append(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin));
    snippet += "**";
    at = tokens[i].end;
  }
  snippet.append(text.substr(at, end - at));
  if (end < text.size()) snippet += "…";
  return Flatten(snippet);
}

}  // namespace

std::string MakeSnippet(const v1::Article& article, const std::vector<std::string>& terms,
                        int max_words) {
  const TermSet wanted(terms);
  const size_t words = static_cast<size_t>(std::max(1, max_words));
  const std::string_view body = article.body();
  const std::string_view title = article.title();
  const Passage in_body = FindPassage(body, wanted, words);
  if (in_body.matched > 0) return Render(body, in_body);
  const Passage in_title = FindPassage(title, wanted, words);
  if (in_title.matched > 0) return Render(title, in_title);
  // Neither shows a term: the body's first words, else the title's.
  const Passage lead = BestWindow(
      TokenizeStretch(body, 0, CutAfter(body, 2 * words * kBytesPerWord), wanted), words,
      wanted.size());
  return Render(lead.size > 0 ? body : title, lead.size > 0 ? lead : in_title);
}

}  // namespace archive
