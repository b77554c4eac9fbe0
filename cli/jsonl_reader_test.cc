#include "cli/jsonl_reader.h"

#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "cli/line_reader.h"
#include "cli/parsed_article.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kArticleLine[] =
    R"({"source": "aawsat.com", "url": "https://aawsat.com/a/1",)"
    R"( "title": "Biden and Kishida Discuss Japan Security",)"
    R"( "body": "First paragraph.\n\nSecond paragraph.",)"
    R"( "captions": ["A caption"],)"
    R"( "publishedAt": "2023-01-13T00:00:00Z"})";

TEST(ParseJsonlLineTest, ReadsAnArticleInTheJsonMapping) {
  absl::StatusOr<archive::v1::Article> article =
      ParseJsonlLine(kArticleLine, 1);
  ASSERT_TRUE(article.ok()) << article.status();
  EXPECT_EQ(article->source(), "aawsat.com");
  EXPECT_EQ(article->url(), "https://aawsat.com/a/1");
  EXPECT_EQ(article->title(), "Biden and Kishida Discuss Japan Security");
  EXPECT_EQ(article->body(), "First paragraph.\n\nSecond paragraph.");
  EXPECT_THAT(article->captions(), ElementsAre("A caption"));
  EXPECT_EQ(ToAbslTime(article->published_at()),
            absl::FromCivil(absl::CivilDay(2023, 1, 13), absl::UTCTimeZone()));
}

TEST(ParseJsonlLineTest, MalformedJsonNamesTheLine) {
  absl::StatusOr<archive::v1::Article> article =
      ParseJsonlLine(R"({"title": "unterminated)", 7);
  ASSERT_FALSE(article.ok());
  EXPECT_EQ(article.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(article.status().message(),
            "line 7: invalid JSON: Closing quote expected in string.");
}

TEST(ParseJsonlLineTest, UnknownFieldIsAnError) {
  absl::StatusOr<archive::v1::Article> article =
      ParseJsonlLine(R"({"title": "x", "headline": "y"})", 3);
  ASSERT_FALSE(article.ok());
  EXPECT_THAT(std::string(article.status().message()),
              StartsWith("line 3: invalid JSON: "));
  EXPECT_EQ(article.status().message(),
            "line 3: invalid JSON: headline: Cannot find field.");
}

TEST(ParseJsonlLineTest, RejectsWhatIsNoArticle) {
  for (const char* text :
       {"[]", "42", "\"text\"", "null", R"({"title": 5})",
        R"({"publishedAt": "yesterday"})", R"({"title": "x"} trailing)",
        "{\"title\": \"\xFF\"}", "Biden and Kishida"}) {
    absl::StatusOr<archive::v1::Article> article = ParseJsonlLine(text, 1);
    ASSERT_FALSE(article.ok()) << text;
    // One line, fit for a FILE:LINE report.
    EXPECT_THAT(std::string(article.status().message()), Not(HasSubstr("\n")));
    EXPECT_THAT(std::string(article.status().message()),
                Not(HasSubstr("JSON: :")));
  }
}

TEST(ParseJsonlLineTest, FieldNamesFromTheInputStayOnOneLine) {
  // A raw CR, an escaped newline and an escape sequence in unknown keys.
  EXPECT_EQ(ParseJsonlLine("{\"\rene\": 1}", 2).status().message(),
            "line 2: invalid JSON: \\rene: Cannot find field.");
  EXPECT_EQ(ParseJsonlLine(R"({"head\nline": 1})", 2).status().message(),
            "line 2: invalid JSON: head\\nline: Cannot find field.");
  EXPECT_EQ(ParseJsonlLine(R"({"\u001b[31m": 1})", 2).status().message(),
            "line 2: invalid JSON: \\033[31m: Cannot find field.");
}

// Reads the next result of `reader`, which must be the article `title` from
// line `line`.
void ExpectNextArticle(JsonlReader& reader, const std::string& title, int line) {
  ParsedArticle next;
  ASSERT_TRUE(reader.Next(&next)) << title;
  EXPECT_EQ(next.problem, "");
  EXPECT_EQ(next.article.title(), title);
  EXPECT_EQ(next.line, line);
}

TEST(JsonlReaderTest, ReadsLinesSkippingBlankOnesAndGoesOnAfterAnError) {
  std::istringstream in(
      R"({"title": "first", "body": "a"})"
      "\n"
      "\n"
      "   \r\n"
      R"({"title": "second", "body": "b"})"
      "\r\n"
      "{not json\n"
      R"({"title": "fourth", "body": "d"})");
  LineReader lines(&in, 1000);
  JsonlReader reader(&lines);
  ExpectNextArticle(reader, "first", 1);
  ExpectNextArticle(reader, "second", 4);
  ParsedArticle next;
  ASSERT_TRUE(reader.Next(&next));
  EXPECT_THAT(next.problem, StartsWith("invalid JSON: "));
  EXPECT_EQ(next.line, 5);
  EXPECT_EQ(next.problem_line, 5);
  ExpectNextArticle(reader, "fourth", 6);
  EXPECT_FALSE(reader.Next(&next));
  EXPECT_FALSE(reader.Next(&next));
}

TEST(JsonlReaderTest, AFirstLineAfterAByteOrderMarkIsAnArticle) {
  std::istringstream in("\xEF\xBB\xBF" R"({"title": "first", "body": "a"})" "\n");
  LineReader lines(&in, 1000);
  JsonlReader reader(&lines);
  ExpectNextArticle(reader, "first", 1);
}

TEST(JsonlReaderTest, ALineTooLongIsReportedAtItsLineAndReadingGoesOn) {
  const std::string body(5000, 'x');
  std::istringstream in(R"({"title": "first", "body": "a"})" "\n"
                        R"({"title": "long", "body": ")" + body + "\"}\n"
                        R"({"title": "third", "body": "c"})" "\n");
  LineReader lines(&in, 1000);
  JsonlReader reader(&lines);
  ExpectNextArticle(reader, "first", 1);
  ParsedArticle next;
  ASSERT_TRUE(reader.Next(&next));
  EXPECT_EQ(next.line, 2);
  EXPECT_EQ(next.problem_line, 2);
  EXPECT_EQ(next.problem, "line of 5029 bytes is over the limit of 1000");
  ExpectNextArticle(reader, "third", 3);
  EXPECT_FALSE(reader.Next(&next));
}

TEST(JsonlReaderTest, TheLineBoundHoldsAnyArticleWithinTheLimit) {
  // The worst case: every byte of the text escaped as six.
  constexpr size_t kMaxArticleBytes = 1000;
  archive::v1::Article article;
  article.set_title(std::string(10, '\x01'));
  article.set_body(std::string(kMaxArticleBytes - 10, '\x1b'));
  article.set_source("example.org");
  article.set_url("https://example.org/a/1");
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(article, &json).ok());
  EXPECT_LE(json.size(), MaxJsonlLineBytes(kMaxArticleBytes));
  EXPECT_GT(json.size(), 6 * kMaxArticleBytes);
}

TEST(JsonlReaderTest, EmptyAndBlankInputsHoldNothing) {
  for (const char* text : {"", "\n", "\n\n  \n\t\r\n"}) {
    std::istringstream in(text);
    LineReader lines(&in, 1000);
    JsonlReader reader(&lines);
    ParsedArticle next;
    EXPECT_FALSE(reader.Next(&next)) << text;
  }
}

}  // namespace
}  // namespace archive::cli
