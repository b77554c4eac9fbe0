#include "common/byte_size.h"

#include <cctype>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace archive {
namespace {

struct Unit {
  const char* name;
  int shift;
};
constexpr Unit kUnits[] = {{"", 0},    {"b", 0},   {"k", 10},  {"kb", 10},
                           {"kib", 10}, {"m", 20},  {"mb", 20}, {"mib", 20},
                           {"g", 30},  {"gb", 30}, {"gib", 30}, {"t", 40},
                           {"tb", 40}, {"tib", 40}};

}  // namespace

bool AbslParseFlag(absl::string_view text, ByteSize* size, std::string* error) {
  const std::string trimmed(absl::StripAsciiWhitespace(std::string(text)));
  size_t digits = 0;
  while (digits < trimmed.size() &&
         std::isdigit(static_cast<unsigned char>(trimmed[digits]))) {
    ++digits;
  }
  uint64_t number = 0;
  if (digits == 0 || !absl::SimpleAtoi(trimmed.substr(0, digits), &number)) {
    *error = absl::StrCat("\"", trimmed, "\" is not a size such as 256MB");
    return false;
  }
  const std::string unit =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(trimmed.substr(digits)));
  for (const Unit& known : kUnits) {
    if (unit != known.name) continue;
    if (number > (std::numeric_limits<uint64_t>::max() >> known.shift)) {
      *error = absl::StrCat("\"", trimmed, "\" is too large");
      return false;
    }
    size->bytes = number << known.shift;
    return true;
  }
  *error = absl::StrCat("\"", trimmed, "\": unknown unit \"", unit,
                        "\" (use KB, MB, GB or TB)");
  return false;
}

std::string AbslUnparseFlag(ByteSize size) {
  for (int shift : {40, 30, 20, 10}) {
    const uint64_t unit = uint64_t{1} << shift;
    if (size.bytes != 0 && size.bytes % unit == 0) {
      const char* name = shift == 40 ? "TB" : shift == 30 ? "GB" : shift == 20 ? "MB" : "KB";
      return absl::StrCat(size.bytes / unit, name);
    }
  }
  return absl::StrCat(size.bytes);
}

}  // namespace archive
