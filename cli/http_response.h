// The HTTP response that a WARC `response` record holds, as the crawler
// received it: status line, header fields, and the body with its transfer
// coding (chunked) and content coding (gzip, deflate, br) undone.
#ifndef CLI_HTTP_RESPONSE_H_
#define CLI_HTTP_RESPONSE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace archive::cli {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  // Decoded: no chunk framing, no gzip or deflate.
  std::string body;

  // The value of the first header of that name (in any case), or "".
  std::string_view Header(std::string_view name) const;
  // The media type of Content-Type, lower case, without parameters
  // ("text/html"); "" when there is none.
  std::string MediaType() const;
  // Last-Modified, when present and well-formed (RFC 9110's IMF-fixdate,
  // or the obsolete RFC 850 and asctime forms).
  std::optional<absl::Time> LastModified() const;
};

// The media type of a Content-Type value, lower case, without parameters:
// "text/html" of "text/HTML; charset=UTF-8"; "" of "".
std::string MediaTypeOf(std::string_view content_type);

// Parses `message`, a response record's block. `max_body_bytes` bounds the
// decoded body: a body that decompresses to more is an error, not an
// allocation. Errors are INVALID_ARGUMENT saying what is wrong ("chunked
// body: bad chunk size \"zz\" at byte 210", "gzip content: invalid data").
absl::StatusOr<HttpResponse> ParseHttpResponse(std::string_view message,
                                               size_t max_body_bytes);

// Undoes a gzip ("gzip", "x-gzip"), deflate ("deflate": zlib-wrapped, or
// raw as some servers send it) or Brotli ("br") content coding, keeping at
// most `max_bytes` of output. An unknown coding is an error.
absl::StatusOr<std::string> DecodeContent(std::string_view coding,
                                          std::string_view body, size_t max_bytes);

// Parses an HTTP date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994").
std::optional<absl::Time> ParseHttpDate(std::string_view text);

}  // namespace archive::cli

#endif  // CLI_HTTP_RESPONSE_H_
