// The HTML extractor (cli/html_extractor.h) measured against the gold set
// (tests/extraction/gold, README.md beside this file). For every page it runs
// ExtractArticle and compares with what the page's .expected.json says:
//   - body: precision and recall of its words as bags of words
//     (word_overlap.h), per page and in total (micro-averaged over the article
//     pages); the test fails when the total precision or recall is below 0.95;
//   - headline and published_at: exact, on every page;
//   - authors: the same set of names, on every page;
//   - a page that holds no article: no_article set.
// The results are printed as a table to the test log, followed by the words
// that make each imperfect body differ
// (`bazel test //tests/extraction:extraction_quality_test --test_output=all`).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/html_extractor.h"
#include "gtest/gtest.h"
#include "tests/extraction/gold_set.h"
#include "tests/extraction/word_overlap.h"

namespace archive::testing {
namespace {

// Relative to the runfiles root, the working directory of `bazel test`.
constexpr char kGoldDir[] = "tests/extraction/gold";
constexpr double kMinPrecision = 0.95;
constexpr double kMinRecall = 0.95;

struct PageResult {
  const GoldPage* page;
  cli::ExtractedArticle got;
  WordOverlap body;
  bool headline_ok = false;
  bool date_ok = false;
  bool authors_ok = false;
  bool no_article_ok = false;
};

std::string TimeText(const std::optional<absl::Time>& time) {
  return time.has_value()
             ? absl::FormatTime(absl::RFC3339_full, *time, absl::UTCTimeZone())
             : "none";
}

std::string NamesText(const std::vector<std::string>& names) {
  return absl::StrCat("[", absl::StrJoin(names, ", "), "]");
}

std::string_view YesNo(bool ok) { return ok ? "yes" : "NO"; }

// At most kShownWords of `words`, and how many there are.
std::string SomeWords(const std::vector<std::string>& words) {
  constexpr size_t kShownWords = 30;
  const std::vector<std::string> shown(
      words.begin(), words.begin() + std::min(words.size(), kShownWords));
  return absl::StrCat(words.size(), words.size() > kShownWords ? " words, first: " : " words: ",
                      absl::StrJoin(shown, " "));
}

PageResult Measure(const GoldPage& page) {
  PageResult result{&page, cli::ExtractArticle(page.html, page.url)};
  const cli::ExtractedArticle& got = result.got;
  const bool found = got.no_article == cli::NoArticleReason::kNone;
  result.no_article_ok = page.no_article != found;
  if (page.no_article) return result;
  result.body = MeasureWordOverlap(page.body, found ? got.body : "");
  result.headline_ok = found && got.title == page.headline;
  result.date_ok = found && got.published_at == page.published_at;
  result.authors_ok =
      found && std::set<std::string>(got.authors.begin(), got.authors.end()) ==
                   std::set<std::string>(page.authors.begin(), page.authors.end());
  return result;
}

void PrintTable(const std::vector<PageResult>& results, const WordOverlap& total) {
  std::string table = absl::StrFormat("\n%-36s %9s %7s %9s %7s %8s %8s\n", "page",
                                      "precision", "recall", "headline", "date",
                                      "authors", "words");
  for (const PageResult& r : results) {
    if (r.page->no_article) {
      absl::StrAppend(&table, absl::StrFormat("%-36s no article expected; extractor says %s\n",
                                              r.page->name,
                                              r.no_article_ok ? "no article (ok)" : "an article (NO)"));
      continue;
    }
    absl::StrAppend(&table, absl::StrFormat("%-36s %9.3f %7.3f %9s %7s %8s %8d\n", r.page->name,
                                            r.body.Precision(), r.body.Recall(),
                                            YesNo(r.headline_ok), YesNo(r.date_ok),
                                            YesNo(r.authors_ok), r.body.expected_words));
  }
  absl::StrAppend(&table, absl::StrFormat("%-36s %9.3f %7.3f %9s %7s %8s %8d\n", "TOTAL",
                                          total.Precision(), total.Recall(), "", "", "",
                                          total.expected_words));
  for (const PageResult& r : results) {
    if (r.page->no_article || (r.body.common_words == r.body.expected_words &&
                                   r.body.common_words == r.body.extracted_words)) {
      continue;
    }
    const WordDifference difference = DiffWords(
        r.page->body, r.got.no_article == cli::NoArticleReason::kNone ? r.got.body : "");
    absl::StrAppend(&table, "\n", r.page->name, "\n");
    if (!difference.extra.empty()) {
      absl::StrAppend(&table, "  extra:   ", SomeWords(difference.extra), "\n");
    }
    if (!difference.missing.empty()) {
      absl::StrAppend(&table, "  missing: ", SomeWords(difference.missing), "\n");
    }
  }
  std::fputs(table.c_str(), stdout);
  std::fflush(stdout);
}

// Extracts every page once, for all the tests below, and prints the table.
class ExtractionQualityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::vector<GoldPage>> pages = LoadGoldSet(kGoldDir);
    if (!pages.ok()) {
      load_error_ = new std::string(pages.status().ToString());
      return;
    }
    pages_ = new std::vector<GoldPage>(*std::move(pages));
    results_ = new std::vector<PageResult>;
    total_ = new WordOverlap;
    for (const GoldPage& page : *pages_) {
      results_->push_back(Measure(page));
      if (!page.no_article) *total_ += results_->back().body;
    }
    PrintTable(*results_, *total_);
  }

