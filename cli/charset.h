// The character set of a crawled page, decided as a browser decides it, and
// the page's bytes converted from it to UTF-8 with ICU's converters (news
// sites still serve windows-1256, EUC-KR, Shift_JIS, GBK, ISO-8859-x).
// Stateless and thread-safe.
#ifndef CLI_CHARSET_H_
#define CLI_CHARSET_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace archive::cli {

// The charset of an HTML page, after the WHATWG encoding-sniffing steps: a
// byte order mark; the Content-Type header's `charset`; a <meta charset> or
// <meta http-equiv=Content-Type content="...; charset=..."> in the first
// 1024 bytes; else UTF-8 when the bytes are valid UTF-8, else windows-1252.
// Labels come back as WHATWG maps them ("latin1" and "iso-8859-1" are
// windows-1252, "euc-kr" is windows-949, "gb2312" is GBK), lower case.
std::string SniffHtmlCharset(std::string_view content_type, std::string_view body);

// `bytes` in UTF-8, converted from `charset` (a byte order mark dropped,
// bytes invalid in the charset replaced by U+FFFD). INVALID_ARGUMENT when
// ICU does not know the charset.
absl::StatusOr<std::string> ConvertToUtf8(std::string_view bytes, std::string_view charset);

// Whether `bytes` is well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

}  // namespace archive::cli

#endif  // CLI_CHARSET_H_
