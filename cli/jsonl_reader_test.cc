#include "cli/jsonl_reader.h"

#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "cli/parsed_article.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
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

TEST(JsonlReaderTest, ReadsLinesSkippingBlankOnesAndGoesOnAfterAnError) {
  std::istringstream in(
      "\xEF\xBB\xBF"
      R"({"title": "first", "body": "a"})"
      "\n"
      "\n"
      "   \r\n"
      R"({"title": "second", "body": "b"})"
      "\r\n"
      "{not json\n"
      R"({"title": "fourth", "body": "d"})");
  JsonlReader reader(&in);
  absl::StatusOr<ParsedArticle> next;

  ASSERT_TRUE(reader.Next(&next));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->article.title(), "first");
  EXPECT_EQ(next->line, 1);

  ASSERT_TRUE(reader.Next(&next));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->article.title(), "second");
  EXPECT_EQ(next->line, 4);

  ASSERT_TRUE(reader.Next(&next));
  ASSERT_FALSE(next.ok());
  EXPECT_THAT(std::string(next.status().message()),
              StartsWith("line 5: invalid JSON: "));
  EXPECT_EQ(reader.line(), 5);

  ASSERT_TRUE(reader.Next(&next));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->article.title(), "fourth");
  EXPECT_EQ(next->line, 6);

  EXPECT_FALSE(reader.Next(&next));
  EXPECT_FALSE(reader.Next(&next));
}

TEST(JsonlReaderTest, EmptyAndBlankInputsHoldNothing) {
  for (const char* text : {"", "\n", "\n\n  \n\t\r\n"}) {
    std::istringstream in(text);
    JsonlReader reader(&in);
    absl::StatusOr<ParsedArticle> next;
    EXPECT_FALSE(reader.Next(&next)) << text;
  }
}

}  // namespace
}  // namespace archive::cli
