// QuerySearch through ArticleDb::Search: random query trees (terms, phrases,
// prefixes, sources, AND with exclusions, OR) against a brute-force
// evaluation over the same articles' words, over a real RocksDB; scores
// against the conjunctive search's; paging; and refusals.
//
// Every test runs with segments of 7 documents (postings split between
// segments written out, the frozen and the active one) and with everything
// in memory, and again after reopening (everything written out).
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/article_factory.h"
#include "common/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/article_db.h"
#include "store/query_search.h"
#include "store/test_queries.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;
using ::testing::HasSubstr;

class QuerySearchTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/query_search_XXXXXX";
    path_ = mkdtemp(pattern.data());
    Reopen();
  }

  void Reopen() {
    db_.reset();
    ArticleDbOptions options;
    options.segment_documents = GetParam();
    auto db = ArticleDb::Open(path_, options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  // `count` articles of random words, in batches.
  void PutRandomArticles(int count, uint64_t seed) {
    std::mt19937_64 random(seed);
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int i = 0; i < count; ++i) {
      const v1::Article article = RandomArticle(random, i, kJan2023);
      articles_.push_back(WordsOf(article));
      *items.Add()->mutable_article() = article;
      if (items.size() == 10 || i + 1 == count) {
        auto results = db_->Put(items);
        ASSERT_TRUE(results.ok()) << results.status();
        items.Clear();
      }
    }
  }

  v1::SearchRequest Request(const v1::QueryNode& node, int limit) {
    v1::SearchRequest request;
    std::set<std::string> scored;
    ScoredTerms(node, &scored);
    for (const std::string& term : scored) request.add_terms(term);
    *request.mutable_query() = node;
    request.set_limit(limit);
    request.set_count_matches(true);
    return request;
  }

  absl::StatusOr<v1::SearchResponse> Search(const v1::SearchRequest& request) {
    v1::SearchResponse response;
    absl::Status status = db_->Search(request, &response);
    if (!status.ok()) return status;
    return response;
  }

  // Every random query finds exactly what the brute force finds.
  void CheckRandomQueries(uint64_t seed, int queries) {
    QueryGenerator generator(seed);
    int nonempty = 0;
    for (int q = 0; q < queries; ++q) {
      const v1::QueryNode node = generator.Listing(0);
      std::set<std::string> expected;
      for (const Words& words : articles_) {
        if (Evaluate(node, words)) expected.insert(words.id);
      }
      absl::StatusOr<v1::SearchResponse> response = Search(Request(node, 1000));
      ASSERT_TRUE(response.ok()) << response.status() << " for " << Text(node);
      std::set<std::string> found;
      for (const v1::StoreHit& hit : response->hits()) found.insert(hit.article().id());
      ASSERT_EQ(found, expected) << Text(node);
      ASSERT_EQ(response->match_count(), expected.size()) << Text(node);
      ASSERT_FALSE(response->has_more());
      for (int i = 1; i < response->hits_size(); ++i) {
        ASSERT_GE(response->hits(i - 1).score(), response->hits(i).score());
      }
      nonempty += !expected.empty();
    }
    // Not a test of empty answers alone.
    EXPECT_GT(nonempty, queries / 3);
  }

  std::string path_;
  std::unique_ptr<ArticleDb> db_;
  std::vector<Words> articles_;
};

TEST_P(QuerySearchTest, RandomQueriesMatchTheBruteForce) {
  PutRandomArticles(300, 7);
  CheckRandomQueries(1, 300);
  Reopen();
  CheckRandomQueries(2, 300);
}

TEST_P(QuerySearchTest, WordsAloneScoreAsTheConjunctiveSearch) {
  PutRandomArticles(200, 11);
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"alpha"}, {"alpha", "beta"}, {"gamma", "echo", "alpha"}, {"hotel", "alpha"}}) {
    v1::QueryNode node;
    v1::SearchRequest conjunctive;
    for (const std::string& word : words) {
      node.mutable_all()->add_must()->set_term(word);
      conjunctive.add_terms(word);
    }
    conjunctive.set_limit(1000);
    absl::StatusOr<v1::SearchResponse> tree = Search(Request(node, 1000));
    absl::StatusOr<v1::SearchResponse> plain = Search(conjunctive);
    ASSERT_TRUE(tree.ok() && plain.ok());
    ASSERT_EQ(tree->hits_size(), plain->hits_size());
    ASSERT_GT(tree->hits_size(), 0);
    for (int i = 0; i < tree->hits_size(); ++i) {
      EXPECT_EQ(tree->hits(i).article().id(), plain->hits(i).article().id());
      EXPECT_EQ(tree->hits(i).score(), plain->hits(i).score());
    }
  }
}

