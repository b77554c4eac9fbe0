#include "cli/warc_article_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/gzip_for_test.h"
#include "cli/warc_digest.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

constexpr char kParagraph[] =
    "The two leaders agreed on Friday to deepen their cooperation on security, "
    "trade and technology, officials said after the meeting in Washington.";

std::string ArticlePage(const std::string& headline, const std::string& extra_head = "") {
  std::string page = "<!DOCTYPE html><html lang=\"en\"><head><title>" + headline +
                     " | The Daily Example</title>" + extra_head +
                     "<meta property=\"article:published_time\" "
                     "content=\"2023-01-13T15:00:00Z\"></head><body>"
                     "<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
                     "<article><h1>" +
                     headline + "</h1>";
  for (int i = 0; i < 5; ++i) page += absl::StrCat("<p>", i, ". ", kParagraph, "</p>");
  return page + "</article><footer>Copyright The Daily Example</footer></body></html>";
}

std::string Record(const std::string& type, const std::string& uri, const std::string& block,
                   const std::string& extra = "") {
  return "WARC/1.0\r\nWARC-Type: " + type + "\r\nWARC-Target-URI: " + uri +
         "\r\nWARC-Date: 2023-01-14T08:00:00Z\r\n" + extra +
         "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n" + block + "\r\n\r\n";
}

std::string Response(const std::string& uri, const std::string& status, const std::string& type,
                     const std::string& body, const std::string& extra = "") {
  return Record("response", "<" + uri + ">",
                "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\n" + extra + "\r\n" + body,
                "Content-Type: application/http;msgtype=response\r\nWARC-Payload-Digest: " +
                    WarcSha1Digest(body) + "\r\n");
}

struct Read {
  std::vector<ParsedArticle> articles;
  WarcCounts counts;
};

Read ReadAll(const std::string& file, RevisitMemory* memory = nullptr,
             const std::string& source = "") {
  RevisitMemory own;
  std::istringstream in(file);
  WarcArticleReader reader(&in, {source, 1 << 20}, memory != nullptr ? memory : &own);
  Read read;
  ParsedArticle parsed;
  while (reader.Next(&parsed)) read.articles.push_back(parsed);
  read.counts = reader.counts();
  return read;
}

TEST(WarcArticleReaderTest, AnHtmlResponseBecomesAnArticle) {
  const std::string file =
      Record("warcinfo", "", "software: Wget/1.21.3\r\n") +
      Record("request", "<https://www.example.com/world/leaders>", "GET /world/leaders HTTP/1.1\r\n\r\n") +
      Response("https://www.example.com/world/leaders", "200 OK", "text/html; charset=utf-8",
               ArticlePage("Leaders Agree to Deepen Cooperation"));
  Read read = ReadAll(file);
  ASSERT_EQ(read.articles.size(), 1u);
  const ParsedArticle& parsed = read.articles[0];
  EXPECT_EQ(parsed.problem, "");
  EXPECT_GT(parsed.offset, 0);
  const v1::Article& article = parsed.article;
  EXPECT_EQ(article.source(), "example.com");
  EXPECT_EQ(article.url(), "https://www.example.com/world/leaders");
  EXPECT_EQ(article.title(), "Leaders Agree to Deepen Cooperation");
  EXPECT_TRUE(absl::StartsWith(article.body(), absl::StrCat("0. ", kParagraph, "\n\n1. ")))
      << article.body();
  EXPECT_FALSE(absl::StrContains(article.body(), "Copyright"));
  EXPECT_EQ(article.language(), "en");
  EXPECT_EQ(FormatTimestamp(article.published_at()), "2023-01-13T15:00:00Z");
  EXPECT_EQ(article.date_source(), v1::DATE_SOURCE_PUBLISHER);
  EXPECT_EQ(FormatTimestamp(article.crawled_at()), "2023-01-14T08:00:00Z");
  EXPECT_EQ(read.counts.Summary(), "3 records, 1 articles");
}

TEST(WarcArticleReaderTest, PagesThatAreNotArticlesAreCountedBySkipReason) {
  const std::string file =
      Response("https://example.com/gone", "404 Not Found", "text/html", "<p>Not found</p>") +
      Response("https://example.com/moved", "301 Moved Permanently", "text/html", "") +
      Response("https://example.com/logo.png", "200 OK", "image/png", "\x89PNG") +
      Response("https://example.com/", "200 OK", "text/html",
               "<html><body><ul><li><a href=/a>A</a></li></ul></body></html>") +
      Record("metadata", "<https://example.com/>", "outlinks: /a\r\n");
  Read read = ReadAll(file);
  EXPECT_TRUE(read.articles.empty());
  EXPECT_EQ(read.counts.Summary(),
            "5 records, 0 articles; skipped: 1 no article text, 2 not 200, 1 not HTML");
}

TEST(WarcArticleReaderTest, GzipAndChunkedAndCharsetsAreUndone) {
  // The page in windows-1256 says so in its header; its body is sent
  // gzip-compressed.
  const std::string arabic = "\xC7\xE1\xDE\xE3\xC9";  // "القمة" in windows-1256
  std::string page = ArticlePage("Leaders Meet " + arabic);
  const std::string zipped = GzipForTest(page);
  const std::string file = GzipForTest(Record(
      "response", "<https://example.com/ar>",
      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1256\r\n"
      "Content-Encoding: gzip\r\n\r\n" + zipped,
      "WARC-Payload-Digest: " + WarcSha1Digest(zipped) + "\r\n"));
  Read read = ReadAll(file);
  ASSERT_EQ(read.articles.size(), 1u);
  EXPECT_EQ(read.articles[0].article.title(),
            "Leaders Meet \xD8\xA7\xD9\x84\xD9\x82\xD9\x85\xD8\xA9");
}

