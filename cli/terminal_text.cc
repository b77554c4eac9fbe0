#include "cli/terminal_text.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"
#include "unicode/utf8.h"

namespace archive::cli {
namespace {

bool IsBidiControl(UChar32 c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::string EscapeForTerminal(std::string_view text) {
  std::string safe;
  safe.reserve(text.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      for (int32_t j = start; j < i; ++j) absl::StrAppendFormat(&safe, "\\x%02x", bytes[j]);
    } else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
      absl::StrAppendFormat(&safe, "\\x%02x", c);
    } else if ((c >= 0x80 && c <= 0x9F) || IsBidiControl(c)) {
      absl::StrAppendFormat(&safe, "\\u%04x", c);
    } else {
      safe.append(text.substr(start, i - start));
    }
  }
  return safe;
}

std::string EscapeBidiIsolatesInJson(std::string_view json) {
  // U+2066 to U+2069 are E2 81 A6 to E2 81 A9 in UTF-8, and stand only
  // inside strings: JSON's syntax outside them is ASCII.
  constexpr std::string_view kLead = "\xE2\x81";
  std::string safe;
  safe.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json.substr(i, 2) == kLead && i + 2 < json.size()) {
      const auto last = static_cast<unsigned char>(json[i + 2]);
      if (last >= 0xA6 && last <= 0xA9) {
        absl::StrAppendFormat(&safe, "\\u%04x", 0x2066 + (last - 0xA6));
        i += 2;
        continue;
      }
    }
    safe.push_back(json[i]);
  }
  return safe;
}

TerminalStream::TerminalStream(std::ostream& out) : std::ostream(nullptr), buffer_(out) {
  rdbuf(&buffer_);
}

TerminalStream::~TerminalStream() { buffer_.pubsync(); }

TerminalStream::Buffer::int_type TerminalStream::Buffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  held_.push_back(traits_type::to_char_type(c));
  if (held_.back() == '\n') WriteHeld(/*all=*/false);
  return c;
}

std::streamsize TerminalStream::Buffer::xsputn(const char* text, std::streamsize size) {
  held_.append(text, static_cast<size_t>(size));
  WriteHeld(/*all=*/false);
  return size;
}

int TerminalStream::Buffer::sync() {
  WriteHeld(/*all=*/true);
  out_.flush();
  return out_ ? 0 : -1;
}

void TerminalStream::Buffer::WriteHeld(bool all) {
  const size_t end = all ? held_.size() : held_.rfind('\n') + 1;
  if (end == 0) return;
  out_ << EscapeForTerminal(std::string_view(held_).substr(0, end));
  held_.erase(0, end);
}

}  // namespace archive::cli
