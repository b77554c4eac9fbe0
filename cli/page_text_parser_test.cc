#include "cli/page_text_parser.h"

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "cli/line_reader.h"
#include "cli/parsed_article.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

// Relative to the runfiles root of the main workspace, the working directory
// of `bazel test`.
constexpr char kSeedPath[] = "cli/testdata/seed_page.txt";

constexpr char kBidenTitle[] =
    "Biden and Kishida Discuss Japan \u2018Stepping up\u2019 Security";
constexpr char kBidenCaption[] =
    "US President Joe Biden (R) and Prime Minister of Japan Fumio Kishida "
    "shake hands during their meeting inside the Oval Office of the White "
    "House in Washington, DC, US 13 January 2023. (EPA)";
constexpr char kLeeTitle[] =
    "South Korea\u2019s New President Lee Vows to Revive Democracy from "
    "\u2018Near Demise\u2019";
constexpr char kLeeCaption[] =
    "South Korean new President Lee Jae-myung and his wife Kim Hea Kyung "
    "leave after attending the presidential inauguration at the National "
    "Assembly in Seoul, South Korea, Wednesday, June 4, 2025. (AP)";
constexpr int kLeeLine = 69;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

std::vector<std::string> SplitLines(const std::string& text) {
  return absl::StrSplit(text, '\n');
}

std::string ReadSeed() {
  std::ifstream in(kSeedPath, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << kSeedPath;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The seed's lines `first` to `last` (1-based, inclusive) that are not blank,
// without trailing spaces and no-break spaces, one blank line apart: what
// the parser must make of a run of paragraphs.
std::string SeedParagraphs(int first, int last) {
  const std::vector<std::string> lines = SplitLines(ReadSeed());
  std::vector<std::string> paragraphs;
  for (int i = first; i <= last && i <= static_cast<int>(lines.size()); ++i) {
    std::string_view line = lines[i - 1];
    while (!line.empty()) {
      if (line.back() == ' ') {
        line.remove_suffix(1);
      } else if (line.size() >= 2 &&
                 line.substr(line.size() - 2) == "\xC2\xA0") {
        line.remove_suffix(2);
      } else {
        break;
      }
    }
    if (!line.empty()) paragraphs.emplace_back(line);
  }
  return absl::StrJoin(paragraphs, "\n\n");
}

PageTextParser::Options SeedOptions() {
  PageTextParser::Options options;
  options.source = "aawsat.com";
  return options;
}

// A bound on lines far above any the tests use: the parser's own limits
// are under test.
constexpr size_t kLineReaderBound = 64 << 20;

std::vector<ParsedArticle> ParseStream(std::istream* in,
                                       PageTextParser::Options options) {
  PageTextParser parser(std::move(options));
  LineReader lines(in, kLineReaderBound);
  std::vector<ParsedArticle> articles;
  ParsedArticle article;
  while (parser.ReadNext(&lines, &article)) articles.push_back(article);
  return articles;
}

std::vector<ParsedArticle> ParseText(std::string_view text,
                                     PageTextParser::Options options = {}) {
  std::istringstream in{std::string(text)};
  return ParseStream(&in, std::move(options));
}

// Adds the lines of `text` one at a time, taking each article as soon as it
// is complete.
std::vector<ParsedArticle> ParseLineByLine(const std::string& text,
                                           PageTextParser::Options options) {
  PageTextParser parser(std::move(options));
  std::vector<ParsedArticle> articles;
  ParsedArticle article;
  for (const std::string& line : SplitLines(text)) {
    parser.AddLine(line);
    while (parser.Next(&article)) articles.push_back(article);
  }
  parser.Finish();
  while (parser.Next(&article)) articles.push_back(article);
  return articles;
}

std::vector<std::string> Titles(const std::vector<ParsedArticle>& articles) {
  std::vector<std::string> titles;
  for (const ParsedArticle& parsed : articles) {
    titles.push_back(parsed.article.title());
  }
  return titles;
}

absl::Time Day(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

void ExpectSameArticles(const std::vector<ParsedArticle>& actual,
                        const std::vector<ParsedArticle>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].line, expected[i].line) << i;
    EXPECT_EQ(actual[i].article.SerializeAsString(),
              expected[i].article.SerializeAsString())
        << i << ": " << actual[i].article.DebugString() << "\nexpected "
        << expected[i].article.DebugString();
  }
}

