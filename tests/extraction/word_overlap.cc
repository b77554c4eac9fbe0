#include "tests/extraction/word_overlap.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"

namespace archive::testing {
namespace {

// The text's terms, in order. Text that is not UTF-8 is tokenized as it is:
// the tokenizer reads ill-formed bytes as U+FFFD, never a word.
std::vector<std::string> Words(std::string_view text) {
  const absl::StatusOr<std::string> normalized = NormalizeBody(text);
  return Tokenize(normalized.ok() ? std::string_view(*normalized) : text);
}

// The text's terms and how often each occurs.
absl::flat_hash_map<std::string, int64_t> CountWords(std::string_view text,
                                                     int64_t* total) {
  absl::flat_hash_map<std::string, int64_t> counts;
  for (std::string& term : Words(text)) {
    ++counts[std::move(term)];
    ++*total;
  }
  return counts;
}

// The terms of `words` beyond what `other` holds of each, in order.
std::vector<std::string> Excess(const std::vector<std::string>& words,
                                absl::flat_hash_map<std::string, int64_t> other) {
  std::vector<std::string> excess;
  for (const std::string& term : words) {
    int64_t& left = other[term];
    if (left > 0) {
      --left;
    } else {
      excess.push_back(term);
    }
  }
  return excess;
}

double Ratio(int64_t part, int64_t whole) {
  return whole == 0 ? 1.0 : static_cast<double>(part) / whole;
}

}  // namespace

double WordOverlap::Precision() const {
  return Ratio(common_words, extracted_words);
}

double WordOverlap::Recall() const {
  return Ratio(common_words, expected_words);
}

WordOverlap& WordOverlap::operator+=(const WordOverlap& other) {
  expected_words += other.expected_words;
  extracted_words += other.extracted_words;
  common_words += other.common_words;
  return *this;
}

WordOverlap MeasureWordOverlap(std::string_view expected,
                               std::string_view extracted) {
  WordOverlap overlap;
  const absl::flat_hash_map<std::string, int64_t> want =
      CountWords(expected, &overlap.expected_words);
  const absl::flat_hash_map<std::string, int64_t> got =
      CountWords(extracted, &overlap.extracted_words);
  for (const auto& [term, count] : got) {
    const auto it = want.find(term);
    if (it != want.end()) overlap.common_words += std::min(count, it->second);
  }
  return overlap;
}

WordDifference DiffWords(std::string_view expected,
                         std::string_view extracted) {
  const std::vector<std::string> want = Words(expected);
  const std::vector<std::string> got = Words(extracted);
  int64_t unused = 0;
  WordDifference difference;
  difference.missing = Excess(want, CountWords(extracted, &unused));
  difference.extra = Excess(got, CountWords(expected, &unused));
  return difference;
}

}  // namespace archive::testing
