// ArticleDb's full-text index: Put's postings and term counters, Search, and
// Stats' term statistics, over a real RocksDB in a temporary directory.
//
// Every test runs three times: with the default segment size (everything
// in memory until Close), and with segments of 1 and of 3 documents, so that
// its articles' postings are split between segments written out, the one
// being written and the active one, and a search reads all three.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/article_view.h"
#include "common/snippet.h"
#include "common/testing/article_factory.h"
#include "common/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/article_db.h"
#include "store/posting_codec.h"
#include "store/raw_database.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// A search for the words of `words`, split as the query server splits them.
v1::SearchRequest Words(const std::string& words) {
  v1::SearchRequest request;
  for (const std::string& term : Tokenize(words)) request.add_terms(term);
  return request;
}

void AddPhrase(const std::string& words, v1::SearchRequest* request) {
  v1::Phrase* phrase = request->add_phrases();
  for (const std::string& term : Tokenize(words)) phrase->add_terms(term);
}

std::vector<std::string> Ids(const v1::SearchResponse& response) {
  std::vector<std::string> ids;
  for (const v1::StoreHit& hit : response.hits())
    ids.push_back(hit.article().id());
  return ids;
}

// Makes `request` ask for the page after `last`.
void ContinueAfter(const v1::StoreHit& last, v1::SearchRequest* request) {
  request->mutable_after()->set_score(last.score());
  *request->mutable_after()->mutable_published_at() = last.article().published_at();
  request->mutable_after()->set_id(last.article().id());
}

// BM25 of one term occurring `tf` times in a document of `length` terms.
double ExpectedScore(double n, double total_terms, double df, double tf,
                     double length) {
  const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
  const double average = total_terms / n;
  return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average));
}

class SearchTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/search_XXXXXX";
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

  v1::Article Put(const std::string& source, const std::string& title,
                  const std::string& body, int64_t seconds) {
    v1::Article article = MakeArticle(source, title, body, seconds);
    PutArticle(article);
    return article;
  }

  v1::PutResult PutArticle(const v1::Article& article) {
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    *items.Add()->mutable_article() = article;
    auto results = db_->Put(items);
    EXPECT_TRUE(results.ok()) << results.status();
    return results.ok() ? (*results)[0] : v1::PutResult();
  }

  v1::SearchResponse Search(const v1::SearchRequest& request) {
    v1::SearchResponse response;
    absl::Status status = db_->Search(request, &response);
    EXPECT_TRUE(status.ok()) << status;
    return response;
  }

  std::vector<std::string> SearchIds(const v1::SearchRequest& request) {
    return Ids(Search(request));
  }

  v1::TermStatistics TermStats(const std::vector<std::string>& terms) {
    v1::StatsRequest request;
    for (const std::string& term : terms) request.add_terms(term);
    v1::StatsResponse response;
    absl::Status status = db_->Stats(request, &response);
    EXPECT_TRUE(status.ok()) << status;
    return response.term_statistics();
  }

  std::string path_;
  std::unique_ptr<ArticleDb> db_;
};

// --- Ranking -----------------------------------------------------------------

TEST_P(SearchTest, MoreOccurrencesRankHigher) {
  const v1::Article once =
      Put("a.com", "Report", "The missile flew over the sea today.", kJan2023);
  const v1::Article thrice = Put(
      "a.com", "Report", "Missile after missile: a missile test.", kJan2023);
  Put("a.com", "Report", "Nothing about it here at all.", kJan2023);
  v1::SearchResponse response = Search(Words("missile"));
  EXPECT_THAT(Ids(response), ElementsAre(thrice.id(), once.id()));
  EXPECT_GT(response.hits(0).score(), response.hits(1).score());
  EXPECT_GT(response.hits(1).score(), 0);
  EXPECT_FALSE(response.has_more());
}

TEST_P(SearchTest, ShorterDocumentsRankHigherForTheSameCount) {
  const v1::Article long_one =
      Put("a.com", "Report",
          "The budget was debated for hours by a committee that met in the old "
          "hall of the capital and heard many witnesses speak at length.",
          kJan2023 + 60);
  const v1::Article short_one =
      Put("a.com", "Report", "The budget passed.", kJan2023);
  EXPECT_THAT(SearchIds(Words("budget")),
              ElementsAre(short_one.id(), long_one.id()));
}

TEST_P(SearchTest, EqualScoresRankNewestFirstThenById) {
  // Same length, one occurrence each: equal scores.
  const v1::Article old = Put("a.com", "T", "vote one", kJan2023);
  const v1::Article newer = Put("a.com", "T", "vote two", kJan2023 + 60);
  const v1::Article same_a = Put("b.org", "T", "vote three", kJan2023 + 30);
  const v1::Article same_b = Put("c.net", "T", "vote four", kJan2023 + 30);
  const auto [low, high] = std::minmax(same_a.id(), same_b.id());
  v1::SearchResponse response = Search(Words("vote"));
  EXPECT_THAT(Ids(response), ElementsAre(newer.id(), low, high, old.id()));
  for (const v1::StoreHit& hit : response.hits()) {
    EXPECT_DOUBLE_EQ(hit.score(), response.hits(0).score());
  }
}