TEST(PageTextParserTest, SeedHoldsTwoArticles) {
  const std::vector<ParsedArticle> articles =
      ParseText(ReadSeed(), SeedOptions());
  EXPECT_THAT(Titles(articles), ElementsAre(kBidenTitle, kLeeTitle));
  ASSERT_THAT(articles, SizeIs(2));
  EXPECT_EQ(articles[0].line, 1);
  EXPECT_EQ(articles[1].line, kLeeLine);
}

TEST(PageTextParserTest, SeedArticlesHaveCaptionDateSourceAndBody) {
  const std::vector<ParsedArticle> articles =
      ParseText(ReadSeed(), SeedOptions());
  ASSERT_THAT(articles, SizeIs(2));
  const archive::v1::Article& biden = articles[0].article;
  const archive::v1::Article& lee = articles[1].article;

  EXPECT_THAT(biden.captions(), ElementsAre(kBidenCaption));
  EXPECT_THAT(lee.captions(), ElementsAre(kLeeCaption));

  ASSERT_TRUE(biden.has_published_at());
  EXPECT_EQ(ToAbslTime(biden.published_at()), Day(2023, 1, 13));
  ASSERT_TRUE(lee.has_published_at());
  EXPECT_EQ(ToAbslTime(lee.published_at()), Day(2025, 6, 4));
  EXPECT_EQ(biden.date_source(), archive::v1::DATE_SOURCE_TEXT);
  EXPECT_EQ(lee.date_source(), archive::v1::DATE_SOURCE_TEXT);

  EXPECT_THAT(biden.body(),
              StartsWith("President Joe Biden and Japanese Prime Minister "
                         "Fumio Kishida were holding wide-ranging talks"));
  EXPECT_THAT(lee.body(),
              StartsWith("South Korea's new liberal President Lee Jae-myung "
                         "pledged on Wednesday"));
  EXPECT_EQ(biden.body(), SeedParagraphs(13, kLeeLine - 1));
  EXPECT_EQ(lee.body(), SeedParagraphs(kLeeLine + 12, 1000));
  EXPECT_TRUE(EndsWith(
      biden.body(),
      "Kishida met with Vice President Kamala Harris on Friday before his "
      "meeting with Biden to discuss US-Japan space cooperation and other "
      "issues."));
  EXPECT_TRUE(EndsWith(
      lee.body(),
      "the alliance with the United States is the backbone of South Korea's "
      "global diplomacy."));

  for (const archive::v1::Article& article : {biden, lee}) {
    EXPECT_EQ(article.source(), "aawsat.com");
    EXPECT_THAT(article.id(), IsEmpty());
    EXPECT_THAT(article.content_digest(), IsEmpty());
    EXPECT_FALSE(article.has_crawled_at());
  }
}

TEST(PageTextParserTest, SeedBodiesDropChromeAndRepeats) {
  const std::vector<ParsedArticle> articles =
      ParseText(ReadSeed(), SeedOptions());
  ASSERT_THAT(articles, SizeIs(2));
  for (const ParsedArticle& parsed : articles) {
    const archive::v1::Article& article = parsed.article;
    SCOPED_TRACE(article.title());
    const std::vector<std::string> lines = SplitLines(article.body());
    ASSERT_GE(lines.size(), 3u);
    for (size_t i = 0; i < lines.size(); ++i) {
      // Paragraphs alternate with exactly one blank line.
      EXPECT_EQ(lines[i].empty(), i % 2 == 1) << "line " << i;
      EXPECT_NE(lines[i], "TT");
      EXPECT_NE(lines[i], "20");
      EXPECT_FALSE(EndsWith(lines[i], " ")) << lines[i];
      EXPECT_FALSE(EndsWith(lines[i], "\xC2\xA0")) << lines[i];
    }
    EXPECT_THAT(article.body(), Not(HasSubstr(article.title())));
    EXPECT_THAT(article.body(), Not(HasSubstr(article.captions(0))));
    EXPECT_THAT(article.body(), Not(HasSubstr(kBidenTitle)));
    EXPECT_THAT(article.body(), Not(HasSubstr(kLeeCaption)));
  }
  EXPECT_THAT(articles[1].article.body(),
              HasSubstr("\n\n'DEAL WITH TRUMP'\n\n"));
}

