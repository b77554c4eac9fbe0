#include "store/layout_migration.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/article_view.h"
#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "store/full_text.h"
#include "store/full_text_index.h"
#include "store/test_store.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

// A store from before document numbers and heads: `count` articles of three
// sources (so key order is not the order they were put in), their rows in
// the articles family alone; articles_ and keys_ in key order, the order
// the migrations go in.
class LayoutMigrationTest : public ::testing::Test {
 protected:
  LayoutMigrationTest() : store_("layout_migration") {}

  void PutOldArticles(int count) {
    const std::string sources[] = {"c.net", "a.com", "b.org"};
    for (int i = 0; i < count; ++i) {
      articles_.push_back(MakeArticle(sources[i % 3], absl::StrCat("title ", i),
                                      absl::StrCat("body of article ", i), kJan2023 + i));
      store_.PutArticleRow(articles_.back());
    }
    std::sort(articles_.begin(), articles_.end(),
              [](const v1::Article& a, const v1::Article& b) {
                return ArticleKeyOf(a) < ArticleKeyOf(b);
              });
    for (const v1::Article& article : articles_) keys_.push_back(ArticleKeyOf(article));
  }

  void SetVersion(const std::string& version) {
    store_.PutRow(kDefault, "format", version);
  }

  Layout ReadIt() {
    absl::StatusOr<Layout> layout = ReadLayout(store_.database());
    EXPECT_TRUE(layout.ok()) << layout.status();
    return layout.value_or(Layout());
  }

  // A FullTextIndex of the store, its documents loaded, as ArticleDb opens it
  // before migrating.
  std::unique_ptr<FullTextIndex> LoadedIndex() {
    auto index = std::make_unique<FullTextIndex>(&store_.database(), FullTextIndexOptions());
    const absl::Status loaded = index->LoadDocuments();
    EXPECT_TRUE(loaded.ok()) << loaded;
    return index;
  }

  // The article key of each document, in number order; "" for a dead one.
  static std::vector<std::string> NumberedKeys(const FullTextIndex& index) {
    const DocumentTable& documents = index.documents();
    std::vector<std::string> keys;
    for (uint64_t d = 0; d < documents.size(); ++d) {
      keys.push_back(documents.IsLive(d) ? documents.ArticleKey(*documents.Find(d)) : "");
    }
    return keys;
  }

  TestStore store_;
  std::vector<v1::Article> articles_;
  std::vector<std::string> keys_;
};

TEST_F(LayoutMigrationTest, ReadLayoutTellsEachVersion) {
  Layout layout = ReadIt();
  EXPECT_FALSE(layout.numbered);
  EXPECT_FALSE(layout.has_heads);
  SetVersion("2");
  layout = ReadIt();
  EXPECT_TRUE(layout.numbered);
  EXPECT_FALSE(layout.has_heads);
  SetVersion("3");
  layout = ReadIt();
  EXPECT_TRUE(layout.numbered);
  EXPECT_TRUE(layout.has_heads);
}

TEST_F(LayoutMigrationTest, AVersionThisBuildDoesNotKnowIsRefused) {
  for (const std::string version : {"4", "1", "", "3 "}) {
    SetVersion(version);
    const absl::StatusOr<Layout> layout = ReadLayout(store_.database());
    EXPECT_EQ(layout.status().code(), absl::StatusCode::kFailedPrecondition) << version;
    EXPECT_NE(layout.status().message().find("layout version " + version + " is not"),
              std::string::npos)
        << layout.status();
  }
}

TEST_F(LayoutMigrationTest, NumberArticlesNumbersEveryArticleInKeyOrderAsUnindexed) {
  PutOldArticles(5);
  std::unique_ptr<FullTextIndex> index = LoadedIndex();
  ASSERT_TRUE(NumberArticles(store_.database(), index.get()).ok());
  EXPECT_EQ(NumberedKeys(*index), keys_);
  EXPECT_EQ(store_.Keys(kDocuments).size(), 5u);
  EXPECT_EQ(store_.Keys(kUnindexed).size(), 5u);
  const Layout layout = ReadIt();
  EXPECT_TRUE(layout.numbered);
  EXPECT_FALSE(layout.has_heads);

  // Recover indexes them, and a reopened store loads the same numbers.
  ASSERT_TRUE(index->Recover().ok());
  std::unique_ptr<FullTextIndex::View> view = index->Capture({"article"}, false);
  absl::StatusOr<v1::TermStatistics> statistics =
      index->LocalTermStatistics({"article"}, *view);
  ASSERT_TRUE(statistics.ok()) << statistics.status();
  EXPECT_EQ(statistics->document_count(), 5u);
  EXPECT_EQ(statistics->document_frequency().at("article"), 5u);
  view.reset();
  index.reset();
  store_.Reopen();
  EXPECT_EQ(NumberedKeys(*LoadedIndex()), keys_);
}