TEST_P(SearchTest, ScoresAreBm25OfThisStoreOrOfTheGlobalStatistics) {
  // Lengths 4, 3 and 5 (title included): 12 terms in 3 documents.
  const v1::Article longer =
      Put("a.com", "Report", "alpha beta gamma", kJan2023);
  const v1::Article shorter = Put("a.com", "Report", "beta gamma", kJan2023);
  Put("a.com", "Report", "alpha alpha delta epsilon", kJan2023);

  v1::SearchRequest request = Words("beta");
  v1::SearchResponse local = Search(request);
  ASSERT_EQ(local.hits_size(), 2);
  // It reports the statistics it scored with: its own, as Stats tells them.
  EXPECT_EQ(local.statistics().SerializeAsString(),
            TermStats({"beta"}).SerializeAsString());
  EXPECT_EQ(local.statistics().document_count(), 3u);
  EXPECT_EQ(local.hits(0).article().id(), shorter.id());
  EXPECT_NEAR(local.hits(0).score(), ExpectedScore(3, 12, 2, 1, 3), 1e-12);
  EXPECT_EQ(local.hits(1).article().id(), longer.id());
  EXPECT_NEAR(local.hits(1).score(), ExpectedScore(3, 12, 2, 1, 4), 1e-12);

  v1::TermStatistics* global = request.mutable_global();
  global->set_document_count(1000);
  global->set_total_terms(10'000);
  (*global->mutable_document_frequency())["beta"] = 10;
  v1::SearchResponse ranked_globally = Search(request);
  ASSERT_EQ(ranked_globally.hits_size(), 2);
  EXPECT_EQ(ranked_globally.statistics().SerializeAsString(),
            global->SerializeAsString());
  EXPECT_NEAR(ranked_globally.hits(1).score(),
              ExpectedScore(1000, 10'000, 10, 1, 4), 1e-12);

  // Two terms: the sum of their parts.
  v1::SearchRequest both = Words("alpha beta");
  *both.mutable_global() = *global;
  (*both.mutable_global()->mutable_document_frequency())["alpha"] = 400;
  v1::SearchResponse summed = Search(both);
  ASSERT_EQ(summed.hits_size(), 1);
  EXPECT_NEAR(summed.hits(0).score(),
              ExpectedScore(1000, 10'000, 10, 1, 4) +
                  ExpectedScore(1000, 10'000, 400, 1, 4),
              1e-12);
}

TEST_P(SearchTest, GlobalStatisticsMustCoverEveryTerm) {
  Put("a.com", "Report", "alpha beta", kJan2023);
  v1::SearchRequest request = Words("alpha");
  AddPhrase("alpha beta", &request);
  request.mutable_global()->set_document_count(10);
  (*request.mutable_global()->mutable_document_frequency())["alpha"] = 1;
  v1::SearchResponse response;
  absl::Status status = db_->Search(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("global.document_frequency"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("beta"));
}

// --- Matching ----------------------------------------------------------------

TEST_P(SearchTest, EveryTermMustOccur) {
  const v1::Article both =
      Put("a.com", "Summit", "Leaders met at the White House.", kJan2023);
  Put("a.com", "Summit", "A white flag over the harbor.", kJan2023);
  Put("a.com", "Summit", "The house voted.", kJan2023);
  EXPECT_THAT(SearchIds(Words("white house")), ElementsAre(both.id()));
  EXPECT_THAT(SearchIds(Words("white house harbor")), IsEmpty());
  EXPECT_THAT(SearchIds(Words("unknownword")), IsEmpty());
  // Title and body are one document.
  EXPECT_THAT(SearchIds(Words("summit leaders")), ElementsAre(both.id()));
}

TEST_P(SearchTest, PhrasesNeedTheirTermsInOrderAndAdjacent) {
  const v1::Article adjacent = Put(
      "a.com", "Visit", "Kishida came to the White House on Friday.", kJan2023);
  Put("a.com", "Visit", "The house was painted white.", kJan2023);
  Put("a.com", "Visit", "A white and tall house.", kJan2023);
  Put("a.com", "Talks in the White", "House speaker attended.", kJan2023);
  v1::SearchRequest phrase;
  AddPhrase("white house", &phrase);
  EXPECT_THAT(SearchIds(phrase), ElementsAre(adjacent.id()));
  EXPECT_EQ(SearchIds(Words("white house")).size(), 4u);

  // A phrase and a term together; a phrase with a repeated word.
  v1::SearchRequest with_term = Words("friday");
  AddPhrase("the white house", &with_term);
  EXPECT_THAT(SearchIds(with_term), ElementsAre(adjacent.id()));
  const v1::Article repeated =
      Put("a.com", "Chant", "They shouted: no no more.", kJan2023);
  Put("a.com", "Chant", "No, there is no more.", kJan2023);
  v1::SearchRequest no_no;
  AddPhrase("no no", &no_no);
  EXPECT_THAT(SearchIds(no_no), ElementsAre(repeated.id()));
}

TEST_P(SearchTest, CaseAndScriptDoNotMatter) {
  const v1::Article english =
      Put("a.com", "BIDEN Welcomes Kishida", "Talks at noon.", kJan2023);
  const v1::Article arabic =
      Put("aawsat.com", "بايدن", "قال الرئيس الأمريكي، جو بايدن.", kJan2023);
  const v1::Article korean =
      Put("yna.co.kr", "취임", "이재명 대통령은 수요일 취임했다.", kJan2023);
  const v1::Article japanese =
      Put("nhk.or.jp", "訪米", "岸田首相はワシントンを訪れた。", kJan2023);

  EXPECT_THAT(SearchIds(Words("biden")), ElementsAre(english.id()));
  EXPECT_THAT(SearchIds(Words("Biden KISHIDA")), ElementsAre(english.id()));
  EXPECT_THAT(SearchIds(Words("\uFF22\uFF29\uFF24\uFF25\uFF2E")),  // full width
              ElementsAre(english.id()));
  EXPECT_THAT(SearchIds(Words("بايدن")), ElementsAre(arabic.id()));
  EXPECT_THAT(SearchIds(Words("الرئيس الأمريكي")), ElementsAre(arabic.id()));
  EXPECT_THAT(SearchIds(Words("수요일")), ElementsAre(korean.id()));
  EXPECT_THAT(SearchIds(Words("ワシントン")), ElementsAre(japanese.id()));
  v1::SearchRequest japanese_phrase;
  AddPhrase("岸田首相", &japanese_phrase);
  ASSERT_EQ(japanese_phrase.phrases(0).terms_size(), 2);
  EXPECT_THAT(SearchIds(japanese_phrase), ElementsAre(japanese.id()));
}

// --- Filters -----------------------------------------------------------------

TEST_P(SearchTest, SourceAndHalfOpenTimeRangeFilter) {
  const v1::Article a0 = Put("a.com", "Storm", "storm one", kJan2023);
  const v1::Article a1 = Put("a.com", "Storm", "storm two", kJan2023 + 60);
  const v1::Article a2 = Put("a.com", "Storm", "storm three", kJan2023 + 120);
  const v1::Article au = Put("a.com.au", "Storm", "storm four", kJan2023 + 60);
  const v1::Article b1 = Put("b.org", "Storm", "storm five", kJan2023 + 60);

  v1::SearchRequest by_source = Words("storm");
  by_source.set_source("a.com");
  EXPECT_THAT(SearchIds(by_source),
              UnorderedElementsAre(a0.id(), a1.id(), a2.id()));
  by_source.set_source("a.com.au");
  EXPECT_THAT(SearchIds(by_source), ElementsAre(au.id()));
  by_source.set_source("nobody.com");
  EXPECT_THAT(SearchIds(by_source), IsEmpty());

  v1::SearchRequest in_range = Words("storm");
  in_range.mutable_start_time()->set_seconds(kJan2023 + 60);
  in_range.mutable_end_time()->set_seconds(kJan2023 + 120);
  EXPECT_THAT(SearchIds(in_range),
              UnorderedElementsAre(a1.id(), au.id(), b1.id()));
  in_range.set_source("a.com");
  EXPECT_THAT(SearchIds(in_range), ElementsAre(a1.id()));

  v1::SearchRequest from = Words("storm");
  from.mutable_start_time()->set_seconds(kJan2023 + 61);
  EXPECT_THAT(SearchIds(from), ElementsAre(a2.id()));
  v1::SearchRequest until = Words("storm");
  until.mutable_end_time()->set_seconds(kJan2023 + 60);
  EXPECT_THAT(SearchIds(until), ElementsAre(a0.id()));
  v1::SearchRequest empty = Words("storm");
  empty.mutable_start_time()->set_seconds(kJan2023 + 60);
  empty.mutable_end_time()->set_seconds(kJan2023 + 60);
  EXPECT_THAT(SearchIds(empty), IsEmpty());
}

TEST_P(SearchTest, MatchesWhatAScanOfEveryArticleFinds) {
  // Small vocabulary, so that terms are dense, sparse and interleaved.
  const std::vector<std::string> vocabulary = {"oil",   "gas",  "price", "rise",
                                               "fall",  "iran", "iraq",  "deal",
                                               "talks", "oil2", "rare",  "war"};
  std::mt19937 random(11);
  struct Stored {
    v1::Article article;
    std::vector<std::string> terms;  // as indexed, title then body
  };
  std::vector<Stored> corpus;
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  for (int i = 0; i < 400; ++i) {
    auto words = [&](int count) {
      std::string text;
      for (int k = 0; k < count; ++k) {
        // Skewed: low indexes much more often.
        text += vocabulary[std::min<size_t>(random() % 4 * (random() % 4),
                                            vocabulary.size() - 1)];
        text += ' ';
      }
      return text;
    };
    std::string title = words(2);
    title.pop_back();  // as ingest's normalizer leaves it: no trailing space
    const std::string body = words(3 + random() % 12) + std::to_string(i);
    v1::Article article = MakeArticle(i % 3 ? "a.com" : "b.org", title, body,
                                      kJan2023 + 60 * (random() % 20));
    std::vector<std::string> terms = Tokenize(title);
    terms.push_back("");  // the gap: no phrase spans title and body
    for (std::string& term : Tokenize(body)) terms.push_back(std::move(term));
    corpus.push_back({article, terms});
    *items.Add()->mutable_article() = article;
  }
  ASSERT_TRUE(db_->Put(items).ok());

  int found_some = 0;
  for (int round = 0; round < 300; ++round) {
    v1::SearchRequest request;
    request.set_limit(1000);
    std::vector<std::string> terms;
    for (int k = 0, n = 1 + random() % 3; k < n; ++k) {
      terms.push_back(vocabulary[random() % 10]);
      request.add_terms(terms.back());
    }
    std::vector<std::string> phrase;
    if (random() % 2) {
      for (int k = 0, n = 2 + random() % 2; k < n; ++k) {
        phrase.push_back(vocabulary[random() % 4]);
      }
      for (const std::string& term : phrase) {
        request.add_phrases()->add_terms(term);  // each its own phrase too
      }
      v1::Phrase* whole = request.add_phrases();
      for (const std::string& term : phrase) whole->add_terms(term);
    }
    if (random() % 3 == 0) request.set_source("b.org");
    const int64_t start = kJan2023 + 60 * (random() % 10);
    const int64_t end = start + 60 * (random() % 12);
    const bool ranged = random() % 2;
    if (ranged) {
      request.mutable_start_time()->set_seconds(start);
      request.mutable_end_time()->set_seconds(end);
    }

    std::set<std::string> expected;
    for (const Stored& doc : corpus) {
      const int64_t t = doc.article.published_at().seconds();
      if (!request.source().empty() && doc.article.source() != request.source())
        continue;
      if (ranged && (t < start || t >= end)) continue;
      bool all = true;
      for (const std::string& term : terms) {
        all = all && std::find(doc.terms.begin(), doc.terms.end(), term) !=
                         doc.terms.end();
      }
      if (!phrase.empty()) {
        all =
            all && std::search(doc.terms.begin(), doc.terms.end(),
                               phrase.begin(), phrase.end()) != doc.terms.end();
      }
      if (all) expected.insert(doc.article.id());
    }
    v1::SearchResponse response = Search(request);
    const std::vector<std::string> ids = Ids(response);
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected)
        << request.ShortDebugString();
    EXPECT_EQ(ids.size(), expected.size());
    for (int i = 1; i < response.hits_size(); ++i) {
      EXPECT_GE(response.hits(i - 1).score(), response.hits(i).score());
    }
    if (!expected.empty()) ++found_some;
  }
  // Neither all empty nor all full: the comparison means something.
  EXPECT_GT(found_some, 100);
  EXPECT_LT(found_some, 280);
}

// --- Paging ------------------------------------------------------------------

class SearchPagingTest : public SearchTest {
 protected:
  void SetUp() override {
    SearchTest::SetUp();
    // 300 matches with many equal scores and equal times, put in batches.
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int i = 0; i < 300; ++i) {
      std::string body;
      for (int k = 0; k <= i % 4; ++k) body += "flood ";
      for (int k = 0; k < i % 3; ++k) body += "river ";
      body += absl::StrCat("report ", i);
      *items.Add()->mutable_article() = MakeArticle(
          i % 2 ? "a.com" : "b.org", "News", body, kJan2023 + 60 * (i % 5));
      if (items.size() == 50) {
        ASSERT_TRUE(db_->Put(items).ok());
        items.Clear();
      }
    }
  }
};

TEST_P(SearchPagingTest, CursorPagesReturnEveryHitOnceInRankOrder) {
  v1::SearchRequest request = Words("flood");
  request.set_limit(1000);
  v1::SearchResponse all = Search(request);
  ASSERT_EQ(all.hits_size(), 300);
  EXPECT_FALSE(all.has_more());
  for (int i = 1; i < all.hits_size(); ++i) {
    const v1::StoreHit& a = all.hits(i - 1);
    const v1::StoreHit& b = all.hits(i);
    ASSERT_GE(a.score(), b.score());
    if (a.score() != b.score()) continue;
    const int64_t a_time = a.article().published_at().seconds();
    const int64_t b_time = b.article().published_at().seconds();
    ASSERT_GE(a_time, b_time);
    if (a_time == b_time) {
      ASSERT_LT(a.article().id(), b.article().id());
    }
  }

  for (int limit : {1, 7, 64}) {
    v1::SearchRequest page = Words("flood");
    page.set_limit(limit);
    std::vector<std::string> ids;
    for (int pages = 0; pages < 400; ++pages) {
      v1::SearchResponse response = Search(page);
      ASSERT_LE(response.hits_size(), limit);
      for (const v1::StoreHit& hit : response.hits())
        ids.push_back(hit.article().id());
      if (!response.has_more()) break;
      ContinueAfter(*response.hits().rbegin(), &page);
    }
    EXPECT_EQ(ids, Ids(all)) << "limit " << limit;
  }
}

TEST_P(SearchPagingTest, DefaultLimitIsTen) {
  v1::SearchResponse response = Search(Words("flood river"));
  EXPECT_EQ(response.hits_size(), 10);
  EXPECT_TRUE(response.has_more());
}

TEST_P(SearchPagingTest, APassedDeadlineStopsTheSearch) {
  v1::SearchResponse response;
  absl::Status status =
      db_->Search(Words("flood"), &response, absl::Now() - absl::Seconds(1));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
}

// --- Passing over blocks -----------------------------------------------------

// 2,900 articles in segments of 1,000 (the only parameter), so that two
// segments are stored, with block tables for the long lists, and the rest
// are in memory. "alpha" and "beta" occur in about 40% and 50% of them, 1 to
// 6 times, sometimes as the phrase "alpha beta", in bodies of 10 to 300
// words: their lists run to several blocks a segment, with scores that vary.
class BlockBoundTest : public SearchTest {
 protected:
  void SetUp() override {
    SearchTest::SetUp();
    std::mt19937 random(5);
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int i = 0; i < 2900; ++i) {
      std::vector<std::string> words;
      for (int k = 0, n = 10 + random() % 290; k < n; ++k) {
        words.push_back(absl::StrCat("w", random() % 60));
      }
      auto scatter = [&](const std::string& word, int count) {
        for (int k = 0; k < count; ++k) {
          words.insert(words.begin() + random() % (words.size() + 1), word);
        }
      };
      // In the first 300, 3 to 6 times (a story everyone covered); after,
      // mostly once or twice and rarely 6 times, so that the first pages
      // fill early and few blocks later can make them.
      auto occurrences = [&] {
        if (i < 300) return 3 + static_cast<int>(random() % 4);
        return random() % 200 == 0 ? 6 : 1 + (random() % 4 == 0);
      };
      if (random() % 10 < 4) scatter("alpha", occurrences());
      if (random() % 2) scatter("beta", occurrences());
      if (random() % 8 == 0) scatter("alpha beta", 1);
      *items.Add()->mutable_article() =
          MakeArticle(i % 4 ? "a.com" : "b.org", absl::StrCat("Report ", i),
                      absl::StrJoin(words, " "), kJan2023 + 60 * (random() % 900));
      if (items.size() == 100) {
        ASSERT_TRUE(db_->Put(items).ok());
        items.Clear();
      }
    }
  }

  // The requests the tests compare: one term, two, a phrase, filters.
  std::vector<v1::SearchRequest> Requests() {
    std::vector<v1::SearchRequest> requests = {Words("alpha"), Words("beta"),
                                               Words("alpha beta")};
    v1::SearchRequest phrase = Words("alpha beta");
    AddPhrase("alpha beta", &phrase);
    requests.push_back(phrase);
    v1::SearchRequest filtered = Words("alpha beta");
    filtered.set_source("a.com");
    filtered.mutable_start_time()->set_seconds(kJan2023 + 60 * 100);
    filtered.mutable_end_time()->set_seconds(kJan2023 + 60 * 700);
    requests.push_back(filtered);
    return requests;
  }

  // Every page of `request` at `limit`, walked by the cursor.
  std::vector<v1::StoreHit> AllPages(v1::SearchRequest request, int limit) {
    request.set_limit(limit);
    std::vector<v1::StoreHit> hits;
    for (int pages = 0; pages < 400; ++pages) {
      v1::SearchResponse response = Search(request);
      for (const v1::StoreHit& hit : response.hits()) hits.push_back(hit);
      if (!response.has_more()) break;
      // has_more is exact: never a page with nothing after it.
      EXPECT_EQ(response.hits_size(), limit) << request.ShortDebugString();
      if (response.hits_size() == 0) break;
      ContinueAfter(*response.hits().rbegin(), &request);
    }
    return hits;
  }
};

std::vector<std::string> HitIds(const std::vector<v1::StoreHit>& hits) {
  std::vector<std::string> ids;
  for (const v1::StoreHit& hit : hits) ids.push_back(hit.article().id());
  return ids;
}

// Every page, walked by the cursor, is what the same search finds reading
// the lists whole (their block tables deleted, as in a segment written before
// there were any), score for score.
TEST_P(BlockBoundTest, PagesAreTheRankingOfTheListsReadWhole) {
  const uint64_t skipped_before = db_->search_stretches_skipped();
  std::vector<std::vector<v1::StoreHit>> found;
  for (const v1::SearchRequest& request : Requests()) {
    for (int limit : {10, 37}) found.push_back(AllPages(request, limit));
  }
  // The first pages of common terms passed over whole blocks.
  EXPECT_GT(db_->search_stretches_skipped(), skipped_before + 30);

  ASSERT_TRUE(db_->Flush().ok());
  db_.reset();
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_TRUE((*raw)
                    ->db()
                    ->DeleteRange(rocksdb::WriteOptions(),
                                  (*raw)->family("term_blocks"), "",
                                  std::string(8, '\xff'))
                    .ok());
  }
  Reopen();
  const uint64_t skipped_after_reopen = db_->search_stretches_skipped();
  size_t f = 0;
  for (const v1::SearchRequest& request : Requests()) {
    const std::vector<v1::StoreHit> expected = AllPages(request, 1000);
    ASSERT_GT(expected.size(), 100u) << request.ShortDebugString();
    for (int limit : {10, 37}) {
      const std::vector<v1::StoreHit>& paged = found[f++];
      EXPECT_EQ(HitIds(paged), HitIds(expected))
          << request.ShortDebugString() << " limit " << limit;
      for (size_t i = 0; i < std::min(paged.size(), expected.size()); ++i) {
        EXPECT_EQ(paged[i].score(), expected[i].score());
      }
    }
  }
  // Nothing to pass over without the tables.
  EXPECT_EQ(db_->search_stretches_skipped(), skipped_after_reopen);
}

TEST_P(BlockBoundTest, ADamagedBlockTableIsDataLoss) {
  ASSERT_TRUE(db_->Flush().ok());
  db_.reset();
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    rocksdb::DB* db = (*raw)->db();
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), (*raw)->family("term_blocks")));
    it->Seek(PostingPrefix("alpha"));
    ASSERT_TRUE(it->Valid());
    ASSERT_TRUE(it->key().starts_with(PostingPrefix("alpha")));
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), (*raw)->family("term_blocks"),
                        it->key(), "\x05\x03")
                    .ok());
  }
  Reopen();
  v1::SearchResponse response;
  absl::Status status = db_->Search(Words("alpha"), &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr("block table of \"alpha\""));
  // Other terms are unharmed.
  EXPECT_GT(Search(Words("beta")).hits_size(), 0);
}