TEST(PageTextParserTest, CrlfGivesTheSameArticles) {
  const std::string seed = ReadSeed();
  ExpectSameArticles(
      ParseText(absl::StrReplaceAll(seed, {{"\n", "\r\n"}}), SeedOptions()),
      ParseText(seed, SeedOptions()));
}

TEST(PageTextParserTest, LineByLineGivesTheSameArticles) {
  const std::string seed = ReadSeed();
  ExpectSameArticles(ParseLineByLine(seed, SeedOptions()),
                     ParseText(seed, SeedOptions()));
}

TEST(PageTextParserTest, ArticleIsReadyOnceTheNextOneStarts) {
  PageTextParser parser(SeedOptions());
  const std::vector<std::string> lines = SplitLines(ReadSeed());
  ParsedArticle article;
  int ready_after = 0;
  for (size_t i = 0; i < lines.size() && ready_after == 0; ++i) {
    parser.AddLine(lines[i]);
    if (parser.Next(&article)) ready_after = i + 1;
  }
  // The second page's headline (line 69) and caption pair (71-74) are in.
  EXPECT_GT(ready_after, kLeeLine);
  EXPECT_LE(ready_after, kLeeLine + 6);
  EXPECT_EQ(article.article.title(), kBidenTitle);
  EXPECT_FALSE(parser.Next(&article));
}

TEST(PageTextParserTest, SeveralFilesOfPagesInOneStream) {
  const std::string seed = ReadSeed();
  const std::vector<ParsedArticle> articles =
      ParseText(absl::StrCat(seed, "\n\n\n\n", seed), SeedOptions());
  EXPECT_THAT(Titles(articles),
              ElementsAre(kBidenTitle, kLeeTitle, kBidenTitle, kLeeTitle));
}

TEST(PageTextParserTest, PageHeaderStartsAnArticleAfterOneBlankLine) {
  const std::vector<ParsedArticle> articles = ParseText(
      "First headline\n\nCap one\nCap one\nTT\n5\n\nFirst headline\n\n"
      "Cap one\nCap one\n\nBody one.\n\n"
      "Second headline\n\nCap two 2025-06-04\nCap two 2025-06-04\nTT\n1.2K\n\n"
      "Second headline\n\nCap two 2025-06-04\nCap two 2025-06-04\n\n"
      "Body two.\n");
  ASSERT_THAT(Titles(articles),
              ElementsAre("First headline", "Second headline"));
  EXPECT_EQ(articles[0].article.body(), "Body one.");
  EXPECT_FALSE(articles[0].article.has_published_at());
  EXPECT_EQ(articles[1].line, 15);
  EXPECT_THAT(articles[1].article.captions(),
              ElementsAre("Cap two 2025-06-04"));
  EXPECT_EQ(articles[1].article.body(), "Body two.");
  EXPECT_EQ(ToAbslTime(articles[1].article.published_at()), Day(2025, 6, 4));
}

TEST(PageTextParserTest, PageWithoutCaptionIsHeadlineThenBody) {
  const std::vector<ParsedArticle> articles =
      ParseText("\n\nA headline\n\nFirst paragraph.\n\nSecond paragraph.\n");
  ASSERT_THAT(articles, SizeIs(1));
  EXPECT_EQ(articles[0].line, 3);
  EXPECT_EQ(articles[0].article.title(), "A headline");
  EXPECT_THAT(articles[0].article.captions(), IsEmpty());
  EXPECT_EQ(articles[0].article.body(),
            "First paragraph.\n\nSecond paragraph.");
}

TEST(PageTextParserTest, ChromeWithoutCaptionAndCaptionPrintedOnce) {
  const std::vector<ParsedArticle> articles = ParseText(
      "No caption\n\nTT\n20\n\nNo caption\n\nBody.\n\n\n"
      "One caption\n\nThe caption, 13 Jan 2023\nTT\n20\n\nOne caption\n\n"
      "The caption, 13 Jan 2023\n\nBody.\n");
  ASSERT_THAT(Titles(articles), ElementsAre("No caption", "One caption"));
  EXPECT_THAT(articles[0].article.captions(), IsEmpty());
  EXPECT_EQ(articles[0].article.body(), "Body.");
  EXPECT_THAT(articles[1].article.captions(),
              ElementsAre("The caption, 13 Jan 2023"));
  EXPECT_EQ(articles[1].article.body(), "Body.");
  EXPECT_EQ(ToAbslTime(articles[1].article.published_at()), Day(2023, 1, 13));
}

