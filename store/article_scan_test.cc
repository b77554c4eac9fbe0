#include "store/article_scan.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "store/article_key.h"
#include "store/page_limits.h"
#include "store/test_store.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  time.set_nanos(nanos);
  return time;
}

// Articles stored as the put path stores them; scans of them compared with
// the articles sorted by hand.
class ArticleScanTest : public ::testing::Test {
 protected:
  ArticleScanTest() : store_("article_scan") {}

  // Article `n` of `source`, published `seconds` after kJan2023.
  v1::Article Store(const std::string& source, int64_t seconds, int n) {
    const v1::Article article = MakeArticle(source, absl::StrCat("Title ", n),
                                            absl::StrCat("Body ", n), kJan2023 + seconds);
    store_.Put({article});
    stored_.push_back(article);
    return article;
  }

  // Three sources, one a prefix of another's name, at times that interleave
  // and repeat.
  void StoreMixed() {
    const std::string sources[] = {"a.com", "a.com.au", "b.org"};
    for (int n = 0; n < 24; ++n) Store(sources[n % 3], (n * 7) % 10, n);
  }

  // The ids stored of `source` ("" for all) published in [start, end), in
  // the order of `oldest_first`.
  std::vector<std::string> Expected(const std::string& source, int64_t start, int64_t end,
                                    bool oldest_first) const {
    std::vector<v1::Article> picked;
    for (const v1::Article& article : stored_) {
      const int64_t seconds = article.published_at().seconds() - kJan2023;
      if ((source.empty() || article.source() == source) && seconds >= start &&
          seconds < end) {
        picked.push_back(article);
      }
    }
    std::sort(picked.begin(), picked.end(), [](const v1::Article& a, const v1::Article& b) {
      return std::make_tuple(a.published_at().seconds(), a.id()) <
             std::make_tuple(b.published_at().seconds(), b.id());
    });
    if (!oldest_first) std::reverse(picked.begin(), picked.end());
    std::vector<std::string> ids;
    for (const v1::Article& article : picked) ids.push_back(article.id());
    return ids;
  }

  absl::Status Scan(const v1::ScanRequest& request, v1::ScanResponse* response) const {
    return ScanArticles(store_.database(), request, response);
  }

  // Every page, following the tokens; counts the pages in `pages`.
  std::vector<std::string> ScanAll(v1::ScanRequest request, int* pages = nullptr) const {
    std::vector<std::string> ids;
    for (int page = 0; page < 1000; ++page) {
      if (pages != nullptr) *pages = page + 1;
      v1::ScanResponse response;
      const absl::Status status = Scan(request, &response);
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok()) break;
      for (const v1::Article& article : response.articles()) ids.push_back(article.id());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return ids;
  }

  // A first page, newest first, then an article stored newer than its
  // token (passed already) and one older (still to come).
  void ExpectResumesRightAfterTheToken(const std::string& source) {
    for (int n = 0; n < 6; ++n) Store("a.com", 10 * n, n);
    v1::ScanRequest request;
    request.set_source(source);
    request.set_page_size(2);
    v1::ScanResponse first;
    ASSERT_TRUE(Scan(request, &first).ok());
    ASSERT_EQ(first.articles_size(), 2);  // at 50 and 40
    const v1::Article newer = Store("a.com", 45, 10);
    const v1::Article older = Store("a.com", 35, 11);
    request.set_page_token(first.next_page_token());
    request.set_page_size(0);
    const std::vector<std::string> rest = ScanAll(request);
    EXPECT_EQ(rest, (std::vector<std::string>{older.id(), stored_[3].id(), stored_[2].id(),
                                              stored_[1].id(), stored_[0].id()}));
  }

  TestStore store_;
  std::vector<v1::Article> stored_;
};

TEST_F(ArticleScanTest, ScansASourceOrEverySourceInPublicationOrderPageByPage) {
  StoreMixed();
  for (const std::string source : {"a.com", "a.com.au", "b.org", ""}) {
    for (bool oldest_first : {true, false}) {
      v1::ScanRequest request;
      request.set_source(source);
      request.set_oldest_first(oldest_first);
      request.set_page_size(4);
      int pages = 0;
      const std::vector<std::string> expected = Expected(source, 0, 100, oldest_first);
      EXPECT_EQ(ScanAll(request, &pages), expected) << source << " " << oldest_first;
      // The last page is full, and says there is no more.
      EXPECT_EQ(pages, static_cast<int>(expected.size()) / 4) << source;
    }
  }
}

