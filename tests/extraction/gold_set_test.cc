#include "tests/extraction/gold_set.h"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Relative to the runfiles root, the working directory of `bazel test`.
constexpr char kGoldDir[] = "tests/extraction/gold";

TEST(ParseExpectedTest, ReadsAnArticle) {
  const absl::StatusOr<GoldPage> page = ParseExpected(R"({
    "url": "https://example.com/a", "headline": "Rain in Leeds",
    "published_at": "2025-06-04T10:31:22+09:00", "authors": ["Jane Doe", "John Roe"],
    "body": "One.\n\nTwo.", "no_article": false})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->url, "https://example.com/a");
  EXPECT_FALSE(page->no_article);
  EXPECT_EQ(page->headline, "Rain in Leeds");
  EXPECT_EQ(page->published_at, absl::FromUnixSeconds(1749000682));
  EXPECT_THAT(page->authors, ElementsAre("Jane Doe", "John Roe"));
  EXPECT_EQ(page->body, "One.\n\nTwo.");
}

TEST(ParseExpectedTest, ANullTimeMeansThePageGivesNone) {
  const absl::StatusOr<GoldPage> page = ParseExpected(
      R"({"url": "https://example.com/a", "headline": "H", "published_at": null,
          "authors": [], "body": "B", "no_article": false})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->published_at, std::nullopt);
}

TEST(ParseExpectedTest, ReadsAPageWithoutAnArticle) {
  const absl::StatusOr<GoldPage> page =
      ParseExpected(R"({"url": "https://example.com/404", "no_article": true})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->no_article);
}

TEST(ParseExpectedTest, RejectsWhatAGoldFileMustNotSay) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"url": "https://e.com/", "no_article": true, "headlne": "x"})", "headlne"},
      {R"({"url": "https://e.com/", "headline": "H", "published_at": "2025-06-04T10:31:22",
           "authors": [], "body": "B", "no_article": false})", "published_at"},
      {R"({"url": "https://e.com/", "headline": "H", "authors": [], "body": "B",
           "no_article": false})", "published_at"},
      {R"({"url": "https://e.com/", "headline": "", "published_at": null, "authors": [],
           "body": "B", "no_article": false})", "headline"},
      {R"({"url": "e.com/", "no_article": true})", "url"},
      {R"({"url": "https://e.com/", "no_article": true, "body": "text"})", "no_article"},
      {R"({"url": "https://e.com/", )", "invalid JSON"},
  };
  for (const auto& [json, field] : cases) {
    const absl::StatusOr<GoldPage> page = ParseExpected(json);
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(std::string(page.status().message()), HasSubstr(field)) << json;
  }
}

// What the issue asks of the set: at least 20 pages (we keep 24) in at least
// 6 templates (a page's name starts with its template's), in English, Arabic,
// Korean and one more language, and pages that hold no article.
TEST(GoldSetTest, IsAsLargeAndAsVariedAsTheIssueAsks) {
  const absl::StatusOr<std::vector<GoldPage>> pages = LoadGoldSet(kGoldDir);
  ASSERT_TRUE(pages.ok()) << pages.status();
  EXPECT_GE(pages->size(), 24);

  std::set<std::string> templates;
  std::set<std::string> languages;
  std::set<std::string> urls;
  int without_article = 0;
  for (const GoldPage& page : *pages) {
    EXPECT_TRUE(urls.insert(page.url).second) << page.name << ": URL used twice";
    if (page.no_article) {
      ++without_article;
      continue;
    }
    templates.insert(std::string(page.name.substr(0, page.name.find('-'))));
    const size_t html_tag = page.html.find("<html");
    const size_t lang = page.html.find("lang=\"", html_tag);
    ASSERT_NE(lang, std::string::npos) << page.name << ": no <html lang>";
    const size_t begin = lang + 6;
    languages.insert(page.html.substr(begin, page.html.find_first_of("-\"", begin) - begin));
  }
  EXPECT_GE(templates.size(), 6);
  EXPECT_GE(without_article, 2);
  EXPECT_EQ(languages.count("en"), 1);
  EXPECT_EQ(languages.count("ar"), 1);
  EXPECT_EQ(languages.count("ko"), 1);
  EXPECT_GE(languages.size(), 4);
}

TEST(GoldSetTest, EveryBodyIsParagraphsSeparatedByOneBlankLine) {
  const absl::StatusOr<std::vector<GoldPage>> pages = LoadGoldSet(kGoldDir);
  ASSERT_TRUE(pages.ok()) << pages.status();
  for (const GoldPage& page : *pages) {
    if (page.no_article) continue;
    for (const absl::string_view paragraph : absl::StrSplit(page.body, "\n\n")) {
      EXPECT_FALSE(paragraph.empty()) << page.name << ": an empty paragraph";
      EXPECT_FALSE(absl::StartsWith(paragraph, " ") || absl::EndsWith(paragraph, " ") ||
                   absl::StartsWith(paragraph, "\n") || absl::EndsWith(paragraph, "\n"))
          << page.name << ": white space around \"" << paragraph << "\"";
      EXPECT_FALSE(absl::StrContains(paragraph, "  "))
          << page.name << ": a run of spaces in \"" << paragraph << "\"";
    }
    EXPECT_FALSE(absl::StrContains(page.body, page.headline))
        << page.name << ": the headline is not body text";
  }
}

}  // namespace
}  // namespace archive::testing