TEST(WarcArticleReaderTest, ARevisitIsASightingOfThePageItRefersTo) {
  const std::string page = ArticlePage("Leaders Agree to Deepen Cooperation");
  RevisitMemory memory;
  Read first = ReadAll(Response("https://example.com/a", "200 OK", "text/html", page), &memory);
  ASSERT_EQ(first.articles.size(), 1u);
  // Another file of the same run, as wget --warc-dedup writes it.
  Read second = ReadAll(
      Record("revisit", "<https://mirror.example.org/a>", "HTTP/1.1 200 OK\r\n\r\n",
             "WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest\r\n"
             "WARC-Payload-Digest: " + WarcSha1Digest(page) + "\r\n") +
          Record("revisit", "<https://example.com/b>", "",
                 "WARC-Payload-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"),
      &memory);
  ASSERT_EQ(second.articles.size(), 1u);
  const v1::Article& sighting = second.articles[0].article;
  EXPECT_EQ(sighting.title(), first.articles[0].article.title());
  EXPECT_EQ(sighting.body(), first.articles[0].article.body());
  EXPECT_EQ(sighting.source(), "mirror.example.org");
  EXPECT_EQ(sighting.url(), "https://mirror.example.org/a");
  EXPECT_EQ(second.counts.Summary(),
            "2 records, 1 articles (1 revisits); skipped: 1 revisit of a page not in this run");
}

TEST(WarcArticleReaderTest, AnExportedArticleIsReadWithItsSightings) {
  const std::string json =
      R"({"source":"aawsat.com","url":"https://aawsat.com/a","title":"T","body":"B",)"
      R"("sightings":[{"source":"x.com","url":"https://x.com/a","crawledAt":"2023-02-01T00:00:00Z"}]})";
  Read read = ReadAll(Record("conversion", "https://aawsat.com/a", json + "\n",
                             std::string("Content-Type: ") + kArticleRecordContentType + "\r\n"));
  ASSERT_EQ(read.articles.size(), 1u);
  EXPECT_EQ(read.articles[0].article.title(), "T");
  ASSERT_EQ(read.articles[0].article.sightings_size(), 1);
  EXPECT_EQ(read.articles[0].article.sightings(0).source(), "x.com");
}

TEST(WarcArticleReaderTest, MalformedRecordsAreProblemsAtTheirOffsetsAndReadingGoesOn) {
  const std::string bad = Record("conversion", "https://aawsat.com/a", "{not json",
                                 std::string("Content-Type: ") + kArticleRecordContentType + "\r\n");
  const std::string http = Record("response", "<https://example.com/x>", "garbage\r\n\r\n");
  const std::string file = bad + http +
                           Response("https://example.com/a", "200 OK", "text/html",
                                    ArticlePage("Leaders Agree to Deepen Cooperation"));
  Read read = ReadAll(file);
  ASSERT_EQ(read.articles.size(), 3u);
  EXPECT_EQ(read.articles[0].offset, 0);
  EXPECT_TRUE(absl::StartsWith(read.articles[0].problem, "invalid JSON"));
  EXPECT_EQ(read.articles[1].offset, static_cast<int64_t>(bad.size()));
  EXPECT_EQ(read.articles[1].problem,
            "HTTP response for https://example.com/x: not an HTTP response: no status line");
  EXPECT_EQ(read.articles[2].problem, "");
  EXPECT_EQ(read.counts.problems, 2);
}

TEST(WarcArticleReaderTest, TheSourceOptionNamesEveryArticlesOutlet) {
  Read read = ReadAll(Response("https://www.example.com/a", "200 OK", "text/html",
                               ArticlePage("Leaders Agree to Deepen Cooperation")),
                      nullptr, "wire.example");
  ASSERT_EQ(read.articles.size(), 1u);
  EXPECT_EQ(read.articles[0].article.source(), "wire.example");
}

TEST(WarcArticleReaderTest, LastModifiedDatesAPageThatGivesNoDate) {
  std::string page = ArticlePage("Leaders Agree to Deepen Cooperation");
  page.replace(page.find("<meta property"), page.find("</head>") - page.find("<meta property"), "");
  Read read = ReadAll(Response("https://example.com/a", "200 OK", "text/html", page,
                               "Last-Modified: Sun, 15 Jan 2023 10:00:00 GMT\r\n"));
  ASSERT_EQ(read.articles.size(), 1u);
  EXPECT_EQ(FormatTimestamp(read.articles[0].article.published_at()), "2023-01-15T10:00:00Z");
  EXPECT_EQ(read.articles[0].article.date_source(), v1::DATE_SOURCE_HTTP_LAST_MODIFIED);
}

TEST(RevisitMemoryTest, ForgetsTheOldestBeyondItsBound) {
  RevisitMemory memory(300);
  v1::Article article;
  article.set_body(std::string(100, 'x'));
  memory.Remember("sha1:A", "", article);
  memory.Remember("sha1:B", "", article);
  memory.Remember("sha1:C", "", article);
  EXPECT_EQ(memory.Find("sha1:A", ""), nullptr);
  EXPECT_NE(memory.Find("SHA1:c", ""), nullptr);
  EXPECT_EQ(memory.Find("", ""), nullptr);
}

}  // namespace
}  // namespace archive::cli
