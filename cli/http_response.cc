#include "cli/http_response.h"

#include <brotli/decode.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/string_view.h"

namespace archive::cli {
namespace {

// Reads a line ending in LF (a CR before it dropped) from `*rest`.
bool TakeLine(std::string_view* rest, std::string_view* line) {
  const size_t newline = rest->find('\n');
  if (newline == std::string_view::npos) return false;
  *line = rest->substr(0, newline);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  rest->remove_prefix(newline + 1);
  return true;
}

absl::StatusOr<std::string> Dechunk(std::string_view body, size_t max_bytes) {
  std::string out;
  const size_t total = body.size();
  for (;;) {
    const size_t at = total - body.size();
    std::string_view line;
    if (!TakeLine(&body, &line)) {
      // A crawl cut short mid-body keeps what arrived.
      if (!out.empty()) return out;
      return absl::InvalidArgumentError(
          absl::StrCat("chunked body: no chunk size line at byte ", at));
    }
    const std::string_view size_text = line.substr(0, line.find(';'));
    uint64_t size = 0;
    if (size_text.empty() || size_text.size() > 15 ||
        !absl::SimpleHexAtoi(absl::StripAsciiWhitespace(AbslView(size_text)), &size)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "chunked body: bad chunk size \"", AbslView(line.substr(0, 20)), "\" at byte ", at));
    }
    if (size == 0) return out;  // trailers, if any, carry nothing we keep
    if (out.size() + size > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("body is over the limit of ", max_bytes, " bytes"));
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(size, body.size()));
    out.append(body.substr(0, take));
    body.remove_prefix(take);
    if (take < size) return out;
    std::string_view end;
    if (!TakeLine(&body, &end)) return out;
    if (!end.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("chunked body: chunk at byte ", at, " is longer than its size"));
    }
  }
}

absl::StatusOr<std::string> Inflate(std::string_view body, int window_bits,
                                    size_t max_bytes, std::string_view coding) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) {
    return absl::InternalError("zlib: cannot start inflating");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  std::string out;
  char chunk[64 << 10];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    result = inflate(&stream, Z_NO_FLUSH);
    const size_t produced = sizeof chunk - stream.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&stream);
      return absl::InvalidArgumentError(
          absl::StrCat(AbslView(coding), " content decodes to over ", max_bytes, " bytes"));
    }
    out.append(chunk, produced);
    if (result == Z_BUF_ERROR && stream.avail_in == 0) {
      // Truncated: keep what was decoded, as for a body cut short.
      result = Z_STREAM_END;
    }
  }
  const std::string message = stream.msg != nullptr ? stream.msg : "invalid data";
  inflateEnd(&stream);
  if (result != Z_STREAM_END) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(coding), " content: ", message));
  }
  return out;
}

absl::StatusOr<std::string> Unbrotli(std::string_view body, size_t max_bytes) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> decoder(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (decoder == nullptr) return absl::InternalError("brotli: cannot start decoding");
  size_t available_in = body.size();
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(body.data());
  std::string out;
  uint8_t chunk[64 << 10];
  for (;;) {
    size_t available_out = sizeof chunk;
    uint8_t* next_out = chunk;
    const BrotliDecoderResult result = BrotliDecoderDecompressStream(
        decoder.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
    const size_t produced = sizeof chunk - available_out;
    if (out.size() + produced > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("br content decodes to over ", max_bytes, " bytes"));
    }
    out.append(reinterpret_cast<const char*>(chunk), produced);
    switch (result) {
      case BROTLI_DECODER_RESULT_SUCCESS:
        return out;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
        continue;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        return out;  // cut short: keep what was decoded, as for gzip
      case BROTLI_DECODER_RESULT_ERROR:
        return absl::InvalidArgumentError(absl::StrCat(
            "br content: ",
            BrotliDecoderErrorString(BrotliDecoderGetErrorCode(decoder.get()))));
    }
  }
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (absl::EqualsIgnoreCase(field, AbslView(name))) return value;
  }
  return "";
}

std::string MediaTypeOf(std::string_view content_type) {
  return absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(AbslView(content_type.substr(0, content_type.find(';')))));
}