TEST_F(LayoutMigrationTest, NumberArticlesNumbersMoreArticlesThanOneBatchHolds) {
  PutOldArticles(2100);
  std::unique_ptr<FullTextIndex> index = LoadedIndex();
  ASSERT_TRUE(NumberArticles(store_.database(), index.get()).ok());
  index.reset();
  store_.Reopen();
  EXPECT_EQ(NumberedKeys(*LoadedIndex()), keys_);
  EXPECT_EQ(store_.Keys(kUnindexed).size(), keys_.size());
}

TEST_F(LayoutMigrationTest, NumberArticlesGoesOnAfterANumberingCutShort) {
  PutOldArticles(7);
  // What a numbering cut short after its first batch leaves: the first
  // articles numbered, and no layout version.
  {
    std::unique_ptr<FullTextIndex> index = LoadedIndex();
    rocksdb::WriteBatch batch;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(index->NumberStoredArticle(keys_[i], 4, &batch).ok());
    }
    ASSERT_TRUE(store_.database().db()->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  store_.Reopen();
  EXPECT_FALSE(ReadIt().numbered);
  std::unique_ptr<FullTextIndex> index = LoadedIndex();
  ASSERT_EQ(index->documents().size(), 3u);
  ASSERT_TRUE(NumberArticles(store_.database(), index.get()).ok());
  EXPECT_EQ(NumberedKeys(*index), keys_);
  EXPECT_EQ(store_.Keys(kUnindexed).size(), keys_.size());
  EXPECT_TRUE(ReadIt().numbered);
}

TEST_F(LayoutMigrationTest, AnArticleThatDoesNotDecodeStopsTheNumbering) {
  PutOldArticles(2);
  v1::Article rotten = articles_[0];
  rotten.set_body("altered");
  store_.PutArticleRow(rotten);
  std::unique_ptr<FullTextIndex> index = LoadedIndex();
  EXPECT_EQ(NumberArticles(store_.database(), index.get()).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(ReadIt().numbered);
}

TEST_F(LayoutMigrationTest, WriteAllHeadsGivesEveryArticleThatDecodesItsHead) {
  PutOldArticles(4);
  SetVersion("2");
  v1::Article rotten = articles_[1];
  rotten.set_body("altered");
  store_.PutArticleRow(rotten);
  ASSERT_TRUE(WriteAllHeads(store_.database()).ok());
  std::vector<std::string> headed;
  for (const v1::Article& article : articles_) {
    const std::optional<std::string> head = store_.Row(kArticleHeads, ArticleKeyOf(article));
    if (!head.has_value()) continue;
    EXPECT_EQ(*head, ArticleHead(article).SerializeAsString());
    headed.push_back(article.id());
  }
  EXPECT_EQ(headed, (std::vector<std::string>{articles_[0].id(), articles_[2].id(),
                                              articles_[3].id()}));
  EXPECT_TRUE(ReadIt().has_heads);
}

TEST_F(LayoutMigrationTest, WriteAllHeadsGoesOnAfterAMigrationCutShort) {
  PutOldArticles(1100);  // more than one batch
  SetVersion("2");
  // What a migration cut short after its first batch leaves: some heads,
  // and the version before heads.
  for (int i = 0; i < 1000; ++i) {
    store_.PutRow(kArticleHeads, keys_[i], ArticleHead(articles_[i]).SerializeAsString());
  }
  store_.Reopen();
  EXPECT_FALSE(ReadIt().has_heads);
  ASSERT_TRUE(WriteAllHeads(store_.database()).ok());
  EXPECT_EQ(store_.Keys(kArticleHeads), keys_);
  EXPECT_EQ(store_.Row(kArticleHeads, keys_.back()),
            ArticleHead(articles_.back()).SerializeAsString());
  const Layout layout = ReadIt();
  EXPECT_TRUE(layout.numbered);
  EXPECT_TRUE(layout.has_heads);
}

}  // namespace
}  // namespace archive::store
