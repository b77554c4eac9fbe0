#include "cli/charset.h"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace archive::cli {
namespace {

// WHATWG's Encoding Standard maps these labels to a superset that browsers
// decode with, and pages rely on it (a "latin1" page with curly quotes).
std::string WhatwgName(std::string_view label) {
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(AbslView(label)));
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'')) {
    name = name.substr(1, name.size() - 2);
  }
  struct Alias {
    const char* label;
    const char* name;
  };
  static constexpr Alias kAliases[] = {
      {"iso-8859-1", "windows-1252"}, {"latin1", "windows-1252"},
      {"l1", "windows-1252"},         {"us-ascii", "windows-1252"},
      {"ascii", "windows-1252"},      {"iso8859-1", "windows-1252"},
      {"iso_8859-1", "windows-1252"}, {"cp1252", "windows-1252"},
      {"iso-8859-9", "windows-1254"}, {"latin5", "windows-1254"},
      {"tis-620", "windows-874"},     {"iso-8859-11", "windows-874"},
      {"euc-kr", "windows-949"},      {"ks_c_5601-1987", "windows-949"},
      {"korean", "windows-949"},      {"cp949", "windows-949"},
      {"gb2312", "gbk"},              {"x-gbk", "gbk"},
      {"cp936", "gbk"},               {"utf8", "utf-8"},
      {"unicode-1-1-utf-8", "utf-8"}, {"x-sjis", "shift_jis"},
      {"sjis", "shift_jis"},          {"cp1256", "windows-1256"},
  };
  for (const Alias& alias : kAliases) {
    if (name == alias.label) return alias.name;
  }
  return name;
}

bool Known(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* converter = ucnv_open(name.c_str(), &status);
  if (converter != nullptr) ucnv_close(converter);
  return U_SUCCESS(status);
}

// The value of `charset=` in a Content-Type value, or "".
std::string CharsetParameter(std::string_view content_type) {
  const std::string lower = absl::AsciiStrToLower(AbslView(content_type));
  const size_t at = lower.find("charset");
  if (at == std::string::npos) return "";
  size_t start = lower.find_first_not_of(" \t", at + 7);
  if (start == std::string::npos || lower[start] != '=') return "";
  start = lower.find_first_not_of(" \t\"'", start + 1);
  if (start == std::string::npos) return "";
  const size_t end = lower.find_first_of(" \t;\"'", start);
  return lower.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The WHATWG prescan, simplified: <meta charset=X>, or <meta ... content=
// "...charset=X"> in the first 1024 bytes.
std::string MetaCharset(std::string_view body) {
  const std::string head = absl::AsciiStrToLower(AbslView(body.substr(0, 1024)));
  for (size_t at = head.find("<meta"); at != std::string::npos;
       at = head.find("<meta", at + 5)) {
    const size_t end = head.find('>', at);
    const std::string tag = head.substr(at, end == std::string::npos ? std::string::npos
                                                                     : end - at);
    const size_t charset = tag.find("charset");
    if (charset == std::string::npos) continue;
    std::string value = CharsetParameter(std::string_view(tag).substr(charset));
    if (!value.empty()) return value;
  }
  return "";
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(data, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::string SniffHtmlCharset(std::string_view content_type, std::string_view body) {
  if (absl::StartsWith(AbslView(body), "\xEF\xBB\xBF")) return "utf-8";
  if (absl::StartsWith(AbslView(body), "\xFE\xFF")) return "utf-16be";
  if (absl::StartsWith(AbslView(body), "\xFF\xFE")) return "utf-16le";
  for (const std::string& label : {CharsetParameter(content_type), MetaCharset(body)}) {
    if (label.empty()) continue;
    std::string name = WhatwgName(label);
    // A page that says UTF-16 in a <meta> is not (it could not say so).
    if (absl::StartsWith(name, "utf-16")) name = "utf-8";
    if (Known(name)) return name;
  }
  return IsValidUtf8(body) ? "utf-8" : "windows-1252";
}

absl::StatusOr<std::string> ConvertToUtf8(std::string_view bytes, std::string_view charset) {
  const std::string name = WhatwgName(charset);
  if (name == "utf-8") {
    if (absl::StartsWith(AbslView(bytes), "\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (IsValidUtf8(bytes)) return std::string(bytes);
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, void (*)(UConverter*)> converter(ucnv_open(name.c_str(), &status),
                                                              ucnv_close);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("charset \"", AbslView(charset), "\" is not known"));
  }
  // ICU's default callback substitutes U+FFFD for bytes invalid in the
  // charset; the converter drops a byte order mark of its own charset.
  icu::UnicodeString text(bytes.data(), static_cast<int32_t>(bytes.size()),
                          converter.get(), status);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot convert from ", name, ": ", u_errorName(status)));
  }
  if (text.length() > 0 && text.charAt(0) == 0xFEFF) text.remove(0, 1);
  std::string utf8;
  text.toUTF8String(utf8);
  return utf8;
}

}  // namespace archive::cli
