#include "common/minhash.h"

#include <algorithm>
#include <array>
#include <limits>

#include "common/stable_hash.h"

namespace archive {
namespace {

uint64_t TermHash(const std::string& term) { return StableHash64(term); }

constexpr uint64_t kShingleSeed = 0x5348494e474c4553ULL;  // "SHINGLES"
constexpr uint64_t kBandSeed = 0x4c534842414e4453ULL;     // "LSHBANDS"

// Signature position i takes the high 32 bits of a_i * h + b_i (mod 2^64)
// of each shingle hash h (Dietzfelbinger's multiply-shift family; h is
// already well mixed).
struct SlotHash {
  uint64_t multiplier;  // odd
  uint64_t increment;
};

constexpr uint64_t SplitMix64(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  return Mix64(state);
}

constexpr std::array<SlotHash, kSignatureLength> MakeSlotHashes() {
  std::array<SlotHash, kSignatureLength> slots{};
  uint64_t state = 0x4d494e4841534831ULL;  // "MINHASH1"
  for (SlotHash& slot : slots) {
    slot.multiplier = SplitMix64(state) | 1;
    slot.increment = SplitMix64(state);
  }
  return slots;
}

constexpr std::array<SlotHash, kSignatureLength> kSlotHashes = MakeSlotHashes();

}  // namespace

std::vector<uint32_t> MinHashSignature(const std::vector<std::string>& terms) {
  if (terms.empty()) return {};
  std::vector<uint64_t> term_hashes(terms.size());
  std::transform(terms.begin(), terms.end(), term_hashes.begin(), TermHash);
  const size_t shingle_size = std::min(kShingleSize, terms.size());

  std::vector<uint32_t> signature(kSignatureLength,
                                  std::numeric_limits<uint32_t>::max());
  for (size_t first = 0; first + shingle_size <= terms.size(); ++first) {
    uint64_t shingle = kShingleSeed;
    for (size_t i = first; i < first + shingle_size; ++i) {
      shingle = Mix64(shingle ^ term_hashes[i]);
    }
    for (size_t slot = 0; slot < kSignatureLength; ++slot) {
      const auto value =
          static_cast<uint32_t>((kSlotHashes[slot].multiplier * shingle +
                                 kSlotHashes[slot].increment) >>
                                32);
      signature[slot] = std::min(signature[slot], value);
    }
  }
  return signature;
}

double EstimateResemblance(absl::Span<const uint32_t> a,
                           absl::Span<const uint32_t> b) {
  if (a.empty() || a.size() != b.size()) return 0;
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

std::vector<uint64_t> LshBandKeys(absl::Span<const uint32_t> signature) {
  if (signature.size() != kSignatureLength) return {};
  constexpr uint64_t kRowHashMask = (uint64_t{1} << 56) - 1;
  std::vector<uint64_t> keys;
  keys.reserve(kLshBands);
  for (size_t band = 0; band < kLshBands; ++band) {
    uint64_t hash = kBandSeed;
    for (size_t row = 0; row < kLshRowsPerBand; ++row) {
      hash = Mix64(hash ^ signature[band * kLshRowsPerBand + row]);
    }
    keys.push_back((static_cast<uint64_t>(band) << 56) | (hash & kRowHashMask));
  }
  return keys;
}

}  // namespace archive