// --- Index upkeep and statistics ---------------------------------------------

TEST_P(SearchTest, HitsCarryTheStoredArticle) {
  const v1::Article article =
      Put("a.com", "Harbor Report", "Ships in the harbor.", kJan2023);
  v1::SearchResponse response = Search(Words("harbor"));
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).article().SerializeAsString(),
            article.SerializeAsString());
}

TEST_P(SearchTest, SnippetsAreMadeFromTheWholeTextBeforeTheViewTrimsIt) {
  const std::string body =
      "Opening words of the report. Later the harbor master said the ships "
      "would leave the harbor at dawn, and the port stayed closed.";
  const v1::Article article = Put("a.com", "Port Report", body, kJan2023);
  v1::SearchRequest request = Words("ships harbor");
  EXPECT_FALSE(Search(request).hits(0).has_snippet());

  request.set_snippets(true);
  for (v1::ArticleView view : {v1::ARTICLE_VIEW_UNSPECIFIED, v1::ARTICLE_VIEW_FULL,
                               v1::ARTICLE_VIEW_BASIC}) {
    request.set_view(view);
    v1::SearchResponse response = Search(request);
    ASSERT_EQ(response.hits_size(), 1) << view;
    const v1::StoreHit& hit = response.hits(0);
    // The terms in the request's order, as the query server would make it.
    EXPECT_EQ(hit.snippet(), MakeSnippet(article, {"ships", "harbor"})) << view;
    EXPECT_NE(hit.snippet().find("**harbor**"), std::string::npos) << hit.snippet();
    v1::Article shown = article;
    ApplyArticleView(view, &shown);
    EXPECT_EQ(hit.article().SerializeAsString(), shown.SerializeAsString()) << view;
  }
  EXPECT_TRUE(Search(request).hits(0).article().body().empty());
}

