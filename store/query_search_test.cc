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

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;
using ::testing::HasSubstr;

const std::vector<std::string> kWords = {"alpha", "alpine", "beta",  "gamma",
                                         "delta", "deltas", "echo", "foxtrot",
                                         "golf",  "hotel"};
const std::vector<std::string> kPrefixes = {"al", "delta", "g", "zz", "e"};
const std::vector<std::string> kSources = {"a.com", "b.com", "c.com"};

// What the brute force reads of an article.
struct Words {
  std::string id;
  std::string source;
  std::vector<std::string> title;
  std::vector<std::string> body;
};

bool HasTerm(const Words& words, const std::string& term) {
  return std::count(words.title.begin(), words.title.end(), term) +
             std::count(words.body.begin(), words.body.end(), term) >
         0;
}

bool HasPhrase(const std::vector<std::string>& text, const v1::Phrase& phrase) {
  const size_t n = phrase.terms_size();
  for (size_t start = 0; start + n <= text.size(); ++start) {
    bool all = true;
    for (size_t j = 0; j < n && all; ++j) all = text[start + j] == phrase.terms(j);
    if (all) return true;
  }
  return false;
}

bool Evaluate(const v1::QueryNode& node, const Words& words) {
  switch (node.kind_case()) {
    case v1::QueryNode::kTerm:
      return HasTerm(words, node.term());
    case v1::QueryNode::kPhrase:
      return HasPhrase(words.title, node.phrase()) || HasPhrase(words.body, node.phrase());
    case v1::QueryNode::kPrefix:
      for (const auto* text : {&words.title, &words.body}) {
        for (const std::string& term : *text) {
          if (absl::StartsWith(term, node.prefix())) return true;
        }
      }
      return false;
    case v1::QueryNode::kSource:
      return words.source == node.source();
    case v1::QueryNode::kAll:
      for (const v1::QueryNode& child : node.all().must()) {
        if (!Evaluate(child, words)) return false;
      }
      for (const v1::QueryNode& child : node.all().must_not()) {
        if (Evaluate(child, words)) return false;
      }
      return true;
    case v1::QueryNode::kAny:
      for (const v1::QueryNode& child : node.any().should()) {
        if (Evaluate(child, words)) return true;
      }
      return false;
    case v1::QueryNode::KIND_NOT_SET:
      break;
  }
  return false;
}

// The scored terms of a tree: its terms and phrases' outside exclusions.
void ScoredTerms(const v1::QueryNode& node, std::set<std::string>* terms) {
  switch (node.kind_case()) {
    case v1::QueryNode::kTerm:
      terms->insert(node.term());
      return;
    case v1::QueryNode::kPhrase:
      terms->insert(node.phrase().terms().begin(), node.phrase().terms().end());
      return;
    case v1::QueryNode::kAll:
      for (const v1::QueryNode& child : node.all().must()) ScoredTerms(child, terms);
      return;
    case v1::QueryNode::kAny:
      for (const v1::QueryNode& child : node.any().should()) ScoredTerms(child, terms);
      return;
    default:
      return;
  }
}

std::string Text(const v1::QueryNode& node) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string out;
  printer.PrintToString(node, &out);
  return out;
}

// Random trees whose every node lists matches (as the query server's
// parser makes them): filters only beside words in an AND.
class QueryGenerator {
 public:
  explicit QueryGenerator(uint64_t seed) : random_(seed) {}

  v1::QueryNode Listing(int depth) {
    v1::QueryNode node;
    const int kind = Pick(depth >= 3 ? 3 : 6);
    switch (kind) {
      case 0:
      case 1:
        node.set_term(Word());
        break;
      case 2: {
        const int length = 2 + Pick(2);
        for (int i = 0; i < length; ++i) node.mutable_phrase()->add_terms(Word());
        break;
      }
      case 3:
        node.set_prefix(kPrefixes[Pick(kPrefixes.size())]);
        break;
      case 4: {
        v1::QueryAll* all = node.mutable_all();
        const int musts = 1 + Pick(2);
        for (int i = 0; i < musts; ++i) *all->add_must() = Listing(depth + 1);
        if (Pick(3) == 0) *all->add_must() = Filter();
        const int nots = Pick(3);
        for (int i = 0; i < nots; ++i) *all->add_must_not() = Listing(depth + 1);
        break;
      }
      default: {
        const int shoulds = 2 + Pick(2);
        for (int i = 0; i < shoulds; ++i) {
          *node.mutable_any()->add_should() = Listing(depth + 1);
        }
        break;
      }
    }
    return node;
  }

 private:
  v1::QueryNode Filter() {
    v1::QueryNode node;
    if (Pick(2) == 0) {
      node.set_source(kSources[Pick(kSources.size())]);
    } else {
      node.mutable_any()->add_should()->set_source(kSources[0]);
      node.mutable_any()->add_should()->set_source(kSources[1 + Pick(2)]);
    }
    return node;
  }
  // Skewed: the first words are common, the last rare.
  std::string Word() {
    const size_t a = Pick(kWords.size()), b = Pick(kWords.size());
    return kWords[std::min(a, b)];
  }
  int Pick(size_t n) { return static_cast<int>(random_() % n); }

  std::mt19937_64 random_;
};

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
    auto word = [&] {
      const size_t a = random() % kWords.size(), b = random() % kWords.size();
      return kWords[std::min(a, b)];
    };
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int i = 0; i < count; ++i) {
      std::string title = word(), body;
      for (size_t w = 1 + random() % 2; w > 0; --w) title += " " + word();
      for (size_t w = 3 + random() % 12; w > 0; --w) body += word() + " ";
      body += absl::StrCat("article", i);  // every body distinct
      const std::string& source = kSources[random() % kSources.size()];
      v1::Article article =
          MakeArticle(source, title, body, kJan2023 + static_cast<int64_t>(random() % 1000));
      articles_.push_back({article.id(), source, Tokenize(title), Tokenize(body)});
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
