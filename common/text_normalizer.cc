#include "common/text_normalizer.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utf16.h"
#include "unicode/utf8.h"
#include "unicode/utypes.h"

namespace archive {
namespace {

enum class Layout { kParagraphs, kOneLine };

// What one code point contributes to the normalized text.
enum class Role { kVisible, kSpace, kLineBreak, kParagraphBreak, kRemoved };

Role RoleOf(UChar32 c) {
  if (c < 0x80) {
    if (c == '\n' || c == '\r') return Role::kLineBreak;
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f') return Role::kSpace;
    if (c < 0x20 || c == 0x7f) return Role::kRemoved;
    return Role::kVisible;
  }
  switch (c) {
    case 0x0085:  // NEXT LINE
    case 0x2028:  // LINE SEPARATOR
      return Role::kLineBreak;
    case 0x2029:  // PARAGRAPH SEPARATOR
      return Role::kParagraphBreak;
    case 0x00ad:  // SOFT HYPHEN
    case 0x200b:  // ZERO WIDTH SPACE
    case 0x2060:  // WORD JOINER
    case 0xfeff:  // ZERO WIDTH NO-BREAK SPACE (BOM)
      return Role::kRemoved;
  }
  switch (u_charType(c)) {
    case U_SPACE_SEPARATOR:
      return Role::kSpace;
    case U_CONTROL_CHAR:
      return Role::kRemoved;
    default:
      return Role::kVisible;
  }
}

// Lays out visible characters in UTF-16. Spaces and line breaks are held back
// until the next visible character shows they fall inside the text, which
// trims lines and the text and collapses runs as a side effect.
class LayoutWriter {
 public:
  LayoutWriter(Layout layout, size_t capacity) : layout_(layout) {
    text_.reserve(capacity);
  }

  void Add(Role role, UChar32 c) {
    switch (role) {
      case Role::kVisible:
        AddVisible(c);
        break;
      case Role::kSpace:
        pending_space_ = true;
        break;
      case Role::kLineBreak:
        AddBreaks(1);
        break;
      case Role::kParagraphBreak:
        AddBreaks(2);
        break;
      case Role::kRemoved:
        break;
    }
  }

  const std::u16string& text() const { return text_; }

 private:
  void AddBreaks(int count) {
    if (layout_ == Layout::kOneLine) {
      pending_space_ = true;
    } else {
      pending_breaks_ += count;
    }
  }

  void AddVisible(UChar32 c) {
    if (!text_.empty()) {
      if (pending_breaks_ > 0) {
        text_.push_back(u'\n');
        if (pending_breaks_ > 1) text_.push_back(u'\n');
      } else if (pending_space_) {
        text_.push_back(u' ');
      }
    }
    pending_breaks_ = 0;
    pending_space_ = false;
    if (U_IS_BMP(c)) {
      text_.push_back(static_cast<char16_t>(c));
    } else {
      text_.push_back(U16_LEAD(c));
      text_.push_back(U16_TRAIL(c));
    }
  }

  const Layout layout_;
  std::u16string text_;
  bool pending_space_ = false;
  int pending_breaks_ = 0;
};

absl::StatusOr<std::string> ComposeToUtf8(const std::u16string& utf16) {
  icu::UnicodeString text(false, utf16.data(),
                          static_cast<int32_t>(utf16.size()));  // an alias
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_SUCCESS(error)) {
    const int32_t composed_prefix = nfc->spanQuickCheckYes(text, error);
    if (U_SUCCESS(error) && composed_prefix < text.length()) {
      icu::UnicodeString composed(text, 0, composed_prefix);
      nfc->normalizeSecondAndAppend(composed,
                                    text.tempSubString(composed_prefix), error);
      text = std::move(composed);
    }
  }
  if (U_FAILURE(error)) {
    return absl::InternalError(
        absl::StrCat("ICU NFC normalization failed: ", u_errorName(error)));
  }
  std::string utf8;
  text.toUTF8String(utf8);
  return utf8;
}

absl::StatusOr<std::string> Normalize(std::string_view utf8, Layout layout) {
  if (utf8.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError("text longer than 2 GiB");
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  LayoutWriter writer(layout, length);
  bool after_cr = false;
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid UTF-8 at byte ", start));
    }
    const bool lf_of_crlf = after_cr && c == '\n';
    after_cr = c == '\r';
    if (!lf_of_crlf) writer.Add(RoleOf(c), c);
  }
  return ComposeToUtf8(writer.text());
}

}  // namespace

absl::StatusOr<std::string> NormalizeBody(std::string_view utf8) {
  return Normalize(utf8, Layout::kParagraphs);
}

absl::StatusOr<std::string> NormalizeLine(std::string_view utf8) {
  return Normalize(utf8, Layout::kOneLine);
}

}  // namespace archive