TEST_P(QuerySearchTest, AnOrScoresTheWordsEachMatchHolds) {
  PutRandomArticles(200, 13);
  v1::QueryNode node;
  node.mutable_any()->add_should()->set_term("beta");
  node.mutable_any()->add_should()->set_term("golf");
  absl::StatusOr<v1::SearchResponse> any = Search(Request(node, 1000));
  ASSERT_TRUE(any.ok());
  // Each hit scores as the conjunctive search of the words it holds, under
  // the same statistics.
  auto score_of = [&](const std::vector<std::string>& terms, const std::string& id) {
    v1::SearchRequest request;
    for (const std::string& term : terms) request.add_terms(term);
    request.set_limit(1000);
    *request.mutable_global() = any->statistics();
    absl::StatusOr<v1::SearchResponse> response = Search(request);
    EXPECT_TRUE(response.ok());
    for (const v1::StoreHit& hit : response->hits()) {
      if (hit.article().id() == id) return hit.score();
    }
    return -1.0;
  };
  int both = 0;
  for (const v1::StoreHit& hit : any->hits()) {
    const auto found = std::find_if(articles_.begin(), articles_.end(), [&](const Words& w) {
      return w.id == hit.article().id();
    });
    ASSERT_NE(found, articles_.end());
    std::vector<std::string> held;
    for (const std::string term : {"beta", "golf"}) {
      if (HasTerm(*found, term)) held.push_back(term);
    }
    both += held.size() == 2;
    EXPECT_DOUBLE_EQ(hit.score(), score_of(held, hit.article().id()));
  }
  EXPECT_GT(both, 0);
}

TEST_P(QuerySearchTest, PagesFollowTheOrderOfOnePage) {
  PutRandomArticles(150, 17);
  v1::QueryNode node;
  node.mutable_any()->add_should()->set_term("alpha");
  node.mutable_any()->add_should()->set_prefix("delta");
  v1::QueryNode* all = node.mutable_any()->add_should();
  all->mutable_all()->add_must()->set_term("echo");
  all->mutable_all()->add_must_not()->set_term("beta");
  absl::StatusOr<v1::SearchResponse> whole = Search(Request(node, 1000));
  ASSERT_TRUE(whole.ok());
  std::vector<std::string> paged;
  v1::SearchRequest request = Request(node, 7);
  for (;;) {
    absl::StatusOr<v1::SearchResponse> page = Search(request);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->match_count(), whole->match_count());
    for (const v1::StoreHit& hit : page->hits()) paged.push_back(hit.article().id());
    if (!page->has_more()) break;
    const v1::StoreHit& last = *page->hits().rbegin();
    request.mutable_after()->set_score(last.score());
    *request.mutable_after()->mutable_published_at() = last.article().published_at();
    request.mutable_after()->set_id(last.article().id());
    *request.mutable_global() = whole->statistics();
  }
  std::vector<std::string> expected;
  for (const v1::StoreHit& hit : whole->hits()) expected.push_back(hit.article().id());
  EXPECT_EQ(paged, expected);
}

TEST_P(QuerySearchTest, MalformedTreesAreRefusedNamingTheNode) {
  PutRandomArticles(20, 19);
  auto error = [&](const std::string& text) {
    v1::QueryNode node;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &node)) << text;
    v1::SearchRequest request;
    *request.mutable_query() = node;
    absl::StatusOr<v1::SearchResponse> response = Search(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << text;
    return std::string(response.status().message());
  };
  EXPECT_THAT(error(""), HasSubstr("query: no kind of node set"));
  EXPECT_THAT(error("source: \"a.com\""), HasSubstr("query: only filters"));
  EXPECT_THAT(error("all { must_not { term: \"alpha\" } }"), HasSubstr("query.all.must: empty"));
  EXPECT_THAT(error("all { must { term: \"alpha\" } must { any { should { term: \"x\" } "
                    "should { source: \"a.com\" } } } }"),
              HasSubstr("query.all.must[1].any.should[1]: a filter beside words"));
  EXPECT_THAT(error("any { should { term: \"\" } }"),
              HasSubstr("query.any.should[0].term"));
  EXPECT_THAT(error("all { must { term: \"a\" } must { source: \"Not A Host\" } }"),
              HasSubstr("query.all.must[1].source"));
  EXPECT_THAT(error("phrase { }"), HasSubstr("query.phrase.terms: empty"));
}

TEST_P(QuerySearchTest, APrefixOfTooManyWordsIsRefused) {
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  std::string body;
  for (size_t i = 0; i <= kMaxPrefixTerms; ++i) body += absl::StrCat("word", i, " ");
  body += "end";
  *items.Add()->mutable_article() = MakeArticle("a.com", "many words", body, kJan2023);
  auto put = db_->Put(items);
  ASSERT_TRUE(put.ok()) << put.status();
  v1::QueryNode node;
  node.set_prefix("word");
  absl::StatusOr<v1::SearchResponse> response = Search(Request(node, 10));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(response.status().message(),
              HasSubstr("query: more than 256 words start with \"word\""));
  node.set_prefix("word25");  // word25, word250...word256
  response = Search(Request(node, 10));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->match_count(), 1u);
}

INSTANTIATE_TEST_SUITE_P(SegmentSizes, QuerySearchTest, ::testing::Values(7, 4096));

}  // namespace
}  // namespace archive::store