TEST(PageTextParserTest, PageWithoutBodyStillComesOut) {
  const std::vector<ParsedArticle> articles = ParseText(
      "Empty page\n\nCap\nCap\nTT\n20\n\nEmpty page\n\nCap\nCap\n\n\n\n"
      "Full page\n\nCap 2\nCap 2\nTT\n20\n\nFull page\n\nCap 2\nCap 2\n\n"
      "Body.\n");
  ASSERT_THAT(Titles(articles), ElementsAre("Empty page", "Full page"));
  EXPECT_THAT(articles[0].article.captions(), ElementsAre("Cap"));
  EXPECT_THAT(articles[0].article.body(), IsEmpty());
  EXPECT_EQ(articles[1].line, 15);
  EXPECT_EQ(articles[1].article.body(), "Body.");
}

TEST(PageTextParserTest, BareHeadlineAfterBlankLinesStartsAnArticle) {
  const std::vector<ParsedArticle> articles =
      ParseText("First\n\nBody one.\n\n\n\nSecond\n\nBody two.\n");
  ASSERT_THAT(Titles(articles), ElementsAre("First", "Second"));
  EXPECT_EQ(articles[0].article.body(), "Body one.");
  EXPECT_EQ(articles[1].line, 7);
  EXPECT_EQ(articles[1].article.body(), "Body two.");
}

TEST(PageTextParserTest, BlankLinesInsideABodyDoNotSplitIt) {
  const std::vector<ParsedArticle> articles = ParseText(
      "Headline\n\nCap\nCap\nTT\n20\n\nHeadline\n\nCap\nCap\n\n"
      "One.\n\n\n\nTwo.\n\nSUBHEADING\n\nThree.\n  \n\t\nFour,\nstill four.\n");
  ASSERT_THAT(articles, SizeIs(1));
  EXPECT_EQ(articles[0].article.body(),
            "One.\n\nTwo.\n\nSUBHEADING\n\nThree.\n\nFour,\nstill four.");
}

TEST(PageTextParserTest, DateFromIsoCaptionOrDateline) {
  const std::vector<ParsedArticle> articles = ParseText(
      "Iso\n\nPhoto 2024-02-29\nPhoto 2024-02-29\nTT\n\nIso\n\nBody.\n\n\n\n"
      "Dateline\n\nTT\n\nDateline\n\nSEOUL, June 4, 2025 - Body.\n\n\n\n"
      "Old photo\n\nTaken 5 May 1945\nTaken 5 May 1945\nTT\n\nOld photo\n\n"
      "Body.\n\n\n\n"
      "Late date\n\nTT\n\nLate date\n\nBody.\n\nOn 1 March 2020 it began.\n");
  ASSERT_THAT(Titles(articles),
              ElementsAre("Iso", "Dateline", "Old photo", "Late date"));
  EXPECT_EQ(ToAbslTime(articles[0].article.published_at()), Day(2024, 2, 29));
  EXPECT_EQ(ToAbslTime(articles[1].article.published_at()), Day(2025, 6, 4));
  EXPECT_FALSE(articles[2].article.has_published_at());
  EXPECT_FALSE(articles[3].article.has_published_at());
  // Found in the text, or not at all: never the time of the feed.
  EXPECT_EQ(articles[0].article.date_source(), archive::v1::DATE_SOURCE_TEXT);
  EXPECT_EQ(articles[1].article.date_source(), archive::v1::DATE_SOURCE_TEXT);
  EXPECT_EQ(articles[2].article.date_source(),
            archive::v1::DATE_SOURCE_UNSPECIFIED);
  EXPECT_EQ(articles[3].article.date_source(),
            archive::v1::DATE_SOURCE_UNSPECIFIED);
}

