#include "store/article_db.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/tokenizer.h"
#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "store/article_key.h"
#include "store/raw_database.h"
#include "store/rocksdb_status.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;
using ::archive::testing::Refingerprint;

std::string NewTempDir() {
  std::string pattern = ::testing::TempDir() + "/article_db_XXXXXX";
  return mkdtemp(pattern.data());
}

google::protobuf::RepeatedPtrField<v1::PutItem> Items(
    std::initializer_list<v1::Article> articles) {
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  for (const v1::Article& article : articles) *items.Add()->mutable_article() = article;
  return items;
}

class ArticleDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = NewTempDir();
    Reopen();
  }

  void Reopen() {
    db_.reset();
    auto db = ArticleDb::Open(path_, options_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  v1::PutResult PutOne(const v1::Article& article) {
    auto results = db_->Put(Items({article}));
    EXPECT_TRUE(results.ok()) << results.status();
    return results.ok() ? (*results)[0] : v1::PutResult();
  }

  // Three articles of a.com ("Title 0" to "Title 2"), then the database
  // closed with its log flushed into table files: a RawDatabase, which has
  // no merge operators, could not replay the log.
  std::vector<v1::Article> PutThreeAndClose() {
    std::vector<v1::Article> articles;
    for (int i = 0; i < 3; ++i) {
      articles.push_back(MakeArticle("a.com", absl::StrCat("Title ", i),
                                     absl::StrCat("Body ", i), kJan2023 + i));
      PutOne(articles.back());
    }
    EXPECT_TRUE(db_->Flush().ok());
    db_.reset();
    return articles;
  }

  uint64_t ArticleCount() {
    v1::StatsResponse stats;
    EXPECT_TRUE(db_->Stats(v1::StatsRequest(), &stats).ok());
    return stats.article_count();
  }

  ArticleDbOptions options_;
  std::string path_;
  std::unique_ptr<ArticleDb> db_;
};

TEST_F(ArticleDbTest, StoresAndGetsAnArticle) {
  v1::Article article = MakeArticle("aawsat.com", "Title", "Body text.", kJan2023);
  v1::PutResult result = PutOne(article);
  EXPECT_EQ(result.outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ(result.id(), article.id());

  auto got = db_->Get(article.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), article.SerializeAsString());
}

TEST_F(ArticleDbTest, SurvivesReopen) {
  v1::Article article = MakeArticle("aawsat.com", "T", "B", kJan2023);
  PutOne(article);
  Reopen();
  auto got = db_->Get(article.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body(), "B");
}

TEST_F(ArticleDbTest, MemoryOnlyReadsSayWhenTheyWouldNeedTheDisk) {
  const v1::Article article = MakeArticle("aawsat.com", "T", "In memory.", kJan2023);
  PutOne(article);
  // In the memtable.
  auto got = db_->Get(article.id(), /*memory_only=*/true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body(), "In memory.");

  // In a table file, after a reopen: its blocks are not cached yet.
  ASSERT_TRUE(db_->Flush().ok());
  Reopen();
  got = db_->Get(article.id(), /*memory_only=*/true);
  EXPECT_TRUE(NeedsDisk(got.status())) << got.status();

  // Read once from the disk, then cached.
  ASSERT_TRUE(db_->Get(article.id()).ok());
  got = db_->Get(article.id(), /*memory_only=*/true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body(), "In memory.");

  // Other failures are not NeedsDisk.
  EXPECT_FALSE(NeedsDisk(db_->Get("00000000000000000000000000000000", true).status()));
  EXPECT_FALSE(NeedsDisk(db_->Get("bad", true).status()));
}

TEST_F(ArticleDbTest, DuplicateRecordsASightingAndKeepsOneCopy) {
  v1::Article original = MakeArticle("aawsat.com", "T", "Same words.", kJan2023);
  v1::Article copy = original;
  copy.set_source("example.org");
  copy.set_url("https://example.org/copy");
  copy.mutable_crawled_at()->set_seconds(kJan2023 + 86400);
  copy.mutable_published_at()->set_seconds(kJan2023 + 7200);

  EXPECT_EQ(PutOne(original).outcome(), v1::OUTCOME_STORED);
  v1::PutResult result = PutOne(copy);
  EXPECT_EQ(result.outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(result.id(), original.id());
  EXPECT_EQ(result.duplicate_of(), original.id());

  auto got = db_->Get(original.id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source(), "aawsat.com");
  ASSERT_EQ(got->sightings_size(), 1);
  EXPECT_EQ(got->sightings(0).source(), "example.org");
  EXPECT_EQ(got->sightings(0).url(), "https://example.org/copy");
  EXPECT_EQ(got->sightings(0).crawled_at().seconds(), kJan2023 + 86400);
  EXPECT_EQ(ArticleCount(), 1u);

  // The same sighting again adds nothing.
  EXPECT_EQ(PutOne(copy).outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(db_->Get(original.id())->sightings_size(), 1);
}

TEST_F(ArticleDbTest, RetryOfTheSameArrivalIsIdempotent) {
  v1::Article article = MakeArticle("aawsat.com", "T", "B", kJan2023);
  EXPECT_EQ(PutOne(article).outcome(), v1::OUTCOME_STORED);
  // A retry (or the same page fed again) is the stored article: a duplicate
  // with the same id, and no sighting of itself.
  v1::PutResult again = PutOne(article);
  EXPECT_EQ(again.outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(again.duplicate_of(), article.id());
  EXPECT_EQ(again.id(), article.id());
  EXPECT_EQ(db_->Get(article.id())->sightings_size(), 0);
  EXPECT_EQ(ArticleCount(), 1u);
}

TEST_F(ArticleDbTest, NearDuplicateIsStoredWithItsLink) {
  v1::Article first = MakeArticle("a.com", "T", "Story one.", kJan2023);
  v1::Article second = MakeArticle("b.com", "T2", "Story one, again.", kJan2023);
  second.set_near_duplicate_of(first.id());
  PutOne(first);
  v1::PutResult result = PutOne(second);
  EXPECT_EQ(result.outcome(), v1::OUTCOME_NEAR_DUPLICATE);
  EXPECT_EQ(result.duplicate_of(), first.id());
  EXPECT_EQ(db_->Get(second.id())->near_duplicate_of(), first.id());
  EXPECT_EQ(ArticleCount(), 2u);
}

TEST_F(ArticleDbTest, DuplicatesInsideOneBatchAreResolvedInOrder) {
  v1::Article a = MakeArticle("a.com", "T", "B", kJan2023);
  v1::Article b = a;
  b.set_source("b.com");
  v1::Article c = MakeArticle("a.com", "Other", "Text", kJan2023);
  auto results = db_->Put(Items({a, b, c, a}));
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 4u);
  EXPECT_EQ((*results)[0].outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ((*results)[1].outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ((*results)[1].duplicate_of(), a.id());
  EXPECT_EQ((*results)[2].outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ((*results)[3].outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(db_->Get(a.id())->sightings_size(), 1);
  EXPECT_EQ(ArticleCount(), 2u);
}

TEST_F(ArticleDbTest, ConcurrentPutsOfTheSameContentStoreItOnce) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 40;
  std::vector<std::vector<v1::PutResult>> results(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int round = 0; round < kRounds; ++round) {
        v1::Article article = MakeArticle(
            "race.com", "Race", absl::StrCat("Contested body ", round), kJan2023);
        article.set_url(absl::StrCat("https://race.com/", t));  // own arrival
        auto put = db_->Put(Items({article}));
        ASSERT_TRUE(put.ok()) << put.status();
        results[t].push_back((*put)[0]);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (int round = 0; round < kRounds; ++round) {
    int stored = 0;
    std::set<std::string> ids;
    for (int t = 0; t < kThreads; ++t) {
      const v1::PutResult& result = results[t][round];
      ids.insert(result.id());
      if (result.outcome() == v1::OUTCOME_STORED) ++stored;
      else EXPECT_EQ(result.outcome(), v1::OUTCOME_DUPLICATE);
    }
    EXPECT_EQ(stored, 1) << "round " << round;
    EXPECT_EQ(ids.size(), 1u) << "round " << round;
    EXPECT_EQ(db_->Get(*ids.begin())->sightings_size(), kThreads - 1);
  }
  EXPECT_EQ(ArticleCount(), static_cast<uint64_t>(kRounds));
}

// --- Scan ------------------------------------------------------------------

struct Expected {
  std::string source;
  int64_t seconds;
  std::string id;
};

class ScanTest : public ArticleDbTest {
 protected:
  void SetUp() override {
    ArticleDbTest::SetUp();
    // Three sources, two of which are prefixes of the third's name; many
    // equal times; 300 articles in all, put in a shuffled order.
    const std::vector<std::string> sources = {"a.com", "a.com.au", "b.org"};
    std::mt19937 random(7);
    std::vector<v1::Article> articles;
    for (int i = 0; i < 300; ++i) {
      const std::string& source = sources[i % sources.size()];
      const int64_t seconds = kJan2023 + 60 * static_cast<int64_t>(random() % 50);
      articles.push_back(MakeArticle(source, "T", absl::StrCat("Body ", i), seconds));
      all_.push_back({source, seconds, articles.back().id()});
    }
    std::shuffle(articles.begin(), articles.end(), random);
    for (size_t i = 0; i < articles.size(); i += 25) {
      google::protobuf::RepeatedPtrField<v1::PutItem> items;
      for (size_t j = i; j < std::min(articles.size(), i + 25); ++j) {
        *items.Add()->mutable_article() = articles[j];
      }
      ASSERT_TRUE(db_->Put(items).ok());
    }
  }

  // What a scan must return, in order.
  std::vector<std::string> ExpectedIds(const std::string& source,
                                       std::optional<int64_t> start,
                                       std::optional<int64_t> end,
                                       bool oldest_first) {
    std::vector<Expected> picked;
    for (const Expected& e : all_) {
      if (!source.empty() && e.source != source) continue;
      if (start.has_value() && e.seconds < *start) continue;
      if (end.has_value() && e.seconds >= *end) continue;
      picked.push_back(e);
    }
    std::sort(picked.begin(), picked.end(), [](const Expected& x, const Expected& y) {
      return std::tie(x.seconds, x.id) < std::tie(y.seconds, y.id);
    });
    if (!oldest_first) std::reverse(picked.begin(), picked.end());
    std::vector<std::string> ids;
    for (const Expected& e : picked) ids.push_back(e.id);
    return ids;
  }

  // Follows page tokens to the end.
  std::vector<std::string> ScanAll(v1::ScanRequest request) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 1000; ++pages) {
      v1::ScanResponse response;
      absl::Status status = db_->Scan(request, &response);
      EXPECT_TRUE(status.ok()) << status;
      if (!status.ok()) break;
      EXPECT_LE(response.articles_size(), request.page_size());
      for (const v1::Article& article : response.articles()) ids.push_back(article.id());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return ids;
  }

  std::vector<Expected> all_;
};

TEST_F(ScanTest, EveryArticleExactlyOnceInOrderForAnyPageSize) {
  for (const std::string source : {"", "a.com", "a.com.au", "b.org"}) {
    for (bool oldest_first : {false, true}) {
      for (int page_size : {1, 7, 100, 1000}) {
        v1::ScanRequest request;
        request.set_source(source);
        request.set_oldest_first(oldest_first);
        request.set_page_size(page_size);
        EXPECT_EQ(ScanAll(request), ExpectedIds(source, {}, {}, oldest_first))
            << "source=" << source << " oldest_first=" << oldest_first
            << " page_size=" << page_size;
      }
    }
  }
}

TEST_F(ScanTest, RangesAreHalfOpen) {
  const int64_t start = kJan2023 + 60 * 10;
  const int64_t end = kJan2023 + 60 * 20;
  for (const std::string source : {"", "a.com"}) {
    for (bool oldest_first : {false, true}) {
      v1::ScanRequest request;
      request.set_source(source);
      request.set_oldest_first(oldest_first);
      request.set_page_size(9);
      request.mutable_start_time()->set_seconds(start);
      request.mutable_end_time()->set_seconds(end);
      std::vector<std::string> ids = ScanAll(request);
      EXPECT_EQ(ids, ExpectedIds(source, start, end, oldest_first));
      EXPECT_FALSE(ids.empty());
    }
  }
  // Only a start, only an end.
  v1::ScanRequest from;
  from.set_page_size(50);
  from.mutable_start_time()->set_seconds(start);
  EXPECT_EQ(ScanAll(from), ExpectedIds("", start, {}, false));
  v1::ScanRequest until;
  until.set_page_size(50);
  until.set_oldest_first(true);
  until.mutable_end_time()->set_seconds(end);
  EXPECT_EQ(ScanAll(until), ExpectedIds("", {}, end, true));
  // An empty range.
  v1::ScanRequest empty;
  empty.mutable_start_time()->set_seconds(start);
  empty.mutable_end_time()->set_seconds(start);
  EXPECT_TRUE(ScanAll(empty).empty());
}

TEST_F(ScanTest, PagesAreStableWhileArticlesAreAdded) {
  v1::ScanRequest request;
  request.set_source("a.com");
  request.set_page_size(10);
  v1::ScanResponse first;
  ASSERT_TRUE(db_->Scan(request, &first).ok());
  std::vector<std::string> ids;
  for (const auto& a : first.articles()) ids.push_back(a.id());
  // A newer article (before the cursor, newest first) and an older one.
  PutOne(MakeArticle("a.com", "New", "Newest body", kJan2023 + 86400));
  v1::Article old = MakeArticle("a.com", "Old", "Oldest body", kJan2023 - 86400);
  PutOne(old);
  request.set_page_token(first.next_page_token());
  for (const std::string& id : ScanAll(request)) ids.push_back(id);
  std::vector<std::string> expected = ExpectedIds("a.com", {}, {}, false);
  expected.push_back(old.id());
  EXPECT_EQ(ids, expected);
}

TEST_F(ScanTest, MalformedRequestsAreInvalidArgument) {
  v1::ScanRequest request;
  request.set_page_token("\xff\x01garbage");
  v1::ScanResponse response;
  absl::Status status = db_->Scan(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("page_token"), std::string::npos);

  v1::ScanRequest backwards;
  backwards.mutable_start_time()->set_seconds(kJan2023 + 10);
  backwards.mutable_end_time()->set_seconds(kJan2023);
  status = db_->Scan(backwards, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("start_time"), std::string::npos);

  v1::ScanRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(db_->Scan(negative, &response).code(),
            absl::StatusCode::kInvalidArgument);
}

// What ARTICLE_VIEW_BASIC must show of `article`: all but the text and the
// sightings.
v1::Article Head(v1::Article article) {
  article.clear_body();
  article.clear_captions();
  article.clear_sightings();
  return article;
}

TEST_F(ScanTest, BasicViewListsTheSameArticlesWithoutTheirText) {
  for (const std::string source : {"", "a.com", "b.org"}) {
    for (bool oldest_first : {false, true}) {
      v1::ScanRequest full;
      full.set_source(source);
      full.set_oldest_first(oldest_first);
      full.set_page_size(7);
      v1::ScanRequest basic = full;
      basic.set_view(v1::ARTICLE_VIEW_BASIC);
      EXPECT_EQ(ScanAll(basic), ExpectedIds(source, {}, {}, oldest_first))
          << "source=" << source << " oldest_first=" << oldest_first;

      // Page by page the same articles, and a token of either view serves
      // the other.
      v1::ScanResponse full_page, basic_page;
      ASSERT_TRUE(db_->Scan(full, &full_page).ok());
      ASSERT_TRUE(db_->Scan(basic, &basic_page).ok());
      ASSERT_EQ(basic_page.articles_size(), full_page.articles_size());
      for (int i = 0; i < full_page.articles_size(); ++i) {
        EXPECT_FALSE(full_page.articles(i).body().empty());
        EXPECT_EQ(basic_page.articles(i).SerializeAsString(),
                  Head(full_page.articles(i)).SerializeAsString());
      }
      EXPECT_EQ(basic_page.next_page_token(), full_page.next_page_token());
      full.set_page_token(basic_page.next_page_token());
      v1::ScanResponse second;
      ASSERT_TRUE(db_->Scan(full, &second).ok());
      ASSERT_GT(second.articles_size(), 0);
      EXPECT_EQ(second.articles(0).id(),
                ExpectedIds(source, {}, {}, oldest_first)[7]);
    }
  }
}

TEST_F(ArticleDbTest, BasicViewKeepsEveryHeadlineFieldAndNoSightings) {
  v1::Article article = MakeArticle("a.com", "Eclipse over the bay", "The sun went dark.",
                                    kJan2023);
  article.set_url("https://a.com/eclipse");
  article.add_authors("R. Writer");
  article.add_captions("The moon's shadow");
  article.set_language("en");
  article.mutable_crawled_at()->set_seconds(kJan2023 + 60);
  article.set_near_duplicate_of(std::string(32, 'c'));
  PutOne(article);
  v1::Article copy = article;
  copy.set_source("b.org");
  copy.set_url("https://b.org/eclipse");
  PutOne(copy);  // a sighting, which rewrites the article but not its head

  for (const std::string source : {"", "a.com"}) {
    v1::ScanRequest request;
    request.set_source(source);
    request.set_view(v1::ARTICLE_VIEW_BASIC);
    v1::ScanResponse response;
    ASSERT_TRUE(db_->Scan(request, &response).ok());
    ASSERT_EQ(response.articles_size(), 1);
    const v1::Article& head = response.articles(0);
    EXPECT_EQ(head.SerializeAsString(), Head(article).SerializeAsString());
    EXPECT_EQ(head.title(), "Eclipse over the bay");
    EXPECT_EQ(head.authors(0), "R. Writer");
    EXPECT_EQ(head.sightings_size(), 0);
    EXPECT_TRUE(head.body().empty());
  }
  EXPECT_EQ(db_->Get(article.id())->sightings_size(), 1);
}

TEST_F(ArticleDbTest, APageCutByItsByteBudgetResumesAtTheFirstArticleLeftOut) {
  // Five articles of 1.1 MB: a page stops at 4 MiB, after four, though the
  // store read the fifth's entry with them.
  options_.max_article_bytes = size_t{2} << 20;
  Reopen();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    std::string body = "long";
    while (body.size() < 1'100'000) absl::StrAppend(&body, " text number ", i);
    const v1::Article article =
        MakeArticle(i % 2 == 0 ? "a.com" : "b.org", "Big", body, kJan2023 + i);
    PutOne(article);
    ids.push_back(article.id());
  }
  std::reverse(ids.begin(), ids.end());  // newest first
  for (const v1::ArticleView view : {v1::ARTICLE_VIEW_FULL, v1::ARTICLE_VIEW_BASIC}) {
    v1::ScanRequest request;
    request.set_page_size(50);
    request.set_view(view);
    v1::ScanResponse first;
    ASSERT_TRUE(db_->Scan(request, &first).ok());
    std::vector<std::string> listed;
    for (const v1::Article& article : first.articles()) listed.push_back(article.id());
    if (view == v1::ARTICLE_VIEW_FULL) {
      EXPECT_EQ(first.articles_size(), 4);
      ASSERT_FALSE(first.next_page_token().empty());
    }
    if (!first.next_page_token().empty()) {
      request.set_page_token(first.next_page_token());
      v1::ScanResponse second;
      ASSERT_TRUE(db_->Scan(request, &second).ok());
      for (const v1::Article& article : second.articles()) listed.push_back(article.id());
      EXPECT_TRUE(second.next_page_token().empty());
    }
    EXPECT_EQ(listed, ids) << "view " << view;
  }
}

TEST_F(ScanTest, AViewItDoesNotKnowIsInvalidArgument) {
  v1::ScanRequest request;
  request.set_view(static_cast<v1::ArticleView>(7));
  v1::ScanResponse response;
  const absl::Status status = db_->Scan(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("view"), std::string::npos) << status;
  EXPECT_EQ(response.articles_size(), 0);
}

TEST_F(ArticleDbTest, ADatabaseFromBeforeHeadsGetsThemOnOpen) {
  const std::vector<v1::Article> articles = PutThreeAndClose();
  // Layout version 2: no heads. One article has rotted meanwhile.
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    rocksdb::DB* db = (*raw)->db();
    ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(), (*raw)->family("article_heads"),
                                "", std::string(64, '\xff'))
                    .ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "format", "2").ok());
    v1::Article rotten = articles[1];
    rotten.set_body("Altered");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), (*raw)->family("articles"),
                        ArticleKey("a.com", {rotten.published_at(), rotten.id()}),
                        rotten.SerializeAsString())
                    .ok());
  }

  Reopen();
  v1::ScanRequest request;
  request.set_source("a.com");
  request.set_oldest_first(true);
  request.set_view(v1::ARTICLE_VIEW_BASIC);
  v1::ScanResponse response;
  ASSERT_TRUE(db_->Scan(request, &response).ok());
  // The rotten one gets no head, and Verify tells of it.
  ASSERT_EQ(response.articles_size(), 2);
  EXPECT_EQ(response.articles(0).title(), "Title 0");
  EXPECT_EQ(response.articles(1).title(), "Title 2");
  v1::VerifyResponse verified;
  ASSERT_TRUE(db_->Verify(v1::VerifyRequest(), &verified).ok());
  EXPECT_EQ(verified.checked(), 3u);
  ASSERT_EQ(verified.damaged_size(), 1);
  EXPECT_EQ(verified.damaged(0).id(), articles[1].id());

  // Written once: the layout is version 3 now, and new articles get heads.
  const v1::Article later = MakeArticle("a.com", "Later", "New body", kJan2023 + 9);
  PutOne(later);
  Reopen();
  response.Clear();
  ASSERT_TRUE(db_->Scan(request, &response).ok());
  ASSERT_EQ(response.articles_size(), 3);
  EXPECT_EQ(response.articles(2).title(), "Later");
  ASSERT_TRUE(db_->Flush().ok());
  db_.reset();
  auto raw = RawDatabase::Open(path_, /*read_only=*/true);
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::string format;
  ASSERT_TRUE((*raw)->db()->Get(rocksdb::ReadOptions(), "format", &format).ok());
  EXPECT_EQ(format, "3");
}

