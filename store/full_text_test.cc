#include "store/full_text.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/article_key.h"

namespace archive::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(IndexTextTest, TitleThenBodyAfterAGap) {
  IndexedText text = IndexText("Summit Talks", "The summit, the TALKS.");
  EXPECT_EQ(text.length, 6u);
  const uint32_t body = 2 + kTitleBodyGap;
  EXPECT_THAT(text.positions,
              UnorderedElementsAre(Pair("summit", ElementsAre(0, body + 1)),
                          Pair("talks", ElementsAre(1, body + 3)),
                          Pair("the", ElementsAre(body, body + 2))));
}

TEST(IndexTextTest, OverlongTermsAreSkippedButTakeAPosition) {
  const std::string long_word(kMaxIndexedTermBytes + 1, 'x');
  IndexedText text = IndexText("", "before " + long_word + " after");
  EXPECT_EQ(text.length, 3u);
  EXPECT_THAT(text.positions,
              UnorderedElementsAre(Pair("after", ElementsAre(kTitleBodyGap + 2)),
                          Pair("before", ElementsAre(kTitleBodyGap))));
}

TEST(ContainsPhraseTest, NeedsTheTermsInOrderAndAdjacent) {
  const std::vector<uint32_t> white = {3, 10, 20};
  const std::vector<uint32_t> house = {5, 11};
  const std::vector<uint32_t> far = {30};
  EXPECT_TRUE(ContainsPhrase({&white, &house}));   // 10, 11
  EXPECT_FALSE(ContainsPhrase({&house, &white}));  // never 11 then 12
  EXPECT_FALSE(ContainsPhrase({&white, &far}));
  EXPECT_TRUE(ContainsPhrase({&white}));
  // A repeated word: "new new" needs two adjacent occurrences.
  const std::vector<uint32_t> once = {4, 9};
  const std::vector<uint32_t> twice = {4, 5};
  EXPECT_FALSE(ContainsPhrase({&once, &once}));
  EXPECT_TRUE(ContainsPhrase({&twice, &twice}));
}

TEST(Bm25Test, MatchesTheFormula) {
  const Bm25 bm25(/*document_count=*/100, /*total_terms=*/10'000);
  const double idf = bm25.Idf(10);
  EXPECT_DOUBLE_EQ(idf, std::log(1 + (100 - 10 + 0.5) / (10 + 0.5)));
  // A document of average length: tf (k1 + 1) / (tf + k1).
  EXPECT_DOUBLE_EQ(bm25.TermScore(idf, 3, 100), idf * 3 * 2.2 / (3 + 1.2));
  EXPECT_DOUBLE_EQ(bm25.TermScore(idf, 1, 200),
                   idf * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2)));
}

TEST(Bm25Test, RarerTermsMoreOccurrencesAndShorterDocumentsScoreHigher) {
  const Bm25 bm25(1000, 100'000);
  EXPECT_GT(bm25.Idf(1), bm25.Idf(10));
  EXPECT_GT(bm25.Idf(10), bm25.Idf(900));
  const double idf = bm25.Idf(10);
  EXPECT_GT(bm25.TermScore(idf, 3, 100), bm25.TermScore(idf, 2, 100));
  EXPECT_GT(bm25.TermScore(idf, 2, 50), bm25.TermScore(idf, 2, 500));
}

TEST(Bm25Test, LaggingStatisticsAreClampedNotNegativeOrNan) {
  const Bm25 bm25(10, 0);
  EXPECT_GT(bm25.Idf(50), 0);  // df above N
  EXPECT_GT(bm25.Idf(0), bm25.Idf(1));
  const double score = bm25.TermScore(bm25.Idf(3), 2, 40);  // no average
  EXPECT_TRUE(std::isfinite(score));
  EXPECT_GT(score, 0);
  EXPECT_TRUE(std::isfinite(Bm25(0, 0).TermScore(Bm25(0, 0).Idf(0), 1, 1)));
}

std::string Document(int64_t seconds, char id_byte) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return EncodeTime(time) + std::string(kIdKeyLength, id_byte);
}

