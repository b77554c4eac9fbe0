#include "cli/http_response.h"

#include <brotli/encode.h>

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "cli/gzip_for_test.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

TEST(HttpResponseTest, ReadsStatusHeadersAndBody) {
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"
      "Last-Modified: Fri, 13 Jan 2023 15:00:00 GMT\r\n\r\n<p>hello</p>",
      1 << 20);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->MediaType(), "text/html");
  EXPECT_EQ(response->Header("content-type"), "text/html; charset=UTF-8");
  EXPECT_EQ(response->body, "<p>hello</p>");
  EXPECT_EQ(response->LastModified(), absl::FromUnixSeconds(1673622000));
}

TEST(HttpResponseTest, UndoesChunkedTransferCoding) {
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n",
      1 << 20);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "hello, world");
}

TEST(HttpResponseTest, ABadChunkSizeIsNamedWithItsPlace) {
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n", 1 << 20);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message(), "chunked body: bad chunk size \"zz\" at byte 0");
}

TEST(HttpResponseTest, UndoesGzipAndDeflateContentCodings) {
  absl::StatusOr<HttpResponse> gzip = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + GzipForTest("<p>zipped</p>"),
      1 << 20);
  ASSERT_TRUE(gzip.ok()) << gzip.status();
  EXPECT_EQ(gzip->body, "<p>zipped</p>");
  // zlib-wrapped deflate: strip gzip's 10-byte header and 8-byte trailer
  // to get raw deflate, which servers also send as "deflate".
  const std::string member = GzipForTest("<p>raw</p>");
  const std::string raw = member.substr(10, member.size() - 18);
  absl::StatusOr<std::string> deflated = DecodeContent("deflate", raw, 1 << 20);
  ASSERT_TRUE(deflated.ok()) << deflated.status();
  EXPECT_EQ(*deflated, "<p>raw</p>");
}

TEST(HttpResponseTest, ChunkedAndGzipTogetherAreBothUndone) {
  const std::string zipped = GzipForTest("<p>both</p>");
  char size[16];
  snprintf(size, sizeof size, "%zx", zipped.size());
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n") +
          size + "\r\n" + zipped + "\r\n0\r\n\r\n",
      1 << 20);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "<p>both</p>");
}

TEST(HttpResponseTest, ABodyThatDecompressesOverTheLimitIsRefused) {
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" +
          GzipForTest(std::string(1 << 20, 'a')),
      1000);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message(), "gzip content decodes to over 1000 bytes");
}

TEST(HttpResponseTest, CorruptGzipIsAnError) {
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nnot gzip at all", 1 << 20);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message().substr(0, 14), "gzip content: ");
}

std::string Brotli(const std::string& text) {
  size_t size = BrotliEncoderMaxCompressedSize(text.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                        text.size(), reinterpret_cast<const uint8_t*>(text.data()), &size,
                        reinterpret_cast<uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

TEST(HttpResponseTest, UndoesBrotliContentCoding) {
  absl::StatusOr<HttpResponse> response = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n" + Brotli("<p>brotli</p>"), 1 << 20);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "<p>brotli</p>");
  EXPECT_EQ(DecodeContent("br", Brotli(std::string(1 << 20, 'a')), 1000).status().message(),
            "br content decodes to over 1000 bytes");
  EXPECT_EQ(DecodeContent("br", "\xff\xff\xff not brotli", 1000).status().message().substr(0, 12),
            "br content: ");
}

TEST(HttpResponseTest, AnUnknownContentCodingIsNamed) {
  absl::StatusOr<HttpResponse> response =
      ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\n\r\nxx", 1 << 20);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message(), "content coding \"zstd\" is not supported");
}

TEST(HttpResponseTest, SomethingThatIsNotAResponseIsRefused) {
  EXPECT_EQ(ParseHttpResponse("GET / HTTP/1.1\r\n\r\n", 100).status().message(),
            "not an HTTP response: no status line");
  EXPECT_EQ(ParseHttpResponse("HTTP/1.1 OK\r\n\r\n", 100).status().message(),
            "not an HTTP response: bad status line \"HTTP/1.1 OK\"");
  EXPECT_EQ(ParseHttpResponse("HTTP/1.1 200 OK\r\nA: b\r\n", 100).status().message(),
            "HTTP header does not end (no blank line)");
}

TEST(HttpResponseTest, ReadsTheThreeHttpDateForms) {
  const absl::Time expected = absl::FromUnixSeconds(784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(ParseHttpDate("yesterday"), std::nullopt);
  EXPECT_EQ(ParseHttpDate(""), std::nullopt);
}

}  // namespace
}  // namespace archive::cli