TEST_P(SearchTest, StatsCountsDocumentsTermsAndDocumentFrequencies) {
  Put("a.com", "Budget Vote", "The budget passed.", kJan2023);  // 5 terms
  Put("b.org", "Vote", "Another vote on the budget today.", kJan2023);  // 7
  v1::TermStatistics stats = TermStats({"budget", "vote", "the", "absent"});
  EXPECT_EQ(stats.document_count(), 2u);
  EXPECT_EQ(stats.total_terms(), 12u);
  EXPECT_EQ(stats.document_frequency().at("budget"), 2u);
  EXPECT_EQ(stats.document_frequency().at("vote"), 2u);
  EXPECT_EQ(stats.document_frequency().at("the"), 2u);
  EXPECT_EQ(stats.document_frequency().at("absent"), 0u);
  EXPECT_EQ(stats.document_frequency().size(), 4u);

  v1::StatsRequest bad;
  bad.add_terms("ok");
  bad.add_terms("");
  v1::StatsResponse response;
  absl::Status status = db_->Stats(bad, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("terms[1]"));
}

TEST_P(SearchTest, DuplicatesAreNotIndexedAgain) {
  const v1::Article original =
      Put("a.com", "Quake", "A quake struck.", kJan2023);
  v1::Article copy = original;
  copy.set_source("mirror.net");
  copy.set_url("https://mirror.net/quake");
  EXPECT_EQ(PutArticle(copy).outcome(), v1::OUTCOME_DUPLICATE);
  google::protobuf::RepeatedPtrField<v1::PutItem> batch;
  *batch.Add()->mutable_article() = original;
  *batch.Add()->mutable_article() = copy;
  ASSERT_TRUE(db_->Put(batch).ok());

  v1::TermStatistics stats = TermStats({"quake"});
  EXPECT_EQ(stats.document_count(), 1u);
  EXPECT_EQ(stats.total_terms(), 4u);
  EXPECT_EQ(stats.document_frequency().at("quake"), 1u);
  EXPECT_THAT(SearchIds(Words("quake")), ElementsAre(original.id()));
}