TEST(RanksBeforeTest, ScoreThenNewestThenId) {
  const RankedHit best{2.0, Document(100, 'a'), "a.com"};
  const RankedHit newer{1.0, Document(200, 'z'), "a.com"};
  const RankedHit older_low_id{1.0, Document(100, 'a'), "a.com"};
  const RankedHit older_high_id{1.0, Document(100, 'b'), "a.com"};
  const std::vector<RankedHit> order = {best, newer, older_low_id,
                                        older_high_id};
  for (size_t i = 0; i < order.size(); ++i) {
    for (size_t j = 0; j < order.size(); ++j) {
      EXPECT_EQ(RanksBefore(order[i], order[j]), i < j) << i << " " << j;
    }
  }
}

TEST(TopHitsTest, KeepsTheBestInOrder) {
  std::mt19937 random(3);
  std::vector<RankedHit> all;
  for (int i = 0; i < 200; ++i) {
    all.push_back({static_cast<double>(random() % 20),
                   Document(random() % 5, static_cast<char>(i)), ""});
  }
  TopHits top(15);
  for (const RankedHit& hit : all) top.Offer(hit);
  EXPECT_EQ(top.offered(), 200u);
  std::vector<RankedHit> kept = top.Take();
  std::sort(all.begin(), all.end(), RanksBefore);
  ASSERT_EQ(kept.size(), 15u);
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].score, all[i].score);
    EXPECT_EQ(kept[i].document, all[i].document);
  }
}

TEST(ParseSearchRequestTest, CollectsDistinctTermsAndPhraseIndexes) {
  v1::SearchRequest request;
  request.add_terms("summit");
  request.add_terms("biden");
  request.add_terms("summit");
  v1::Phrase* phrase = request.add_phrases();
  phrase->add_terms("white");
  phrase->add_terms("house");
  auto query = ParseSearchRequest(request);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_THAT(query->terms, ElementsAre("biden", "house", "summit", "white"));
  EXPECT_THAT(query->phrases, ElementsAre(ElementsAre(3, 1)));
  EXPECT_EQ(query->limit, kDefaultSearchLimit);
  EXPECT_FALSE(query->after.has_value());

  request.set_limit(5000);
  EXPECT_EQ(ParseSearchRequest(request)->limit, kMaxSearchLimit);
}

TEST(ParseSearchRequestTest, BadRequestsNameTheirField) {
  auto expect_invalid = [](const v1::SearchRequest& request,
                           const std::string& field) {
    auto query = ParseSearchRequest(request);
    ASSERT_FALSE(query.ok()) << field;
    EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(query.status().message()), HasSubstr(field));
  };
  v1::SearchRequest none;
  expect_invalid(none, "terms");

  v1::SearchRequest good;
  good.add_terms("x");

  v1::SearchRequest empty_term = good;
  empty_term.add_terms("");
  expect_invalid(empty_term, "terms[1]");
  v1::SearchRequest nul_term = good;
  nul_term.add_terms(std::string("a\0b", 3));
  expect_invalid(nul_term, "terms[1]");
  v1::SearchRequest empty_phrase = good;
  empty_phrase.add_phrases();
  expect_invalid(empty_phrase, "phrases[0].terms");
  v1::SearchRequest empty_phrase_term = good;
  empty_phrase_term.add_phrases()->add_terms("");
  expect_invalid(empty_phrase_term, "phrases[0].terms[0]");
  v1::SearchRequest too_many;
  for (int i = 0; i <= kMaxSearchTerms; ++i)
    too_many.add_terms(std::to_string(i));
  expect_invalid(too_many, "terms");
  v1::SearchRequest source = good;
  source.set_source("Not A Host");
  expect_invalid(source, "source");
  v1::SearchRequest backwards = good;
  backwards.mutable_start_time()->set_seconds(10);
  backwards.mutable_end_time()->set_seconds(5);
  expect_invalid(backwards, "start_time");
  v1::SearchRequest nanos = good;
  nanos.mutable_end_time()->set_nanos(-1);
  expect_invalid(nanos, "end_time");
  v1::SearchRequest negative = good;
  negative.set_limit(-1);
  expect_invalid(negative, "limit");
  v1::SearchRequest bad_cursor = good;
  bad_cursor.mutable_after()->set_id("nope");
  expect_invalid(bad_cursor, "after.id");
  v1::SearchRequest nan_cursor = good;
  nan_cursor.mutable_after()->set_id("0123456789abcdef0123456789abcdef");
  nan_cursor.mutable_after()->set_score(std::nan(""));
  expect_invalid(nan_cursor, "after.score");
}

}  // namespace
}  // namespace archive::store