TEST_F(ArticleScanTest, TimeRangesAreHalfOpen) {
  StoreMixed();
  for (const std::string source : {"a.com", ""}) {
    for (bool oldest_first : {true, false}) {
      v1::ScanRequest request;
      request.set_source(source);
      request.set_oldest_first(oldest_first);
      request.set_page_size(3);
      *request.mutable_start_time() = At(kJan2023 + 2);
      *request.mutable_end_time() = At(kJan2023 + 7);
      EXPECT_EQ(ScanAll(request), Expected(source, 2, 7, oldest_first))
          << source << " " << oldest_first;
      *request.mutable_end_time() = request.start_time();
      EXPECT_TRUE(ScanAll(request).empty());
    }
  }
}

TEST_F(ArticleScanTest, APageOfASourceResumesRightAfterItsTokenWhateverWasStoredSince) {
  ExpectResumesRightAfterTheToken("a.com");
}

TEST_F(ArticleScanTest, APageOfEverySourceResumesRightAfterItsTokenWhateverWasStoredSince) {
  ExpectResumesRightAfterTheToken("");
}

TEST_F(ArticleScanTest, ATokenOutsideTheTimeRangeStartsAtTheRangesNearEnd) {
  for (int n = 0; n < 6; ++n) Store("a.com", 10 * n, n);
  for (const std::string source : {"a.com", ""}) {
    // Tokens of the first and the last article.
    v1::ScanRequest oldest;
    oldest.set_source(source);
    oldest.set_oldest_first(true);
    oldest.set_page_size(1);
    v1::ScanResponse first;
    ASSERT_TRUE(Scan(oldest, &first).ok());
    v1::ScanRequest newest = oldest;
    newest.set_oldest_first(false);
    v1::ScanResponse last;
    ASSERT_TRUE(Scan(newest, &last).ok());

    // Forward from before the range's start; backward from past its end.
    v1::ScanRequest forward = oldest;
    forward.set_page_size(0);
    forward.set_page_token(first.next_page_token());
    *forward.mutable_start_time() = At(kJan2023 + 25);
    EXPECT_EQ(ScanAll(forward), Expected(source, 25, 100, true)) << source;
    v1::ScanRequest backward = newest;
    backward.set_page_size(0);
    backward.set_page_token(last.next_page_token());
    *backward.mutable_end_time() = At(kJan2023 + 25);
    EXPECT_EQ(ScanAll(backward), Expected(source, 0, 25, false)) << source;
    // A token beyond the range in the scan's direction leaves nothing.
    v1::ScanRequest backward_from_before = backward;
    backward_from_before.clear_end_time();
    *backward_from_before.mutable_start_time() = At(kJan2023 + 25);
    backward_from_before.set_page_token(first.next_page_token());
    EXPECT_TRUE(ScanAll(backward_from_before).empty()) << source;
    v1::ScanRequest forward_from_after = forward;
    forward_from_after.clear_start_time();
    *forward_from_after.mutable_end_time() = At(kJan2023 + 25);
    forward_from_after.set_page_token(last.next_page_token());
    EXPECT_TRUE(ScanAll(forward_from_after).empty()) << source;
  }
}

TEST_F(ArticleScanTest, TheBasicViewListsTheSameArticlesWithoutTheirText) {
  StoreMixed();
  for (const std::string source : {"b.org", ""}) {
    v1::ScanRequest request;
    request.set_source(source);
    request.set_view(v1::ARTICLE_VIEW_BASIC);
    request.set_page_size(4);
    EXPECT_EQ(ScanAll(request), Expected(source, 0, 100, false)) << source;
    v1::ScanResponse page;
    ASSERT_TRUE(Scan(request, &page).ok());
    ASSERT_GT(page.articles_size(), 0);
    EXPECT_TRUE(page.articles(0).body().empty());
    EXPECT_FALSE(page.articles(0).title().empty());
  }
}