std::string HttpResponse::MediaType() const { return MediaTypeOf(Header("Content-Type")); }

std::optional<absl::Time> HttpResponse::LastModified() const {
  return ParseHttpDate(Header("Last-Modified"));
}

std::optional<absl::Time> ParseHttpDate(std::string_view text) {
  // asctime pads the day with a space: one space is enough for the parser.
  std::string date(absl::StripAsciiWhitespace(AbslView(text)));
  for (size_t at; (at = date.find("  ")) != std::string::npos;) date.erase(at, 1);
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                             "%a %b %d %H:%M:%S %Y"}) {
    absl::Time time;
    std::string error;
    if (absl::ParseTime(format, date, absl::UTCTimeZone(), &time, &error)) return time;
  }
  return std::nullopt;
}

absl::StatusOr<std::string> DecodeContent(std::string_view coding, std::string_view body,
                                          size_t max_bytes) {
  const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(AbslView(coding)));
  if (name.empty() || name == "identity") {
    if (body.size() > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("body is over the limit of ", max_bytes, " bytes"));
    }
    return std::string(body);
  }
  if (name == "gzip" || name == "x-gzip") return Inflate(body, 16 + MAX_WBITS, max_bytes, name);
  if (name == "deflate") {
    // RFC 9110's deflate is zlib-wrapped; some servers send it raw.
    absl::StatusOr<std::string> wrapped = Inflate(body, MAX_WBITS, max_bytes, name);
    if (wrapped.ok()) return wrapped;
    return Inflate(body, -MAX_WBITS, max_bytes, name);
  }
  if (name == "br") return Unbrotli(body, max_bytes);
  return absl::InvalidArgumentError(
      absl::StrCat("content coding \"", name, "\" is not supported"));
}

absl::StatusOr<HttpResponse> ParseHttpResponse(std::string_view message,
                                               size_t max_body_bytes) {
  HttpResponse response;
  std::string_view rest = message;
  std::string_view line;
  if (!TakeLine(&rest, &line) || !absl::StartsWith(AbslView(line), "HTTP/")) {
    return absl::InvalidArgumentError("not an HTTP response: no status line");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(AbslView(line), absl::MaxSplits(' ', 2));
  if (parts.size() < 2 || parts[1].size() != 3 || !absl::SimpleAtoi(parts[1], &response.status)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not an HTTP response: bad status line \"", AbslView(line.substr(0, 60)), "\""));
  }
  for (;;) {
    if (!TakeLine(&rest, &line)) {
      return absl::InvalidArgumentError("HTTP header does not end (no blank line)");
    }
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !response.headers.empty()) {
      absl::StrAppend(&response.headers.back().second, " ",
                      absl::StripAsciiWhitespace(AbslView(line)));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // as browsers do
    response.headers.emplace_back(
        std::string(absl::StripAsciiWhitespace(AbslView(line.substr(0, colon)))),
        std::string(absl::StripAsciiWhitespace(AbslView(line.substr(colon + 1)))));
  }
  std::string body;
  const std::string transfer = absl::AsciiStrToLower(AbslView(response.Header("Transfer-Encoding")));
  if (absl::StrContains(transfer, "chunked")) {
    absl::StatusOr<std::string> dechunked = Dechunk(rest, max_body_bytes);
    if (!dechunked.ok()) return dechunked.status();
    body = *std::move(dechunked);
  } else {
    body = std::string(rest);
  }
  // Codings apply in the order listed: undo them from the last.
  std::vector<absl::string_view> codings =
      absl::StrSplit(AbslView(response.Header("Content-Encoding")), ',', absl::SkipWhitespace());
  for (auto coding = codings.rbegin(); coding != codings.rend(); ++coding) {
    absl::StatusOr<std::string> decoded =
        DecodeContent(std::string_view(coding->data(), coding->size()), body, max_body_bytes);
    if (!decoded.ok()) return decoded.status();
    body = *std::move(decoded);
  }
  if (body.size() > max_body_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body is over the limit of ", max_body_bytes, " bytes"));
  }
  response.body = std::move(body);
  return response;
}

}  // namespace archive::cli