TEST_F(ArticleDbTest, VerifyFindsAHeadThatIsMissingOrDoesNotMatch) {
  const std::vector<v1::Article> articles = PutThreeAndClose();
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    rocksdb::DB* db = (*raw)->db();
    rocksdb::ColumnFamilyHandle* heads = (*raw)->family("article_heads");
    auto key = [](const v1::Article& a) {
      return ArticleKey(a.source(), {a.published_at(), a.id()});
    };
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), heads, key(articles[0])).ok());
    v1::Article wrong = Head(articles[2]);
    wrong.set_title("Another title");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), heads, key(articles[2]),
                        wrong.SerializeAsString())
                    .ok());
  }
  Reopen();
  v1::VerifyResponse verified;
  ASSERT_TRUE(db_->Verify(v1::VerifyRequest(), &verified).ok());
  ASSERT_EQ(verified.damaged_size(), 2);
  EXPECT_EQ(verified.damaged(0).id(), articles[0].id());
  EXPECT_EQ(verified.damaged(1).id(), articles[2].id());
  for (const v1::DamagedArticle& damage : verified.damaged()) {
    EXPECT_NE(damage.problem().find("head"), std::string::npos) << damage.problem();
  }

  // A list of every source finds its entry pointing at no head: DATA_LOSS.
  v1::ScanRequest request;
  request.set_view(v1::ARTICLE_VIEW_BASIC);
  v1::ScanResponse response;
  EXPECT_EQ(db_->Scan(request, &response).code(), absl::StatusCode::kDataLoss);
}

