// Hashes whose values are fixed forever: the same in every process, on every
// machine and in every release (unlike std::hash). Used where a hash is
// stored (MinHash signatures) or decides placement (rendezvous routing), so
// changing either function below changes stored data and routing.
#ifndef COMMON_STABLE_HASH_H_
#define COMMON_STABLE_HASH_H_

#include <cstdint>
#include <string_view>

namespace archive {

// MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit
// over the whole word.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// FNV-1a over the bytes, then Mix64.
constexpr uint64_t StableHash64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return Mix64(hash);
}

}  // namespace archive

#endif  // COMMON_STABLE_HASH_H_
