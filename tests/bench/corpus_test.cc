#include "tests/bench/corpus.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "common/minhash.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"
#include "gtest/gtest.h"

namespace archive::bench {
namespace {

CorpusOptions Seeded(uint64_t seed) {
  CorpusOptions options;
  options.seed = seed;
  return options;
}

std::string Normalized(const std::string& text, bool one_line) {
  absl::StatusOr<std::string> normalized =
      one_line ? NormalizeLine(text) : NormalizeBody(text);
  EXPECT_TRUE(normalized.ok()) << normalized.status();
  return normalized.ok() ? *normalized : "";
}

TEST(CorpusTest, SameSeedSameArticles) {
  const Corpus a(Seeded(7));
  const Corpus b(Seeded(7));
  for (int64_t i : {0, 1, 2, 17, 999, 4'321}) {
    EXPECT_EQ(a.Article(i).SerializeAsString(), b.Article(i).SerializeAsString())
        << "article " << i;
    EXPECT_EQ(a.Kind(i), b.Kind(i));
  }
  EXPECT_EQ(a.sources(), b.sources());
  EXPECT_EQ(a.SearchWords(3, 2, 50, 20'000), b.SearchWords(3, 2, 50, 20'000));
}

TEST(CorpusTest, ArticlesDoNotDependOnOrderOfGeneration) {
  const Corpus corpus(Seeded(7));
  const std::string later_first = corpus.Article(500).SerializeAsString();
  corpus.Article(3);
  EXPECT_EQ(corpus.Article(500).SerializeAsString(), later_first);
}

TEST(CorpusTest, OtherSeedOtherArticles) {
  const Corpus a(Seeded(7));
  const Corpus b(Seeded(8));
  int differing = 0;
  for (int64_t i = 0; i < 20; ++i) {
    differing += a.Article(i).body() != b.Article(i).body();
  }
  EXPECT_EQ(differing, 20);
}

TEST(CorpusTest, ArticlesHaveRealisticShape) {
  const Corpus corpus(Seeded(1));
  const absl::Time first = corpus.options().first_published;
  const absl::Time last = first + corpus.options().span + absl::Hours(24 * 4);
  std::set<std::string> sources;
  size_t total_bytes = 0;
  const int kArticles = 2'000;
  for (int64_t i = 0; i < kArticles; ++i) {
    const v1::Article article = corpus.Article(i);
    if (corpus.Kind(i) == ArticleKind::kOriginal) {
      EXPECT_GE(article.body().size(), 2u << 10) << i;
      EXPECT_LE(article.body().size(), 8u << 10) << i;
    }
    EXPECT_FALSE(article.title().empty());
    EXPECT_EQ(article.title().find('\n'), std::string::npos);
    EXPECT_GE(article.published_at().seconds(), absl::ToUnixSeconds(first));
    EXPECT_LT(article.published_at().seconds(), absl::ToUnixSeconds(last));
    EXPECT_GT(article.crawled_at().seconds(), article.published_at().seconds());
    EXPECT_EQ(article.url().rfind("https://www." + article.source() + "/", 0), 0u)
        << article.url();
    sources.insert(article.source());
    total_bytes += TextBytes(article);
  }
  EXPECT_EQ(corpus.sources().size(), 300u);
  EXPECT_GT(sources.size(), 200u);  // the long tail shows up too
  const double mean = static_cast<double>(total_bytes) / kArticles;
  EXPECT_GT(mean, 4'000);
  EXPECT_LT(mean, 6'500);

  // Zipf: the commonest word is in every article, a rank-1000 word in some.
  const std::vector<std::string> terms =
      Tokenize(Normalized(corpus.Article(0).body(), false));
  std::map<std::string, int> counts;
  for (const std::string& term : terms) ++counts[term];
  EXPECT_GT(counts["the"], 10);
}

TEST(CorpusTest, DuplicateSharesAreAsConfigured) {
  const Corpus corpus(Seeded(3));
  const int kArticles = 20'000;
  int exact = 0;
  int near = 0;
  for (int64_t i = 0; i < kArticles; ++i) {
    switch (corpus.Kind(i)) {
      case ArticleKind::kExactDuplicate:
        ++exact;
        break;
      case ArticleKind::kNearDuplicate:
        ++near;
        break;
      case ArticleKind::kOriginal:
        EXPECT_EQ(corpus.OriginalOf(i), i);
        break;
    }
  }
  // Binomial: within four standard deviations (about 0.85% and 0.6%).
  EXPECT_NEAR(exact / double{kArticles}, 0.10, 4 * std::sqrt(0.1 * 0.9 / kArticles));
  EXPECT_NEAR(near / double{kArticles}, 0.05, 4 * std::sqrt(0.05 * 0.95 / kArticles));
}

TEST(CorpusTest, SharesFollowTheOptions) {
  CorpusOptions options = Seeded(3);
  options.exact_duplicate_share = 0.3;
  options.near_duplicate_share = 0;
  const Corpus corpus(options);
  int exact = 0;
  for (int64_t i = 0; i < 5'000; ++i) {
    EXPECT_NE(corpus.Kind(i), ArticleKind::kNearDuplicate);
    exact += corpus.Kind(i) == ArticleKind::kExactDuplicate;
  }
  EXPECT_NEAR(exact / 5'000.0, 0.3, 0.03);
}

TEST(CorpusTest, ExactDuplicatesNormalizeToTheOriginal) {
  const Corpus corpus(Seeded(5));
  int checked = 0;
  int with_invisible_differences = 0;
  for (int64_t i = 1; i < 3'000; ++i) {
    if (corpus.Kind(i) != ArticleKind::kExactDuplicate) continue;
    const int64_t original_index = corpus.OriginalOf(i);
    ASSERT_LT(original_index, i);
    ASSERT_EQ(corpus.Kind(original_index), ArticleKind::kOriginal);
    const v1::Article copy = corpus.Article(i);
    const v1::Article original = corpus.Article(original_index);
    EXPECT_EQ(Normalized(copy.title(), true), Normalized(original.title(), true));
    EXPECT_EQ(Normalized(copy.body(), false), Normalized(original.body(), false));
    with_invisible_differences += copy.body() != original.body();
    EXPECT_TRUE(copy.url() != original.url());
    EXPECT_GT(copy.crawled_at().seconds(), original.crawled_at().seconds());
    ++checked;
  }
  EXPECT_GT(checked, 200);
  EXPECT_GT(with_invisible_differences, checked / 8);
  EXPECT_LT(with_invisible_differences, checked / 2);
}

TEST(CorpusTest, NearDuplicatesResembleTheirOriginalAboveTheThreshold) {
  const Corpus corpus(Seeded(5));
  int checked = 0;
  for (int64_t i = 1; i < 3'000 && checked < 60; ++i) {
    if (corpus.Kind(i) != ArticleKind::kNearDuplicate) continue;
    const v1::Article copy = corpus.Article(i);
    const v1::Article original = corpus.Article(corpus.OriginalOf(i));
    const std::string copy_body = Normalized(copy.body(), false);
    const std::string original_body = Normalized(original.body(), false);
    EXPECT_NE(copy_body, original_body);
    EXPECT_NE(copy.source(), original.source());
    const double resemblance = EstimateResemblance(
        MinHashSignature(Tokenize(copy_body)), MinHashSignature(Tokenize(original_body)));
    EXPECT_GE(resemblance, 0.8) << "article " << i;
    ++checked;
  }
  EXPECT_EQ(checked, 60);
}

TEST(CorpusTest, UnrelatedArticlesDoNotResemble) {
  const Corpus corpus(Seeded(5));
  const auto signature = [&](int64_t i) {
    return MinHashSignature(Tokenize(Normalized(corpus.Article(i).body(), false)));
  };
  int64_t a = 1;
  while (corpus.Kind(a) != ArticleKind::kOriginal) ++a;
  int64_t b = a + 1;
  while (corpus.Kind(b) != ArticleKind::kOriginal) ++b;
  EXPECT_LT(EstimateResemblance(signature(a), signature(b)), 0.2);
}

TEST(CorpusTest, SearchWordsAreDistinctVocabularyWords) {
  const Corpus corpus(Seeded(2));
  for (int64_t q = 0; q < 50; ++q) {
    const std::string words = corpus.SearchWords(q, 2, 50, 20'000);
    const size_t space = words.find(' ');
    ASSERT_NE(space, std::string::npos) << words;
    EXPECT_NE(words.substr(0, space), words.substr(space + 1));
    EXPECT_EQ(words.find(' ', space + 1), std::string::npos);
  }
}

}  // namespace
}  // namespace archive::bench
