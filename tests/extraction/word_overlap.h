// How much of an expected text an extracted text holds, word by word: the
// texts as bags of words (each word counted as often as it occurs, order
// ignored), as trafilatura's and the article-extraction benchmarks' word-level
// evaluations count them. A word is a search term of common/tokenizer.h after
// common/text_normalizer.h's NormalizeBody, so case, Unicode forms and
// punctuation do not count, and Arabic, Korean or Japanese text splits into
// words as the archive's search does.
//
// Stateless and thread-safe.
#ifndef TESTS_EXTRACTION_WORD_OVERLAP_H_
#define TESTS_EXTRACTION_WORD_OVERLAP_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archive::testing {

// Word counts of one comparison, or of several added up (micro-averaged).
struct WordOverlap {
  int64_t expected_words = 0;
  int64_t extracted_words = 0;
  // Words in both: for each word, the smaller of its two counts, summed.
  int64_t common_words = 0;

  // common / extracted; 1 when nothing was extracted (no word is wrong).
  double Precision() const;
  // common / expected; 1 when nothing was expected.
  double Recall() const;

  WordOverlap& operator+=(const WordOverlap& other);
};

WordOverlap MeasureWordOverlap(std::string_view expected,
                               std::string_view extracted);

// The words that make two texts differ, for a report: each term as many
// times as one text has it more often than the other, in the order the terms
// first appear.
struct WordDifference {
  std::vector<std::string> missing;  // expected, not extracted
  std::vector<std::string> extra;    // extracted, not expected
};

WordDifference DiffWords(std::string_view expected, std::string_view extracted);

}  // namespace archive::testing

#endif  // TESTS_EXTRACTION_WORD_OVERLAP_H_
