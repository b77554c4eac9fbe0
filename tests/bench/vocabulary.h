// The words benchmark articles are written in: a fixed, ranked vocabulary
// whose use follows Zipf's law, as word use in news text does.
//
// The first few hundred ranks are real English words in roughly their order
// of frequency in newswire text (function words first, then the words of
// news: "government", "minister", "police"); the long tail beyond them is
// pronounceable made-up words ("dravelon", "stimora"), which to the tokenizer,
// the index and a search are words like any other. What matters to the
// archive's costs is the shape: a head of words in nearly every article, a
// body of words in some, and a tail each article has a few of.
//
// Immutable after construction and thread-safe.
#ifndef TESTS_BENCH_VOCABULARY_H_
#define TESTS_BENCH_VOCABULARY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace archive::bench {

class Vocabulary {
 public:
  // `size` words (at least the real ones); word use ~ 1 / rank^exponent.
  Vocabulary(size_t size, double exponent);

  size_t size() const { return words_.size(); }
  // The word at `rank` (0 is the most frequent).
  const std::string& word(size_t rank) const { return words_[rank]; }
  // The rank a uniform `u` in [0, 1) draws under the Zipf distribution.
  size_t RankFor(double u) const;
  // The probability of drawing `rank`.
  double Probability(size_t rank) const;

 private:
  std::vector<std::string> words_;
  std::vector<double> cumulative_;  // cumulative_[r]: P(rank <= r)
};

// A pronounceable made-up word drawn from `bits`: lower-case ASCII letters,
// 1 to 3 syllables.
std::string PseudoWord(uint64_t bits);

}  // namespace archive::bench

#endif  // TESTS_BENCH_VOCABULARY_H_
