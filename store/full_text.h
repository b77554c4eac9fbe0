// Full-text search apart from RocksDB: what an article is indexed under,
// what a SearchRequest asks for, and how matching articles are scored and
// ranked. ArticleDb joins these with the postings it reads.
//
// An article is indexed as one document of its title's terms followed by its
// body's, as archive::Tokenize (common/tokenizer.h) splits them: the same
// terms the query server looks up. Body positions continue after the
// title's with a gap, so that no phrase matches across the two.
//
// Matches are scored by Okapi BM25 (k1 = 1.2, b = 0.75) summed over the
// query's distinct terms, with Lucene's idf ln(1 + (N - df + 0.5) /
// (df + 0.5)), which is never negative. Hits are ranked by HitRanksBefore
// (common/hit_order.h), the order the query server merges stores' hits by.
#ifndef STORE_FULL_TEXT_H_
#define STORE_FULL_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "archive/v1/store.pb.h"

namespace archive::store {

// Positions left unused between the title's last term and the body's first.
inline constexpr uint32_t kTitleBodyGap = 16;
// Longer terms (a run of letters with no word boundary) are not indexed, so
// searching for one finds nothing; they still take a position.
inline constexpr size_t kMaxIndexedTermBytes = 128;
// At most this many distinct terms in one search, phrases' included.
inline constexpr int kMaxSearchTerms = 64;
inline constexpr int kDefaultSearchLimit = 10;
inline constexpr int kMaxSearchLimit = 1000;

struct IndexedText {
  // Terms in title and body, the unindexed long ones included.
  uint32_t length = 0;
  // Each indexed term and its positions, ascending; in no order of terms.
  absl::flat_hash_map<std::string, std::vector<uint32_t>> positions;
};

// The document of an article with this title and body (both normalized).
IndexedText IndexText(std::string_view title, std::string_view body);

// True when some position p of term_positions[0] has p + j in
// term_positions[j] for every j: the phrase's terms occur in order, adjacent.
// Each list must be ascending.
bool ContainsPhrase(
    const std::vector<const std::vector<uint32_t>*>& term_positions);

// BM25 over a collection of `document_count` documents holding `total_terms`
// terms. Statistics that lag behind the postings (a df above N, no terms
// counted) are clamped, never a division by zero or a negative score.
class Bm25 {
 public:
  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;

  Bm25(uint64_t document_count, uint64_t total_terms);

  double Idf(uint64_t document_frequency) const;
  // One term's part of a document's score.
  double TermScore(double idf, uint32_t term_frequency,
                   uint32_t document_length) const {
    return TermScoreWithNorm(idf, term_frequency, LengthNorm(document_length));
  }
  // The same in two steps, the first shared by all the terms of a document.
  double LengthNorm(uint32_t document_length) const {
    const double relative_length =
        average_length_ > 0 ? document_length / average_length_ : 1.0;
    return kK1 * (1 - kB + kB * relative_length);
  }
  static double TermScoreWithNorm(double idf, uint32_t term_frequency,
                                  double length_norm) {
    const double tf = term_frequency;
    return idf * tf * (kK1 + 1) / (tf + length_norm);
  }

 private:
  double document_count_;
  double average_length_;  // 0 when unknown
};

// A scored match: `document` is the `time id` of its posting keys.
struct RankedHit {
  double score = 0;
  std::string document;
  std::string source;
};

// True when `a` ranks strictly before `b`: HitRanksBefore on their score,
// and the time and id of their document.
bool RanksBefore(const RankedHit& a, const RankedHit& b);

// The best `limit` hits offered, kept in a bounded heap: O(log limit) an
// offer, O(limit) memory.
class TopHits {
 public:
  explicit TopHits(size_t limit) : limit_(limit) {}

  void Offer(RankedHit hit);
  // False when a hit of `score` would surely not be kept: the heap is full
  // and its worst scores higher.
  bool MightKeep(double score) const {
    return limit_ > 0 && (heap_.size() < limit_ || score >= heap_.top().score);
  }
  // Counts a hit that MightKeep turned away, as Offer would.
  void Count() { ++offered_; }
  // Hits offered in all.
  size_t offered() const { return offered_; }
  // The kept hits, best first; leaves the heap empty.
  std::vector<RankedHit> Take();

 private:
  struct WorstOnTop {
    bool operator()(const RankedHit& a, const RankedHit& b) const {
      return RanksBefore(a, b);
    }
  };

  size_t limit_;
  size_t offered_ = 0;
  std::priority_queue<RankedHit, std::vector<RankedHit>, WorstOnTop> heap_;
};

// A SearchRequest, checked and in the form the search runs on.
struct SearchQuery {
  // Every distinct term of `terms` and of the phrases, sorted.
  std::vector<std::string> terms;
  // Each phrase as indexes into `terms`.
  std::vector<std::vector<size_t>> phrases;
  // Empty for every source.
  std::string source;
  // Bounds of published_at in the key codec's 12-byte form: [start, end).
  std::optional<std::string> start_time;
  std::optional<std::string> end_time;
  int limit = kDefaultSearchLimit;
  // Only hits ranking after this one; its source is empty.
  std::optional<RankedHit> after;
};

// INVALID_ARGUMENT naming the field when `request` is malformed: no terms and
// no phrases and no query, phrases beside a query, an empty term or one holding 0x00, an empty phrase, more than
// kMaxSearchTerms distinct terms, a source that is no host name, a time out
// of range or start_time after end_time, a negative limit, a cursor with a
// malformed id or time or a NaN score. `global` and `query` are checked by
// the search.
absl::StatusOr<SearchQuery> ParseSearchRequest(
    const v1::SearchRequest& request);

// The filters of a search, or of a count, into `query`'s: INVALID_ARGUMENT
// naming "source" for one that is no host name, "start_time" or "end_time"
// for a time out of range, or start_time after end_time. A null time is
// unset.
absl::Status ParseSearchFilters(const std::string& source,
                                const google::protobuf::Timestamp* start_time,
                                const google::protobuf::Timestamp* end_time,
                                SearchQuery* query);

// INVALID_ARGUMENT naming `field` unless `term` could be a term: non-empty,
// with no 0x00.
absl::Status ValidateTerm(std::string_view term, std::string_view field);

}  // namespace archive::store

#endif  // STORE_FULL_TEXT_H_
