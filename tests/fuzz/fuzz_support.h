// What the fuzz targets under tests/fuzz/ share: a property check that stops
// the run (so that libFuzzer saves the input as a crash, and a corpus replay
// test fails), an independent UTF-8 oracle, and a reader that turns the
// fuzzer's bytes into structured values.
#ifndef TESTS_FUZZ_FUZZ_SUPPORT_H_
#define TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// Aborts with the failed condition and `what` when `condition` is false.
// Unlike assert, it is on in every build.
#define FUZZ_CHECK(condition, what)                                        \
  do {                                                                     \
    if (!(condition)) {                                                    \
      std::fprintf(stderr, "%s:%d: property violated: %s: %s\n", __FILE__, \
                   __LINE__, #condition, std::string(what).c_str());       \
      std::abort();                                                        \
    }                                                                      \
  } while (false)

namespace archive::fuzz {

// The offset of the first byte of `text` that does not begin a well-formed
// UTF-8 sequence (Unicode's Table 3-7: no overlong forms, no surrogates,
// nothing above U+10FFFF), or npos when `text` is well-formed.
inline size_t FirstInvalidUtf8(std::string_view text) {
  size_t at = 0;
  while (at < text.size()) {
    const auto byte = [&](size_t i) {
      return static_cast<unsigned char>(text[at + i]);
    };
    const auto in = [](unsigned char b, unsigned char low, unsigned char high) {
      return b >= low && b <= high;
    };
    const size_t left = text.size() - at;
    const unsigned char lead = byte(0);
    size_t length = 0;
    if (lead <= 0x7F) {
      length = 1;
    } else if (in(lead, 0xC2, 0xDF)) {
      if (left >= 2 && in(byte(1), 0x80, 0xBF)) length = 2;
    } else if (in(lead, 0xE0, 0xEF)) {
      const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
      const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
      if (left >= 3 && in(byte(1), low, high) && in(byte(2), 0x80, 0xBF)) {
        length = 3;
      }
    } else if (in(lead, 0xF0, 0xF4)) {
      const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
      const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
      if (left >= 4 && in(byte(1), low, high) && in(byte(2), 0x80, 0xBF) &&
          in(byte(3), 0x80, 0xBF)) {
        length = 4;
      }
    }
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

inline bool IsValidUtf8(std::string_view text) {
  return FirstInvalidUtf8(text) == std::string_view::npos;
}

// Reads values off the front of the fuzzer's input; once it is used up,
// every value is zero or empty. Not thread-safe.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto value = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }

  bool Bool() { return (Byte() & 1) != 0; }

  // `bytes` bytes, little-endian.
  uint64_t Integer(int bytes) {
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= uint64_t{Byte()} << (8 * i);
    return value;
  }

  // A length byte, then up to that many bytes (fewer at the end of input).
  std::string String() {
    const size_t length = Byte();
    return Bytes(length);
  }

  std::string Bytes(size_t count) {
    const std::string_view taken = rest_.substr(0, count);
    rest_.remove_prefix(taken.size());
    return std::string(taken);
  }

  // Whatever is left.
  std::string Rest() { return Bytes(rest_.size()); }

 private:
  std::string_view rest_;
};

}  // namespace archive::fuzz

#endif  // TESTS_FUZZ_FUZZ_SUPPORT_H_