// --- FindSimilar -----------------------------------------------------------

std::string Words(int seed, int count) {
  static const char* const kVocabulary[] = {
      "minister", "talks",  "security", "alliance", "economy", "vote",
      "market",   "summit", "defense",  "trade",    "border",  "island",
      "capital",  "report", "official", "policy",   "energy",  "court",
      "election", "rally",  "budget",   "missile",  "treaty",  "harbor"};
  std::mt19937 random(seed);
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += ' ';
    text += kVocabulary[random() % 24];
    text += std::to_string(random() % 50);
  }
  return text;
}

v1::PutItem SignedItem(const v1::Article& article) {
  v1::PutItem item;
  *item.mutable_article() = article;
  for (uint32_t value : MinHashSignature(Tokenize(article.body()))) {
    item.add_minhash(value);
  }
  return item;
}

v1::FindSimilarRequest QueryFor(const std::string& text) {
  v1::FindSimilarRequest request;
  request.set_min_resemblance(0.8);
  v1::SimilarityQuery* query = request.add_queries();
  for (uint32_t value : MinHashSignature(Tokenize(text))) {
    query->add_minhash(value);
  }
  return request;
}

TEST_F(ArticleDbTest, FindSimilarFindsNearDuplicatesOnly) {
  const std::string story = Words(1, 400);
  v1::Article stored = MakeArticle("wire.com", "Story", story, kJan2023);
  v1::Article other = MakeArticle("wire.com", "Other", Words(2, 400), kJan2023);
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add() = SignedItem(stored);
  *items.Add() = SignedItem(other);
  ASSERT_TRUE(db_->Put(items).ok());

  // The wire story again with a dateline and a credit line.
  v1::FindSimilarRequest near =
      QueryFor("LONDON (Reuters) " + story + " Reporting by A. Writer");
  *near.add_queries() = QueryFor(Words(3, 400)).queries(0);  // unrelated
  v1::FindSimilarResponse response;
  ASSERT_TRUE(db_->FindSimilar(near, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  ASSERT_EQ(response.results(0).articles_size(), 1);
  EXPECT_EQ(response.results(0).articles(0).id(), stored.id());
  EXPECT_GE(response.results(0).articles(0).resemblance(), 0.8);
  EXPECT_EQ(response.results(0).articles(0).published_at().seconds(), kJan2023);
  EXPECT_EQ(response.results(1).articles_size(), 0);
}

TEST_F(ArticleDbTest, FindSimilarSurvivesReopenAndRejectsMalformedQueries) {
  v1::Article stored = MakeArticle("wire.com", "Story", Words(5, 300), kJan2023);
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add() = SignedItem(stored);
  ASSERT_TRUE(db_->Put(items).ok());
  Reopen();
  v1::FindSimilarResponse response;
  ASSERT_TRUE(db_->FindSimilar(QueryFor(stored.body()), &response).ok());
  ASSERT_EQ(response.results(0).articles_size(), 1);
  EXPECT_EQ(response.results(0).articles(0).resemblance(), 1.0);

  v1::FindSimilarRequest bad;
  bad.add_queries()->add_minhash(1);
  absl::Status status = db_->FindSimilar(bad, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("queries[0].minhash"), std::string::npos);
}

TEST_F(ArticleDbTest, FindSimilarSaysWhetherItHoldsEachId) {
  v1::Article stored = MakeArticle("wire.com", "Story", Words(6, 300), kJan2023);
  v1::Article absent = MakeArticle("wire.com", "Other", Words(7, 300), kJan2023);
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add() = SignedItem(stored);
  ASSERT_TRUE(db_->Put(items).ok());

  // With a signature, and without one: only whether the id is held.
  v1::FindSimilarRequest request = QueryFor(stored.body());
  request.mutable_queries(0)->set_id(stored.id());
  request.add_queries()->set_id(absent.id());
  v1::FindSimilarResponse response;
  ASSERT_TRUE(db_->FindSimilar(request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_TRUE(response.results(0).holds_id());
  EXPECT_EQ(response.results(0).articles_size(), 1);
  EXPECT_FALSE(response.results(1).holds_id());
  EXPECT_EQ(response.results(1).articles_size(), 0);

  v1::FindSimilarRequest bad;
  bad.add_queries()->set_id("not-an-id");
  absl::Status status = db_->FindSimilar(bad, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("queries[0].id"), std::string::npos);
}

TEST_F(ArticleDbTest, PutRejectsASignatureOfTheWrongLength) {
  v1::PutItem item = SignedItem(MakeArticle("a.com", "T", "B", kJan2023));
  item.mutable_minhash()->Truncate(100);
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add() = item;
  auto results = db_->Put(items);
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(results.status().message().find("items[0].minhash"), std::string::npos);
  EXPECT_EQ(ArticleCount(), 0u);
}

// --- Copies and deletes (rebalance) ---------------------------------------------

// The ids a search for `word` finds.
std::vector<std::string> SearchIds(ArticleDb& db, const std::string& word) {
  v1::SearchRequest request;
  request.add_terms(word);
  v1::SearchResponse response;
  EXPECT_TRUE(db.Search(request, &response).ok());
  std::vector<std::string> ids;
  for (const v1::StoreHit& hit : response.hits()) ids.push_back(hit.article().id());
  return ids;
}

// The document frequency of `term` as this store's Stats report it.
uint64_t DocumentFrequency(ArticleDb& db, const std::string& term) {
  v1::StatsRequest request;
  request.add_terms(term);
  request.set_term_statistics_only(true);
  v1::StatsResponse stats;
  EXPECT_TRUE(db.Stats(request, &stats).ok());
  return stats.term_statistics().document_frequency().at(term);
}

class DeleteTest : public ArticleDbTest,
                   public ::testing::WithParamInterface<bool> {};

// With the postings written out before the delete, and still in memory.
INSTANTIATE_TEST_SUITE_P(PostingsWrittenOrNot, DeleteTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Written" : "InMemory";
                         });

TEST_P(DeleteTest, DeleteRemovesTheArticleFromEveryIndex) {
  v1::Article gone = MakeArticle("wire.com", "Gone", Words(11, 300) + " zebra", kJan2023);
  v1::Article kept = MakeArticle("wire.com", "Kept", Words(12, 300) + " zebra", kJan2023 + 1);
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add() = SignedItem(gone);
  *items.Add() = SignedItem(kept);
  ASSERT_TRUE(db_->Put(items).ok());
  ASSERT_EQ(SearchIds(*db_, "zebra").size(), 2u);
  if (GetParam()) ASSERT_TRUE(db_->Flush().ok());
  ASSERT_EQ(DocumentFrequency(*db_, "zebra"), 2u);

  google::protobuf::RepeatedPtrField<std::string> ids;
  *ids.Add() = gone.id();
  *ids.Add() = gone.id();  // once is enough
  *ids.Add() = MakeArticle("x.com", "Never", "stored", kJan2023).id();
  absl::StatusOr<uint32_t> deleted = db_->Delete(ids);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1u);

  for (int reopened = 0; reopened < 2; ++reopened) {
    EXPECT_EQ(db_->Get(gone.id()).status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(SearchIds(*db_, "zebra"), std::vector<std::string>{kept.id()});
    v1::ScanRequest scan;
    for (v1::ArticleView view : {v1::ARTICLE_VIEW_FULL, v1::ARTICLE_VIEW_BASIC}) {
      for (const std::string& source : {std::string(), std::string("wire.com")}) {
        scan.set_view(view);
        scan.set_source(source);
        v1::ScanResponse listed;
        ASSERT_TRUE(db_->Scan(scan, &listed).ok());
        ASSERT_EQ(listed.articles_size(), 1);
        EXPECT_EQ(listed.articles(0).id(), kept.id());
      }
    }
    v1::FindSimilarRequest similar = QueryFor(gone.body());
    similar.mutable_queries(0)->set_id(gone.id());
    v1::FindSimilarResponse found;
    ASSERT_TRUE(db_->FindSimilar(similar, &found).ok());
    EXPECT_FALSE(found.results(0).holds_id());
    EXPECT_EQ(found.results(0).articles_size(), 0);
    v1::StatsResponse stats;
    ASSERT_TRUE(db_->Stats(v1::StatsRequest(), &stats).ok());
    EXPECT_EQ(stats.article_count(), 1u);
    ASSERT_EQ(stats.sources_size(), 1);
    EXPECT_EQ(stats.sources(0).article_count(), 1u);
    EXPECT_EQ(stats.term_statistics().document_count(), 1u);
    EXPECT_EQ(DocumentFrequency(*db_, "zebra"), 1u) << "reopened " << reopened;
    v1::VerifyResponse verified;
    ASSERT_TRUE(db_->Verify(v1::VerifyRequest(), &verified).ok());
    EXPECT_EQ(verified.checked(), 1u);
    EXPECT_EQ(verified.damaged_size(), 0);
    Reopen();
  }

  // Stored again, it is new again, and found.
  EXPECT_EQ(PutOne(gone).outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ(SearchIds(*db_, "zebra").size(), 2u);
  EXPECT_EQ(DocumentFrequency(*db_, "zebra"), 2u);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(DocumentFrequency(*db_, "zebra"), 2u);
}

TEST_F(ArticleDbTest, ASourceWhoseLastArticleIsDeletedIsNoLongerListed) {
  const v1::Article only = MakeArticle("gone.com", "Only", "The only article", kJan2023);
  const v1::Article other = MakeArticle("kept.com", "Other", "Another one", kJan2023);
  PutOne(only);
  PutOne(other);
  google::protobuf::RepeatedPtrField<std::string> ids;
  *ids.Add() = only.id();
  ASSERT_TRUE(db_->Delete(ids).ok());
  v1::StatsResponse stats;
  ASSERT_TRUE(db_->Stats(v1::StatsRequest(), &stats).ok());
  ASSERT_EQ(stats.sources_size(), 1);
  EXPECT_EQ(stats.sources(0).source(), "kept.com");
  EXPECT_EQ(stats.article_count(), 1u);
}

TEST_F(ArticleDbTest, DeleteOfAMalformedIdRemovesNothing) {
  v1::Article stored = MakeArticle("a.com", "T", "B", kJan2023);
  PutOne(stored);
  google::protobuf::RepeatedPtrField<std::string> ids;
  *ids.Add() = stored.id();
  *ids.Add() = "not-an-id";
  absl::StatusOr<uint32_t> deleted = db_->Delete(ids);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(deleted.status().message().find("ids[1]"), std::string::npos);
  EXPECT_TRUE(db_->Get(stored.id()).ok());
}

TEST_F(ArticleDbTest, ACopyKeepsItsSightingsAndMergesThemIntoAStoredOne) {
  v1::Article article = MakeArticle("a.com", "T", "Body of the story", kJan2023);
  v1::Sighting* first = article.add_sightings();
  first->set_source("b.com");
  first->set_url("https://b.com/1");
  first->mutable_crawled_at()->set_seconds(kJan2023 + 7200);

  // Without `copy`, an arrival's sightings are not kept.
  v1::PutItem plain;
  *plain.mutable_article() = article;
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add() = plain;
  ASSERT_TRUE(db_->Put(items).ok());
  EXPECT_EQ(db_->Get(article.id())->sightings_size(), 0);

  // A copy merges in what it has and this store lacks, once.
  v1::PutItem copy = plain;
  copy.set_copy(true);
  v1::Sighting* second = copy.mutable_article()->add_sightings();
  second->set_source("c.com");
  second->set_url("https://c.com/1");
  second->mutable_crawled_at()->set_seconds(kJan2023 + 9000);
  items.Clear();
  *items.Add() = copy;
  *items.Add() = copy;
  auto results = db_->Put(items);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].outcome(), v1::OUTCOME_DUPLICATE);
  absl::StatusOr<v1::Article> merged = db_->Get(article.id());
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->sightings_size(), 2);
  EXPECT_EQ(merged->sightings(0).source(), "b.com");
  EXPECT_EQ(merged->sightings(1).source(), "c.com");

  // New on a store, a copy is stored with its sightings.
  google::protobuf::RepeatedPtrField<std::string> ids;
  *ids.Add() = article.id();
  ASSERT_TRUE(db_->Delete(ids).ok());
  items.Clear();
  *items.Add() = copy;
  results = db_->Put(items);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ(db_->Get(article.id())->sightings_size(), 2);
}

// --- Stats -----------------------------------------------------------------

TEST_F(ArticleDbTest, StatsSummarizesEachSource) {
  PutOne(MakeArticle("a.com", "T", "12345", kJan2023));
  PutOne(MakeArticle("a.com", "T", "1234567890", kJan2023 + 100));
  PutOne(MakeArticle("b.org", "TT", "x", kJan2023 - 100));
  v1::StatsResponse stats;
  ASSERT_TRUE(db_->Stats(v1::StatsRequest(), &stats).ok());
  EXPECT_EQ(stats.article_count(), 3u);
  EXPECT_EQ(stats.total_bytes(), 6u + 11u + 3u);
  ASSERT_EQ(stats.sources_size(), 2);
  EXPECT_EQ(stats.sources(0).source(), "a.com");
  EXPECT_EQ(stats.sources(0).article_count(), 2u);
  EXPECT_EQ(stats.sources(0).oldest().seconds(), kJan2023);
  EXPECT_EQ(stats.sources(0).newest().seconds(), kJan2023 + 100);
  EXPECT_EQ(stats.sources(1).source(), "b.org");
  EXPECT_EQ(stats.sources(1).article_count(), 1u);
}

// --- Bad input -------------------------------------------------------------

struct BadArticleCase {
  std::string name;
  std::function<void(v1::Article*)> damage;
  std::string field;
};

class BadInputTest : public ArticleDbTest,
                     public ::testing::WithParamInterface<BadArticleCase> {};

TEST_P(BadInputTest, IsInvalidArgumentNamingTheFieldAndWritesNothing) {
  v1::Article good = MakeArticle("good.com", "Good", "Good body", kJan2023);
  v1::Article bad = MakeArticle("bad.com", "Bad", "Bad body", kJan2023);
  GetParam().damage(&bad);
  auto results = db_->Put(Items({good, bad}));
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(results.status().message().find("items[1].article." + GetParam().field),
            std::string::npos)
      << results.status();
  EXPECT_EQ(db_->Get(good.id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ArticleCount(), 0u);
}

int64_t Now() { return absl::ToUnixSeconds(absl::Now()); }

INSTANTIATE_TEST_SUITE_P(
    EachRule, BadInputTest,
    ::testing::Values(
        BadArticleCase{"EmptySource", [](v1::Article* a) { a->set_source(""); },
                       "source"},
        BadArticleCase{"SourceNotAHost",
                       [](v1::Article* a) { a->set_source("Bad Source"); },
                       "source"},
        BadArticleCase{"SourceWithNul",
                       [](v1::Article* a) { a->set_source(std::string("a\0b.com", 7)); },
                       "source"},
        BadArticleCase{"EmptyBody",
                       [](v1::Article* a) { a->set_body(""); Refingerprint(a); },
                       "body"},
        BadArticleCase{"TitleOnTwoLines",
                       [](v1::Article* a) { a->set_title("a\nb"); Refingerprint(a); },
                       "title"},
        BadArticleCase{"DigestOfOtherText",
                       [](v1::Article* a) { a->set_body("changed after hashing"); },
                       "content_digest"},
        BadArticleCase{"MalformedDigest",
                       [](v1::Article* a) { a->set_content_digest("abc"); },
                       "content_digest"},
        BadArticleCase{"IdNotFromDigest",
                       [](v1::Article* a) {
                         a->set_id("0123456789abcdef0123456789abcdef");
                       },
                       "id"},
        BadArticleCase{"NoPublicationTime",
                       [](v1::Article* a) { a->clear_published_at(); },
                       "published_at"},
        BadArticleCase{"PublishedBefore1990",
                       [](v1::Article* a) {
                         a->mutable_published_at()->set_seconds(631151999);
                       },
                       "published_at"},
        BadArticleCase{"PublishedAfterTomorrow",
                       [](v1::Article* a) {
                         a->mutable_published_at()->set_seconds(Now() + 2 * 86400);
                       },
                       "published_at"},
        BadArticleCase{"CrawledAfterTomorrow",
                       [](v1::Article* a) {
                         a->mutable_crawled_at()->set_seconds(Now() + 2 * 86400);
                       },
                       "crawled_at"},
        BadArticleCase{"NanosOutOfRange",
                       [](v1::Article* a) {
                         a->mutable_published_at()->set_nanos(-1);
                       },
                       "published_at"},
        BadArticleCase{"MalformedNearDuplicateOf",
                       [](v1::Article* a) { a->set_near_duplicate_of("nope"); },
                       "near_duplicate_of"},
        // What ingest would never send, sent straight to the store.
        BadArticleCase{"NearDuplicateOfItself",
                       [](v1::Article* a) { a->set_near_duplicate_of(a->id()); },
                       "near_duplicate_of"},
        BadArticleCase{"JavascriptUrl",
                       [](v1::Article* a) { a->set_url("javascript:alert(1)"); },
                       "url"},
        BadArticleCase{"UrlNotCanonical",
                       [](v1::Article* a) {
                         a->set_url("HTTPS://Bad.com/a?utm_source=x#top");
                       },
                       "url"},
        BadArticleCase{"TitleWithEscapeAndNul",
                       [](v1::Article* a) {
                         a->set_title(std::string("\x1b[2JBad\0 \xe2\x80\xae", 12));
                         Refingerprint(a);
                       },
                       "title"},
        BadArticleCase{"BodyNotNormalized",
                       [](v1::Article* a) {
                         a->set_body("Bad\r\nbody  ");
                         Refingerprint(a);
                       },
                       "body"},
        BadArticleCase{"BodyOverTheLimit",
                       [](v1::Article* a) {
                         a->set_body(std::string(1'900'000, 'x'));
                         Refingerprint(a);
                       },
                       "body"},
        BadArticleCase{"ScriptAsLanguage",
                       [](v1::Article* a) { a->set_language("<script>"); },
                       "language"},
        BadArticleCase{"UnknownDateSource",
                       [](v1::Article* a) {
                         a->set_date_source(static_cast<v1::DateSource>(99));
                       },
                       "date_source"},
        BadArticleCase{"EmptyCaption",
                       [](v1::Article* a) { a->add_captions(""); },
                       "captions[0]"},
        BadArticleCase{"AuthorWithControlCharacter",
                       [](v1::Article* a) { a->add_authors("Ann\x07"); },
                       "authors[0]"},
        BadArticleCase{"SightingOfNoHost",
                       [](v1::Article* a) { a->add_sightings()->set_source("x"); },
                       "sightings[0].source"}),
    [](const ::testing::TestParamInfo<BadArticleCase>& info) {
      return info.param.name;
    });

TEST_F(ArticleDbTest, JustBefore1990IsRejectedAndTheFirstSecondIsKept) {
  v1::Article first = MakeArticle("a.com", "T", "B", 631152000);  // 1990-01-01
  EXPECT_EQ(PutOne(first).outcome(), v1::OUTCOME_STORED);
}

TEST_F(ArticleDbTest, GetOfMalformedOrUnknownId) {
  EXPECT_EQ(db_->Get("not-an-id").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Get("0123456789abcdef0123456789abcdef").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ArticleDbOpenTest, UnopenableDirectoryIsAClearError) {
  auto db = ArticleDb::Open("/proc/no/such/dir", ArticleDbOptions());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("/proc/no/such/dir"), std::string::npos);
}

TEST(ArticleDbOpenTest, SecondOpenOfTheSameDirectoryFails) {
  const std::string path = NewTempDir();
  auto first = ArticleDb::Open(path, ArticleDbOptions());
  ASSERT_TRUE(first.ok());
  auto second = ArticleDb::Open(path, ArticleDbOptions());
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace archive::store
