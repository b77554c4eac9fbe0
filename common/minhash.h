// MinHash signatures of an article's word shingles, and the LSH band keys
// under which near duplicates find each other.
//
// An article's shingles are the runs of kShingleSize consecutive terms of its
// text (the terms of Tokenize, so case, Unicode forms and punctuation do not
// count); two articles' resemblance is the Jaccard index of their shingle
// sets. A signature holds, for each of kSignatureLength fixed hash functions,
// the least hash of any shingle, and the fraction of positions at which two
// signatures agree estimates the resemblance (standard error
// sqrt(s(1 - s) / 128), at most 0.044).
//
// Shingles of 5 terms. Shorter shingles are shared by unrelated articles on
// one subject ("the prime minister of"); longer ones let one edited word
// change more shingles (an edit touches kShingleSize of them). With 5, a
// one-word correction in a 600-word article keeps a resemblance of about
// (600 - 5) / (600 + 5) = 0.98, and a new headline, dateline and credit line
// (some 25 words) about 0.96, while two different stories share next to none.
//
// Bands of 4 rows, 32 bands (all 128 values). Two articles become candidates
// when all 4 values of some band agree, with probability 1 - (1 - s^4)^32 at
// resemblance s: 1 - 5e-8 at s = 0.8 (the near-duplicate threshold), 0.87 at
// 0.5, 0.05 at 0.2, 0.003 at 0.1, and 5e-6 at the 0.02 typical of different
// stories. The candidates are then confirmed with EstimateResemblance on the
// full signatures. 16 bands of 8 rows would miss 5% of the pairs at s = 0.8.
//
// Signatures and band keys are stored, so they are the same in every process,
// on every machine and in every release: the hashes are fixed here, not
// std::hash, and changing any constant or hash below changes stored data.
// All functions are pure and thread-safe.
#ifndef COMMON_MINHASH_H_
#define COMMON_MINHASH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace archive {

inline constexpr size_t kShingleSize = 5;
inline constexpr size_t kSignatureLength = 128;
inline constexpr size_t kLshBands = 32;
inline constexpr size_t kLshRowsPerBand = 4;
static_assert(kLshBands * kLshRowsPerBand == kSignatureLength);

// The resemblance from which an article is a near duplicate by default; the
// bands above are tuned for it.
inline constexpr double kNearDuplicateResemblance = 0.8;

// The signature of the shingles of `terms`, kSignatureLength values. Fewer
// than kShingleSize terms are one shingle. No terms have no shingles and an
// empty signature, which resembles nothing and has no band keys.
std::vector<uint32_t> MinHashSignature(const std::vector<std::string>& terms);

// The fraction of positions at which `a` and `b` agree: the estimated
// resemblance of their texts. 0 when they differ in length or are empty.
double EstimateResemblance(absl::Span<const uint32_t> a,
                           absl::Span<const uint32_t> b);

// One key per band of `signature`, in band order: band index b's key has b in
// its top 8 bits and a hash of the band's kLshRowsPerBand values in the other
// 56, so keys of different bands never collide and equal keys mean (up to a
// 2^-56 chance) equal bands. Empty unless `signature` has kSignatureLength
// values.
std::vector<uint64_t> LshBandKeys(absl::Span<const uint32_t> signature);

}  // namespace archive

#endif  // COMMON_MINHASH_H_