TEST_P(SearchTest, ADuplicateInsideANewBatchIsIndexedOnce) {
  const v1::Article article =
      MakeArticle("a.com", "Flood", "Rivers rose.", kJan2023);
  v1::Article copy = article;
  copy.set_source("b.org");
  google::protobuf::RepeatedPtrField<v1::PutItem> items;
  *items.Add()->mutable_article() = article;
  *items.Add()->mutable_article() = copy;
  ASSERT_TRUE(db_->Put(items).ok());
  EXPECT_EQ(TermStats({"rivers"}).document_frequency().at("rivers"), 1u);
  EXPECT_EQ(TermStats({}).document_count(), 1u);
}

TEST_P(SearchTest, TheIndexSurvivesReopen) {
  const v1::Article article =
      Put("a.com", "Eclipse", "The sun went dark.", kJan2023);
  Reopen();
  EXPECT_THAT(SearchIds(Words("eclipse sun")), ElementsAre(article.id()));
  EXPECT_EQ(TermStats({"sun"}).document_frequency().at("sun"), 1u);
}

// Searches racing Puts, while segments fill, freeze and are written out:
// every article acknowledged before a search began is found by it, once,
// and no search fails.
TEST_P(SearchTest, SearchesWhilePutsWriteSegmentsOutSeeEveryStoredArticleOnce) {
  constexpr int kWriters = 3;
  constexpr int kPutsEach = 40;
  constexpr int kBatch = 3;
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // ids, in acknowledgement order
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int p = 0; p < kPutsEach; ++p) {
        google::protobuf::RepeatedPtrField<v1::PutItem> items;
        for (int i = 0; i < kBatch; ++i) {
          const int serial = (w * kPutsEach + p) * kBatch + i;
          *items.Add()->mutable_article() =
              MakeArticle("race.example", "Wire",
                          absl::StrCat("common words and serial", serial),
                          kJan2023 + serial);
        }
        auto results = db_->Put(items);
        ASSERT_TRUE(results.ok()) << results.status();
        std::lock_guard<std::mutex> lock(mutex);
        for (const v1::PutResult& result : *results) acknowledged.push_back(result.id());
      }
    });
  }
  std::atomic<int> searches{0};
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!done.load()) {
        std::vector<std::string> before;
        {
          std::lock_guard<std::mutex> lock(mutex);
          before = acknowledged;
        }
        v1::SearchRequest request = Words("common words");
        request.set_limit(kMaxSearchLimit);
        v1::SearchResponse response;
        const absl::Status status = db_->Search(request, &response);
        ASSERT_TRUE(status.ok()) << status;
        std::vector<std::string> found = Ids(response);
        std::sort(found.begin(), found.end());
        ASSERT_EQ(std::adjacent_find(found.begin(), found.end()), found.end())
            << "a hit twice";
        for (const std::string& id : before) {
          ASSERT_TRUE(std::binary_search(found.begin(), found.end(), id))
              << id << " acknowledged before the search, not found";
        }
        searches.fetch_add(1);
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done.store(true);
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(SearchIds([] {
              v1::SearchRequest request = Words("common");
              request.set_limit(kMaxSearchLimit);
              return request;
            }()).size(),
            static_cast<size_t>(kWriters * kPutsEach * kBatch));
}

