// Corpus: the articles every benchmark phase stores, generated on demand and
// deterministic by seed, so each system under test gets the very same input.
//
// Article i is a function of (seed, i) alone; nothing is kept between calls,
// so a corpus of any size costs no memory and threads may generate disjoint
// (or the same) articles concurrently. Each article is one of:
//  - an original: 2 to 8 KB of body text in paragraphs of sentences drawn
//    from a Zipfian vocabulary (vocabulary.h), a headline, sometimes a
//    caption and bylines, from one of `source_count` outlets (a few large, a
//    long tail of small ones, as crawls find them), published at a uniform
//    time within five years and crawled minutes to a day later;
//  - an exact duplicate (share `exact_duplicate_share`) of an earlier
//    original: the same title and body crawled again, later, from the same
//    outlet at another URL or from another outlet, and in some of them only
//    invisible differences (CRLF line ends, no-break spaces, trailing
//    spaces) that the archive's normalizer removes;
//  - a near duplicate (share `near_duplicate_share`) of an earlier original:
//    the wire story re-published by another outlet with a new headline, a
//    dateline, a credit line and a one-word correction, whose word-shingle
//    resemblance to the original stays well above the archive's 0.8.
// Thread-safe: every method is const.
#ifndef TESTS_BENCH_CORPUS_H_
#define TESTS_BENCH_CORPUS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "tests/bench/vocabulary.h"

namespace archive::bench {

struct CorpusOptions {
  uint64_t seed = 1;
  double exact_duplicate_share = 0.10;
  double near_duplicate_share = 0.05;
  int source_count = 300;
  // Publication times lie in [first_published, first_published + span).
  absl::Time first_published = absl::FromUnixSeconds(1'577'836'800);  // 2020-01-01
  absl::Duration span = absl::Hours(24 * 365 * 5);
  // Body bytes, before any near-duplicate edit.
  size_t min_body_bytes = 2 << 10;
  size_t max_body_bytes = 8 << 10;
  size_t vocabulary_size = 60'000;
  double zipf_exponent = 1.1;
};

enum class ArticleKind { kOriginal, kExactDuplicate, kNearDuplicate };

class Corpus {
 public:
  explicit Corpus(CorpusOptions options);

  const CorpusOptions& options() const { return options_; }
  const Vocabulary& vocabulary() const { return vocabulary_; }
  // Every outlet's host name, the largest first.
  const std::vector<std::string>& sources() const { return sources_; }

  ArticleKind Kind(int64_t index) const;
  // For a duplicate or near duplicate, the index of the original it
  // repeats (an earlier one); for an original, `index` itself.
  int64_t OriginalOf(int64_t index) const;

  // Article `index` as a crawler would submit it: no id, content_digest,
  // near_duplicate_of or sightings.
  v1::Article Article(int64_t index) const;

  // A query of `words` words, each drawn from the vocabulary's ranks
  // [min_rank, max_rank) log-uniformly (so frequent and rare words alike),
  // deterministic by (seed, index).
  std::string SearchWords(int64_t index, int words, size_t min_rank,
                          size_t max_rank) const;

 private:
  v1::Article Original(int64_t index) const;

  const CorpusOptions options_;
  const Vocabulary vocabulary_;
  std::vector<std::string> sources_;
  std::vector<double> source_cumulative_;
};

// Bytes of an article's text: title, body and captions.
size_t TextBytes(const v1::Article& article);

}  // namespace archive::bench

#endif  // TESTS_BENCH_CORPUS_H_