  void SetUp() override {
    ASSERT_EQ(load_error_, nullptr) << *load_error_;
    ASSERT_FALSE(results_->empty()) << "no page in " << kGoldDir;
  }

  static const std::vector<PageResult>& results() { return *results_; }
  static const WordOverlap& total() { return *total_; }

 private:
  // Leaked on purpose: set once for the whole suite.
  static std::string* load_error_;
  static std::vector<GoldPage>* pages_;
  static std::vector<PageResult>* results_;
  static WordOverlap* total_;
};

std::string* ExtractionQualityTest::load_error_ = nullptr;
std::vector<GoldPage>* ExtractionQualityTest::pages_ = nullptr;
std::vector<PageResult>* ExtractionQualityTest::results_ = nullptr;
WordOverlap* ExtractionQualityTest::total_ = nullptr;

TEST_F(ExtractionQualityTest, BodyWordsReachTheBarOfPrecisionAndRecallInTotal) {
  EXPECT_GE(total().Precision(), kMinPrecision)
      << total().common_words << " of " << total().extracted_words
      << " extracted words are article words";
  EXPECT_GE(total().Recall(), kMinRecall)
      << total().common_words << " of " << total().expected_words
      << " article words were extracted";
}

TEST_F(ExtractionQualityTest, EveryHeadlineIsExactlyTheExpectedOne) {
  for (const PageResult& r : results()) {
    if (r.page->no_article) continue;
    EXPECT_TRUE(r.headline_ok) << r.page->name << ": headline \"" << r.got.title
                               << "\", expected \"" << r.page->headline << "\"";
  }
}

TEST_F(ExtractionQualityTest, EveryPublicationTimeIsExactlyTheExpectedOne) {
  for (const PageResult& r : results()) {
    if (r.page->no_article) continue;
    EXPECT_TRUE(r.date_ok) << r.page->name << ": published_at "
                           << TimeText(r.got.published_at) << ", expected "
                           << TimeText(r.page->published_at);
  }
}

TEST_F(ExtractionQualityTest, EveryPageNamesTheExpectedAuthors) {
  for (const PageResult& r : results()) {
    if (r.page->no_article) continue;
    EXPECT_TRUE(r.authors_ok) << r.page->name << ": authors " << NamesText(r.got.authors)
                              << ", expected " << NamesText(r.page->authors);
  }
}

TEST_F(ExtractionQualityTest, ArticlesAreFoundAndPagesWithoutOneSaySo) {
  for (const PageResult& r : results()) {
    EXPECT_TRUE(r.no_article_ok)
        << r.page->name << ": expected "
        << (r.page->no_article ? "no article" : "an article") << ", extractor says "
        << cli::NoArticleReasonName(r.got.no_article);
  }
}

}  // namespace
}  // namespace archive::testing
