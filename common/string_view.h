// Debian's abseil 20220623 has its own absl::string_view, not an alias of
// std::string_view: AbslView passes a std::string_view to abseil's string
// functions (StrCat, StripAsciiWhitespace, EqualsIgnoreCase...).
#ifndef COMMON_STRING_VIEW_H_
#define COMMON_STRING_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace archive {

inline absl::string_view AbslView(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace archive

#endif  // COMMON_STRING_VIEW_H_