TEST_P(SearchTest, ADatabaseFromBeforeDocumentNumbersIsIndexedOnOpen) {
  const v1::Article eclipse =
      Put("a.com", "Eclipse", "The sun went dark.", kJan2023);
  const v1::Article storm =
      Put("b.org", "Storm", "The sun came back after the storm.", kJan2023 + 60);
  // In table files: opened without the merge operators, RocksDB could not
  // replay the log's merges.
  ASSERT_TRUE(db_->Flush().ok());
  db_.reset();

  // Make it look like the old layout: no layout version, no documents and
  // no postings of the new kind, and the old families with old keys in them.
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    rocksdb::DB* db = (*raw)->db();
    for (const char* name : {"default", "documents", "unindexed", "term_postings",
                             "term_positions", "term_counts", "article_heads"}) {
      ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(), (*raw)->family(name), "",
                                  std::string(64, '\xff'))
                      .ok())
          << name;
    }
    auto old_postings = (*raw)->CreateFamily("postings");
    ASSERT_TRUE(old_postings.ok()) << old_postings.status();
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), *old_postings,
                        std::string("sun\0", 4) + std::string(28, '\x01'), "old")
                    .ok());
  }

  Reopen();
  EXPECT_THAT(SearchIds(Words("sun")), UnorderedElementsAre(eclipse.id(), storm.id()));
  EXPECT_THAT(SearchIds(Words("storm")), ElementsAre(storm.id()));
  v1::ScanRequest heads;
  heads.set_view(v1::ARTICLE_VIEW_BASIC);
  v1::ScanResponse listed;
  ASSERT_TRUE(db_->Scan(heads, &listed).ok());
  ASSERT_EQ(listed.articles_size(), 2);
  EXPECT_EQ(listed.articles(0).title(), "Storm");
  const v1::TermStatistics stats = TermStats({"sun", "storm"});
  EXPECT_EQ(stats.document_count(), 2u);
  EXPECT_EQ(stats.document_frequency().at("sun"), 2u);
  EXPECT_EQ(stats.document_frequency().at("storm"), 1u);
  // Numbered once: new articles follow, and a second reopen changes nothing.
  const v1::Article later = Put("a.com", "Later", "Sun again.", kJan2023 + 120);
  Reopen();
  EXPECT_EQ(TermStats({"sun"}).document_frequency().at("sun"), 3u);
  EXPECT_THAT(SearchIds(Words("sun")),
              UnorderedElementsAre(eclipse.id(), storm.id(), later.id()));
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path_, &names).ok());
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("postings")));
}

