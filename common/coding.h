// Fixed-width integers as bytes, the one definition the store's keys and
// values use (in the manner of leveldb's util/coding.h).
//
// Big-endian for keys: the bytes of two values compare, as strings, the way
// the values do. Little-endian for values no one compares. Each takes a width
// of 1 to 8 bytes; the value is truncated to it. Pure functions: safe from
// any thread.
#ifndef COMMON_CODING_H_
#define COMMON_CODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace archive {

// Appends the low `bytes` bytes of `value`, most significant first.
inline void AppendBigEndian(uint64_t value, size_t bytes, std::string* out) {
  for (size_t i = bytes; i > 0; --i) {
    out->push_back(static_cast<char>((value >> (8 * (i - 1))) & 0xff));
  }
}

// The value of `bytes` (at most 8), most significant first.
inline uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// Appends the low `bytes` bytes of `value`, least significant first.
inline void AppendLittleEndian(uint64_t value, size_t bytes, std::string* out) {
  for (size_t i = 0; i < bytes; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

// The value of `bytes` (at most 8), least significant first.
inline uint64_t ReadLittleEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i > 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i - 1]);
  }
  return value;
}

}  // namespace archive

#endif  // COMMON_CODING_H_