TEST_F(ArticleScanTest, PageSizeHasADefaultAndACap) {
  std::vector<v1::Article> articles;
  for (int n = 0; n <= kMaxScanPageSize; ++n) {
    articles.push_back(MakeArticle("a.com", "T", absl::StrCat("Body ", n), kJan2023 + n));
  }
  store_.Put(articles);
  v1::ScanRequest request;
  v1::ScanResponse page;
  ASSERT_TRUE(Scan(request, &page).ok());
  EXPECT_EQ(page.articles_size(), kDefaultScanPageSize);
  request.set_page_size(kMaxScanPageSize + 1);
  page.Clear();
  ASSERT_TRUE(Scan(request, &page).ok());
  EXPECT_EQ(page.articles_size(), kMaxScanPageSize);
  EXPECT_FALSE(page.next_page_token().empty());
}

TEST_F(ArticleScanTest, APageStopsOnceItHoldsItsByteBudget) {
  constexpr int kArticles = 12;  // of 400 KB: 4.8 MB in all
  for (int n = 0; n < kArticles; ++n) {
    stored_.push_back(MakeArticle("a.com", "T", absl::StrCat(n, " ", std::string(400'000, 'x')),
                                  kJan2023 + n));
  }
  store_.Put(stored_);
  v1::ScanRequest request;
  request.set_source("a.com");
  request.set_oldest_first(true);
  request.set_page_size(kMaxScanPageSize);
  v1::ScanResponse page;
  ASSERT_TRUE(Scan(request, &page).ok());
  ASSERT_LT(page.articles_size(), kArticles);
  size_t bytes = 0;
  for (const v1::Article& article : page.articles()) {
    EXPECT_LT(bytes, kMaxPageBytes);  // it was still under when this was added
    bytes += article.ByteSizeLong();
  }
  EXPECT_GE(bytes, kMaxPageBytes);
  EXPECT_FALSE(page.next_page_token().empty());
  EXPECT_EQ(ScanAll(request), Expected("a.com", 0, 100, true));
}

TEST_F(ArticleScanTest, MalformedRequestsAreInvalidArgumentNamingTheField) {
  auto expect_invalid = [this](const v1::ScanRequest& request, const std::string& field) {
    v1::ScanResponse response;
    const absl::Status status = Scan(request, &response);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(status.message().substr(0, field.size() + 1), field + ":") << status;
  };
  v1::ScanRequest request;
  request.set_page_size(-1);
  expect_invalid(request, "page_size");
  request.Clear();
  *request.mutable_start_time() = At(kJan2023, 1'000'000'000);
  expect_invalid(request, "start_time");
  request.Clear();
  *request.mutable_end_time() = At(kJan2023, -1);
  expect_invalid(request, "end_time");
  request.Clear();
  *request.mutable_start_time() = At(kJan2023 + 1);
  *request.mutable_end_time() = At(kJan2023);
  expect_invalid(request, "start_time");
  request.Clear();
  request.set_source("not a host");
  expect_invalid(request, "source");
  request.Clear();
  request.set_view(static_cast<v1::ArticleView>(7));
  expect_invalid(request, "view");
  request.Clear();
  request.set_page_token("\xff not a cursor");
  expect_invalid(request, "page_token");
  v1::ScanCursor cursor;
  *cursor.mutable_published_at() = At(kJan2023);
  cursor.set_id("ABC");
  request.set_page_token(cursor.SerializeAsString());
  expect_invalid(request, "page_token");
}

TEST_F(ArticleScanTest, AnEntryOfEverySourceThatLeadsToNoArticleIsDataLoss) {
  Store("a.com", 0, 0);
  const v1::Article missing = MakeArticle("a.com", "Gone", "Never stored.", kJan2023 + 5);
  store_.PutRow(kByTime, TimeKey({missing.published_at(), missing.id()}), "a.com");
  v1::ScanRequest request;
  v1::ScanResponse response;
  EXPECT_EQ(Scan(request, &response).code(), absl::StatusCode::kDataLoss);
  // A scan of the source reads the articles family itself, which is whole.
  request.set_source("a.com");
  response.Clear();
  EXPECT_TRUE(Scan(request, &response).ok());
  EXPECT_EQ(response.articles_size(), 1);
}

}  // namespace
}  // namespace archive::store