TEST_P(SearchTest, TermStatisticsOnlyLeavesOutTheSources) {
  Put("a.com", "Eclipse", "The sun went dark.", kJan2023);
  Put("b.org", "Dawn", "The sun rose.", kJan2023 + 60);
  v1::StatsRequest request;
  request.add_terms("sun");
  request.set_term_statistics_only(true);
  v1::StatsResponse response;
  ASSERT_TRUE(db_->Stats(request, &response).ok());
  EXPECT_THAT(response.sources(), IsEmpty());
  EXPECT_EQ(response.article_count(), 0u);
  EXPECT_EQ(response.term_statistics().document_count(), 2u);
  EXPECT_EQ(response.term_statistics().document_frequency().at("sun"), 2u);
  // Without it, the same statistics and the sources.
  request.set_term_statistics_only(false);
  v1::StatsResponse full;
  ASSERT_TRUE(db_->Stats(request, &full).ok());
  EXPECT_EQ(full.sources_size(), 2);
  EXPECT_EQ(full.term_statistics().SerializeAsString(),
            response.term_statistics().SerializeAsString());
}

TEST_P(SearchTest, ALayoutVersionItDoesNotKnowIsRefusedUntouched) {
  const v1::Article article = Put("a.com", "Eclipse", "The sun went dark.", kJan2023);
  ASSERT_TRUE(db_->Flush().ok());
  db_.reset();
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_TRUE((*raw)->db()->Put(rocksdb::WriteOptions(), "format", "4").ok());
  }
  auto refused = ArticleDb::Open(path_, ArticleDbOptions());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("layout version 4 is not one this build reads (2 or 3)"));
  {
    auto raw = RawDatabase::Open(path_);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_TRUE((*raw)->db()->Put(rocksdb::WriteOptions(), "format", "3").ok());
  }
  Reopen();
  EXPECT_THAT(SearchIds(Words("sun")), ElementsAre(article.id()));
}

