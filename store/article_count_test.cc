// ArticleCount through ArticleDb::Count: random query trees, filters,
// intervals and zones against a brute-force count over the same articles,
// over a real RocksDB, in memory and after reopening; ownership splitting
// one store's articles among answering stores exactly; and refusals.
#include <stdlib.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/rendezvous.h"
#include "common/testing/article_factory.h"
#include "common/time_buckets.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/article_db.h"
#include "store/test_queries.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::testing::HasSubstr;

// Articles spread over about 80 days, so that days, weeks and months all
// hold several buckets.
constexpr int64_t kSpread = 80 * 86400;

struct Expected {
  std::map<int64_t, std::pair<uint64_t, uint64_t>> buckets;  // count, total
  std::map<std::string, std::pair<uint64_t, uint64_t>> sources;
  std::map<std::pair<int64_t, std::string>, std::pair<uint64_t, uint64_t>> cells;
};

class ArticleCountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/article_count_XXXXXX";
    path_ = mkdtemp(pattern.data());
    Reopen();
  }

  void Reopen() {
    db_.reset();
    ArticleDbOptions options;
    options.segment_documents = 7;  // postings in segments written, frozen and active
    auto db = ArticleDb::Open(path_, options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  void PutRandomArticles(int count, uint64_t seed) {
    std::mt19937_64 random(seed);
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int i = 0; i < count; ++i) {
      const v1::Article article = RandomArticle(random, i, kJan2023, kSpread);
      articles_.push_back(article);
      *items.Add()->mutable_article() = article;
      if (items.size() == 10 || i + 1 == count) {
        auto results = db_->Put(items);
        ASSERT_TRUE(results.ok()) << results.status();
        items.Clear();
      }
    }
  }

  absl::StatusOr<v1::CountResponse> Count(const v1::CountRequest& request) {
    v1::CountResponse response;
    absl::Status status = db_->Count(request, &response);
    if (!status.ok()) return status;
    return response;
  }

  // The brute force: every article in the filters, bucketed, and matched
  // by Evaluate; `owned` says which articles this store counts.
  Expected BruteForce(const v1::CountRequest& request,
                      const std::function<bool(const v1::Article&)>& owned) {
    absl::StatusOr<TimeBuckets> buckets =
        TimeBuckets::Make(request.interval(), request.time_zone());
    EXPECT_TRUE(buckets.ok());
    Expected expected;
    for (const v1::Article& article : articles_) {
      if (!request.source().empty() && article.source() != request.source()) continue;
      const int64_t seconds = article.published_at().seconds();
      if (request.has_start_time() && seconds < request.start_time().seconds()) continue;
      if (request.has_end_time() && seconds >= request.end_time().seconds()) continue;
      if (!owned(article)) continue;
      const bool matched = !request.has_query() || Evaluate(request.query(), WordsOf(article));
      const int64_t start =
          absl::ToUnixSeconds(buckets->StartOf(absl::FromUnixSeconds(seconds)));
      for (auto* tally : {&expected.buckets[start], &expected.sources[article.source()],
                          &expected.cells[{start, article.source()}]}) {
        tally->first += matched;
        tally->second += 1;
      }
    }
    if (!request.split_by_source()) expected.cells.clear();
    return expected;
  }

  static Expected Found(const v1::CountResponse& response) {
    Expected found;
    for (const v1::CountCell& cell : response.buckets()) {
      found.buckets[cell.start_seconds()] = {cell.count(), cell.total()};
    }
    for (const v1::CountCell& cell : response.source_totals()) {
      found.sources[response.sources(cell.source())] = {cell.count(), cell.total()};
    }
    for (const v1::CountCell& cell : response.source_buckets()) {
      found.cells[{cell.start_seconds(), response.sources(cell.source())}] = {cell.count(),
                                                                             cell.total()};
    }
    return found;
  }

  // Random queries, filters, intervals and zones count what the brute
  // force counts.
  void CheckRandomCounts(uint64_t seed, int counts) {
    QueryGenerator generator(seed);
    std::mt19937_64 random(seed);
    const std::vector<std::string> zones = {"", "America/New_York", "Asia/Kolkata"};
    int matched = 0;
    for (int c = 0; c < counts; ++c) {
      v1::CountRequest request;
      if (random() % 5 != 0) *request.mutable_query() = generator.Listing(0);
      request.set_interval(static_cast<v1::CountInterval>(random() % 5));
      request.set_time_zone(zones[random() % zones.size()]);
      request.set_split_by_source(random() % 2 == 0);
      if (random() % 3 == 0) request.set_source(kQuerySources[random() % kQuerySources.size()]);
      if (random() % 3 == 0) {
        request.mutable_start_time()->set_seconds(kJan2023 + random() % kSpread);
      }
      if (random() % 3 == 0) {
        request.mutable_end_time()->set_seconds(request.start_time().seconds() +
                                                random() % kSpread);
      }
      absl::StatusOr<v1::CountResponse> response = Count(request);
      ASSERT_TRUE(response.ok()) << response.status() << " for " << request.ShortDebugString();
      const Expected expected = BruteForce(request, [](const v1::Article&) { return true; });
      const Expected found = Found(*response);
      ASSERT_EQ(found.buckets, expected.buckets) << request.ShortDebugString();
      ASSERT_EQ(found.sources, expected.sources) << request.ShortDebugString();
      ASSERT_EQ(found.cells, expected.cells) << request.ShortDebugString();
      for (const auto& [source, tally] : expected.sources) matched += tally.first > 0;
    }
    EXPECT_GT(matched, counts / 3);  // not a test of empty counts alone
  }

  std::string path_;
  std::unique_ptr<ArticleDb> db_;
  std::vector<v1::Article> articles_;
};