TEST(PageTextParserTest, SourceComesFromTheOptions) {
  PageTextParser::Options options;
  options.source = "example.com";
  const std::vector<ParsedArticle> articles =
      ParseText("Headline\n\nBody.", options);
  ASSERT_THAT(articles, SizeIs(1));
  EXPECT_EQ(articles[0].article.source(), "example.com");
}

TEST(PageTextParserTest, EmptyOrBlankInputHoldsNothing) {
  for (const char* text : {"", "\n", "\r\n", "\n\n \n\t\n\xC2\xA0\n"}) {
    EXPECT_THAT(ParseText(text), IsEmpty()) << text;
    EXPECT_THAT(ParseLineByLine(text, {}), IsEmpty()) << text;
  }
  PageTextParser parser{PageTextParser::Options()};
  parser.Finish();
  parser.Finish();
  ParsedArticle article;
  EXPECT_FALSE(parser.Next(&article));
}

TEST(PageTextParserTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::vector<ParsedArticle> articles =
      ParseText("Head\xFFline\n\nBo\xC3(dy\xED\xA0\x80.\n");
  ASSERT_THAT(articles, SizeIs(1));
  EXPECT_EQ(articles[0].article.title(), "Head\uFFFDline");
  EXPECT_EQ(articles[0].article.body(), "Bo\uFFFD(dy\uFFFD\uFFFD\uFFFD.");
  archive::v1::Article round_trip;
  EXPECT_TRUE(
      round_trip.ParseFromString(articles[0].article.SerializeAsString()));
  // The article says where its first bad byte was, to be reported.
  EXPECT_EQ(articles[0].problem, "invalid UTF-8 at byte 5 of the line");
  EXPECT_EQ(articles[0].problem_line, 1);
}

TEST(PageTextParserTest, InvalidUtf8IsPinnedToItsArticleAndLine) {
  const std::vector<ParsedArticle> articles = ParseText(
      "Good headline\n\nGood body.\n\n\n\nSecond headline\n\n"
      "Fine first paragraph.\n\nBroken \xC3( paragraph.\n");
  ASSERT_THAT(articles, SizeIs(2));
  EXPECT_TRUE(articles[0].problem.empty());
  EXPECT_EQ(articles[1].problem, "invalid UTF-8 at byte 8 of the line");
  EXPECT_EQ(articles[1].problem_line, 11);
}

TEST(PageTextParserTest, ArbitraryBytesDoNotCrash) {
  std::mt19937 random(20230113);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::string alphabet[] = {"\n",       "\n\n\n",      "TT\n",
                                  "20\n",     "x\nx\n",      "\r",
                                  "\xC2\xA0", "June 4, 2025"};
  for (int round = 0; round < 200; ++round) {
    std::string text;
    const int size = round * 37 % 4000;
    while (static_cast<int>(text.size()) < size) {
      if (byte(random) < 64) {
        text += alphabet[byte(random) % 8];
      } else {
        text += static_cast<char>(byte(random));
      }
    }
    const std::vector<ParsedArticle> articles = ParseText(text);
    for (const ParsedArticle& parsed : articles) {
      EXPECT_GE(parsed.line, 1);
      archive::v1::Article round_trip;
      EXPECT_TRUE(
          round_trip.ParseFromString(parsed.article.SerializeAsString()));
    }
    ExpectSameArticles(ParseLineByLine(text, {}), articles);
  }
}

TEST(PageTextParserTest, HugeLineWithinTheLimit) {
  const std::string huge(8 << 20, 'a');
  PageTextParser::Options options;
  options.max_article_bytes = 32 << 20;
  const std::vector<ParsedArticle> articles =
      ParseText(absl::StrCat("Headline\n\n", huge, "\n\n", huge), options);
  ASSERT_THAT(articles, SizeIs(1));
  EXPECT_EQ(articles[0].article.body().size(), 2 * huge.size() + 2);
  EXPECT_EQ(articles[0].problem, "");
  EXPECT_THAT(ParseText(huge, options), SizeIs(1));
}

PageTextParser::Options Limit(size_t max_article_bytes) {
  PageTextParser::Options options;
  options.max_article_bytes = max_article_bytes;
  return options;
}