TEST_P(SearchTest, BadRequestsAreInvalidArgumentNamingTheField) {
  Put("a.com", "T", "body", kJan2023);
  auto expect_invalid = [&](const v1::SearchRequest& request,
                            const std::string& field) {
    v1::SearchResponse response;
    absl::Status status = db_->Search(request, &response);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  };
  expect_invalid(v1::SearchRequest(), "terms");
  v1::SearchRequest empty_term;
  empty_term.add_terms("body");
  empty_term.add_terms("");
  expect_invalid(empty_term, "terms[1]");
  v1::SearchRequest backwards = Words("body");
  backwards.mutable_start_time()->set_seconds(kJan2023 + 1);
  backwards.mutable_end_time()->set_seconds(kJan2023);
  expect_invalid(backwards, "start_time");
  v1::SearchRequest negative = Words("body");
  negative.set_limit(-1);
  expect_invalid(negative, "limit");
  v1::SearchRequest bad_source = Words("body");
  bad_source.set_source("NOT A HOST");
  expect_invalid(bad_source, "source");
  v1::SearchRequest bad_view = Words("body");
  bad_view.set_view(static_cast<v1::ArticleView>(9));
  expect_invalid(bad_view, "view: 9 is not an ArticleView");
}

std::string SegmentName(const ::testing::TestParamInfo<uint64_t>& info) {
  return absl::StrCat("Segment", info.param);
}

INSTANTIATE_TEST_SUITE_P(Segments, SearchTest,
                         ::testing::Values(4096, 1, 3), SegmentName);
INSTANTIATE_TEST_SUITE_P(Segments, SearchPagingTest,
                         ::testing::Values(4096, 1, 3), SegmentName);
INSTANTIATE_TEST_SUITE_P(Segments, BlockBoundTest, ::testing::Values(1000),
                         SegmentName);

}  // namespace
}  // namespace archive::store