TEST_F(ArticleCountTest, RandomCountsMatchTheBruteForce) {
  PutRandomArticles(400, 11);
  CheckRandomCounts(1, 200);
  Reopen();
  CheckRandomCounts(2, 200);
}

TEST_F(ArticleCountTest, BucketsAreOldestFirstAndSourcesByName) {
  PutRandomArticles(100, 3);
  v1::CountRequest request;
  request.set_interval(v1::COUNT_INTERVAL_WEEK);
  absl::StatusOr<v1::CountResponse> response = Count(request);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_GT(response->buckets_size(), 5);
  uint64_t total = 0;
  for (int i = 0; i < response->buckets_size(); ++i) {
    if (i > 0) {
      EXPECT_LT(response->buckets(i - 1).start_seconds(), response->buckets(i).start_seconds());
    }
    EXPECT_EQ(response->buckets(i).count(), response->buckets(i).total());  // no query
    total += response->buckets(i).total();
  }
  EXPECT_EQ(total, 100u);
  EXPECT_THAT(response->sources(), ::testing::ElementsAre("a.com", "b.com", "c.com"));
}

// Three stores' ownerships over the same articles (as if each held a copy
// of every one): with any one store not answering, the answering stores'
// counts sum to each article once.
TEST_F(ArticleCountTest, OwnershipCountsEachArticleOnceAmongTheAnsweringStores) {
  PutRandomArticles(300, 5);
  const std::vector<std::string> stores = {"store-0:1", "store-1:1", "store-2:1"};
  v1::CountRequest request;
  request.mutable_query()->set_term("alpha");
  for (const std::vector<uint32_t>& answering :
       std::vector<std::vector<uint32_t>>{{0, 1, 2}, {0, 2}, {1, 2}, {0, 1}}) {
    uint64_t count = 0, total = 0;
    for (const uint32_t self : answering) {
      v1::CountRequest own = request;
      v1::CountOwnership* ownership = own.mutable_ownership();
      for (const std::string& store : stores) ownership->add_stores(store);
      ownership->set_replicas(2);
      ownership->set_self(self);
      for (const uint32_t s : answering) ownership->add_answering(s);
      absl::StatusOr<v1::CountResponse> response = Count(own);
      ASSERT_TRUE(response.ok()) << response.status();
      std::vector<bool> up(stores.size());
      for (const uint32_t s : answering) up[s] = true;
      const AnsweringOwner owner(stores, 2, up);
      const Expected expected = BruteForce(own, [&](const v1::Article& article) {
        return owner.Of(article.id()) == self;
      });
      EXPECT_EQ(Found(*response).buckets, expected.buckets) << self;
      for (const v1::CountCell& cell : response->buckets()) {
        count += cell.count();
        total += cell.total();
      }
    }
    const Expected all = BruteForce(request, [](const v1::Article&) { return true; });
    uint64_t all_count = 0;
    for (const auto& [start, tally] : all.buckets) all_count += tally.first;
    EXPECT_EQ(total, 300u) << answering.size();
    EXPECT_EQ(count, all_count) << answering.size();
  }
}

TEST_F(ArticleCountTest, MalformedRequestsAreRefusedNamingTheField) {
  PutRandomArticles(10, 1);
  auto error = [&](const std::function<void(v1::CountRequest*)>& change) {
    v1::CountRequest request;
    change(&request);
    absl::StatusOr<v1::CountResponse> response = Count(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument)
        << request.ShortDebugString();
    return std::string(response.status().message());
  };
  EXPECT_THAT(error([](v1::CountRequest* r) { r->set_time_zone("Nowhere/Else"); }),
              HasSubstr("time_zone"));
  EXPECT_THAT(error([](v1::CountRequest* r) { r->set_interval(static_cast<v1::CountInterval>(9)); }),
              HasSubstr("interval"));
  EXPECT_THAT(error([](v1::CountRequest* r) { r->set_source("not a host"); }),
              HasSubstr("source"));
  EXPECT_THAT(error([](v1::CountRequest* r) {
                r->mutable_start_time()->set_seconds(10);
                r->mutable_end_time()->set_seconds(5);
              }),
              HasSubstr("start_time: after end_time"));
  EXPECT_THAT(error([](v1::CountRequest* r) { r->mutable_start_time()->set_nanos(-1); }),
              HasSubstr("start_time"));
  EXPECT_THAT(error([](v1::CountRequest* r) { r->mutable_query(); }),
              HasSubstr("query: no kind of node set"));
  EXPECT_THAT(error([](v1::CountRequest* r) { r->mutable_query()->set_source("a.com"); }),
              HasSubstr("query: only filters"));
  EXPECT_THAT(error([](v1::CountRequest* r) { r->mutable_ownership()->set_replicas(1); }),
              HasSubstr("ownership.stores: empty"));
  EXPECT_THAT(error([](v1::CountRequest* r) {
                r->mutable_ownership()->add_stores("a:1");
                r->mutable_ownership()->set_replicas(1);
                r->mutable_ownership()->set_self(0);
                r->mutable_ownership()->add_answering(3);
              }),
              HasSubstr("ownership.answering[0]: 3"));
}

TEST_F(ArticleCountTest, AnEmptyStoreOrAnUnknownSourceCountsNothing) {
  v1::CountRequest request;
  absl::StatusOr<v1::CountResponse> empty = Count(request);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->buckets_size(), 0);
  PutRandomArticles(10, 1);
  request.set_source("unknown.example");
  absl::StatusOr<v1::CountResponse> unknown = Count(request);
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->buckets_size(), 0);
  EXPECT_EQ(unknown->sources_size(), 0);
}

}  // namespace
}  // namespace archive::store