TEST(PageTextParserTest, ALineOverTheLimitIsReportedAtItsLine) {
  const std::string text = absl::StrCat(
      "First\n\nTT\n\nFirst\n\nShort body.\n\n\n\n"
      "Second\n\nTT\n\nSecond\n\nA paragraph\n",
      std::string(200, 'x'), "\nand more.\n\n\n\n",
      "Third\n\nTT\n\nThird\n\nShort body.\n");
  for (const auto& articles :
       {ParseText(text, Limit(100)), ParseLineByLine(text, Limit(100))}) {
    ASSERT_THAT(Titles(articles), ElementsAre("First", "Second", "Third"));
    EXPECT_EQ(articles[0].problem, "");
    EXPECT_EQ(articles[1].problem, "line of 200 bytes is over the limit of 100");
    EXPECT_EQ(articles[1].problem_line, 18);
    // What is over the limit is not kept.
    EXPECT_LT(articles[1].article.body().size(), 100u);
    EXPECT_EQ(articles[2].problem, "");
    EXPECT_EQ(articles[2].article.body(), "Short body.");
  }
}

TEST(PageTextParserTest, AParagraphOverTheLimitIsReportedAtItsFirstLine) {
  std::string paragraph;
  for (int i = 10; i < 40; ++i) paragraph += absl::StrCat("line ", i, " of\n");
  const std::vector<ParsedArticle> articles = ParseText(
      absl::StrCat("First\n\nTT\n\nFirst\n\nIntro.\n\n", paragraph,
                   "\n\n\nSecond\n\nTT\n\nSecond\n\nShort body.\n"),
      Limit(200));
  ASSERT_THAT(Titles(articles), ElementsAre("First", "Second"));
  EXPECT_EQ(articles[0].problem, "paragraph of 329 bytes is over the limit of 200");
  EXPECT_EQ(articles[0].problem_line, 9);
  EXPECT_EQ(articles[1].problem, "");
}

TEST(PageTextParserTest, AnArticleOverTheLimitIsReportedAtItsStart) {
  std::string body;
  for (int i = 0; i < 12; ++i) body += "Paragraph of some twenty bytes.\n\n";
  const std::vector<ParsedArticle> articles = ParseText(
      absl::StrCat("Good\n\nTT\n\nGood\n\nShort.\n\n\n\n",
                   "Long one\n\nTT\n\nLong one\n\n", body, "\n\n",
                   "Good again\n\nTT\n\nGood again\n\nShort.\n"),
      Limit(300));
  ASSERT_THAT(Titles(articles), ElementsAre("Good", "Long one", "Good again"));
  EXPECT_EQ(articles[0].problem, "");
  // Title 8 bytes, 12 paragraphs of 31, 11 separators of 2.
  EXPECT_EQ(articles[1].problem, "article of 402 bytes is over the limit of 300");
  EXPECT_EQ(articles[1].problem_line, 11);
  EXPECT_TRUE(articles[1].article.body().empty());
  EXPECT_EQ(articles[2].problem, "");
  EXPECT_EQ(articles[2].article.body(), "Short.");
}

TEST(PageTextParserTest, ALineTheReaderCouldNotHoldIsOverTheLimit) {
  std::istringstream in(absl::StrCat("Headline\n\n", std::string(5000, '\0'),
                                     "\n\n\n\nNext\n\nTT\n\nNext\n\nBody.\n"));
  LineReader lines(&in, 1000);
  PageTextParser parser(Limit(2000));
  std::vector<ParsedArticle> articles;
  ParsedArticle article;
  while (parser.ReadNext(&lines, &article)) articles.push_back(article);
  ASSERT_THAT(Titles(articles), ElementsAre("Headline", "Next"));
  EXPECT_EQ(articles[0].problem, "line of 5000 bytes is over the limit of 1000");
  EXPECT_EQ(articles[0].problem_line, 3);
  EXPECT_EQ(articles[1].problem, "");
}

TEST(PageTextParserTest, InputOfOneLineOverTheLimitIsOneRejectedArticle) {
  const std::vector<ParsedArticle> articles =
      ParseText(std::string(3000, '\0'), Limit(1000));
  ASSERT_THAT(articles, SizeIs(1));
  EXPECT_EQ(articles[0].line, 1);
  EXPECT_EQ(articles[0].problem, "line of 3000 bytes is over the limit of 1000");
  EXPECT_EQ(articles[0].problem_line, 1);
}

}  // namespace
}  // namespace archive::cli
