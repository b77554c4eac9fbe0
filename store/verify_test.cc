#include "store/verify.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/article_key.h"
#include "store/page_limits.h"
#include "store/test_store.h"

namespace archive::store {
namespace {

using ::archive::testing::GeneratedBody;
using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

// Articles stored as the put path stores them, every index entry with them.
class VerifyTest : public ::testing::Test {
 protected:
  VerifyTest() : store_("verify") {}

  void StoreArticles(int count, int body_words = 5) {
    std::vector<v1::Article> batch;
    for (int i = 0; i < count; ++i) {
      batch.push_back(MakeArticle("a.com", absl::StrCat("Title ", i),
                                  GeneratedBody(i, body_words), kJan2023 + i));
    }
    store_.Put(batch);
    articles_.insert(articles_.end(), batch.begin(), batch.end());
  }

  // Every page of `page_size`; the first failure, if any.
  absl::Status VerifyAll(int page_size) {
    v1::VerifyRequest request;
    request.set_page_size(page_size);
    for (;;) {
      v1::VerifyResponse response;
      RETURN_IF_ERROR(VerifyArticles(store_.database(), request, &response));
      ++pages_;
      checked_ += response.checked();
      for (const v1::DamagedArticle& damage : response.damaged()) damaged_.push_back(damage);
      if (response.next_page_token().empty()) return absl::OkStatus();
      request.set_page_token(response.next_page_token());
    }
  }

  TestStore store_;
  std::vector<v1::Article> articles_;
  int pages_ = 0;
  uint64_t checked_ = 0;
  std::vector<v1::DamagedArticle> damaged_;
};

TEST_F(VerifyTest, AnEmptyDatabaseIsOnePageOfNothing) {
  ASSERT_TRUE(VerifyAll(0).ok());
  EXPECT_EQ(pages_, 1);
  EXPECT_EQ(checked_, 0u);
}

TEST_F(VerifyTest, ACleanDatabaseVerifiesPageByPage) {
  StoreArticles(10);
  ASSERT_TRUE(VerifyAll(3).ok());
  EXPECT_EQ(pages_, 4);
  EXPECT_EQ(checked_, 10u);
  EXPECT_TRUE(damaged_.empty());
}

TEST_F(VerifyTest, AFullLastPageHasNoToken) {
  StoreArticles(9);
  ASSERT_TRUE(VerifyAll(3).ok());
  EXPECT_EQ(pages_, 3);
  EXPECT_EQ(checked_, 9u);
}

TEST_F(VerifyTest, PageSizeZeroIsTheDefaultAndANegativeOneIsRefused) {
  StoreArticles(kDefaultVerifyPageSize + 5);
  v1::VerifyRequest request;
  v1::VerifyResponse response;
  ASSERT_TRUE(VerifyArticles(store_.database(), request, &response).ok());
  EXPECT_EQ(response.checked(), static_cast<uint64_t>(kDefaultVerifyPageSize));
  EXPECT_FALSE(response.next_page_token().empty());
  request.set_page_size(-1);
  EXPECT_EQ(VerifyArticles(store_.database(), request, &response).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VerifyTest, ATokenThatNoResponseGaveIsInvalidArgument) {
  StoreArticles(2);
  v1::VerifyRequest request;
  request.set_page_token("not an article key");
  v1::VerifyResponse response;
  const absl::Status status = VerifyArticles(store_.database(), request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("page_token"), std::string::npos) << status;
}

TEST_F(VerifyTest, EachKindOfDamageIsReportedWithWhatItsKeyTells) {
  StoreArticles(4);
  // An article's value that does not parse.
  store_.PutRow(kArticles, ArticleKeyOf(articles_[0]), "\xff\xff\xff");
  // A whole article under a key that is not its own (another source).
  v1::Article elsewhere = articles_[1];
  elsewhere.set_source("b.org");
  store_.PutRow(kArticles, ArticleKeyOf(elsewhere), articles_[1].SerializeAsString());
  // The id index pointing at another article.
  store_.PutRow(kById, *EncodeId(articles_[2].id()), ArticleKeyOf(articles_[3]));
  // A key that does not decode.
  store_.PutRow(kArticles, "a.com", articles_[3].SerializeAsString());

  ASSERT_TRUE(VerifyAll(2).ok());
  EXPECT_EQ(checked_, 6u);  // the four stored, the one moved, the bad key
  std::vector<std::string> problems;
  for (const v1::DamagedArticle& damage : damaged_) {
    problems.push_back(absl::StrCat(damage.source(), " ", damage.id(), ": ", damage.problem()));
  }
  // In key order: "a.com" (the bad key), a.com's, then b.org's.
  EXPECT_EQ(problems,
            (std::vector<std::string>{
                " : the key does not decode",
                absl::StrCat("a.com ", articles_[0].id(), ": a stored article does not parse"),
                absl::StrCat("a.com ", articles_[2].id(),
                             ": the id index does not point at the article"),
                absl::StrCat("b.org ", articles_[1].id(), ": the article does not match its key"),
            }));
  ASSERT_EQ(damaged_.size(), 4u);
  EXPECT_EQ(damaged_[1].published_at().seconds(), articles_[0].published_at().seconds());
}

TEST_F(VerifyTest, DamageRocksDbFindsEndsThePageAsDataLossNamingTheLastArticleRead) {
  StoreArticles(200, 300);  // some 2 KB each: many blocks of the articles' table
  rocksdb::FlushOptions flush;
  ASSERT_TRUE(store_.database().db()->Flush(flush, store_.database().family(kArticles)).ok());
  rocksdb::TablePropertiesCollection tables;
  ASSERT_TRUE(store_.database()
                  .db()
                  ->GetPropertiesOfAllTables(store_.database().family(kArticles), &tables)
                  .ok());
  ASSERT_EQ(tables.size(), 1u);
  const std::string file = tables.begin()->first;
  const rocksdb::TableProperties& table = *tables.begin()->second;
  ASSERT_GE(table.num_data_blocks, 3u);
  // A byte two thirds into the data blocks: its block fails its checksum.
  FlipByte(file, table.data_size * 2 / 3);
  store_.Reopen();

  v1::VerifyRequest request;
  request.set_page_size(kMaxVerifyPageSize);
  v1::VerifyResponse response;
  const absl::Status status = VerifyArticles(store_.database(), request, &response);
  ASSERT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  ASSERT_GT(response.checked(), 0u);
  ASSERT_LT(response.checked(), articles_.size());
  // Key order is publication order here: one source.
  const std::string last_read = articles_[response.checked() - 1].id();
  EXPECT_NE(status.message().find("storage damaged after article " + last_read),
            std::string::npos)
      << status;
}

}  // namespace
}  // namespace archive::store
