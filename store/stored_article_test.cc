#include "store/stored_article.h"

#include <string>

#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace archive::store {
namespace {

v1::Article Stored() {
  return testing::MakeArticle("aawsat.com", "A title", "A body of text.",
                              testing::kJan2023);
}

TEST(StoredArticleTest, AnIntactArticleDecodes) {
  const std::string bytes = Stored().SerializeAsString();
  v1::Article article;
  ASSERT_TRUE(DecodeArticle(bytes, &article).ok());
  EXPECT_EQ(article.id(), Stored().id());
}

TEST(StoredArticleTest, TextThatNoLongerMatchesItsDigestIsDataLoss) {
  v1::Article damaged = Stored();
  damaged.set_body("A body of test.");
  v1::Article article;
  const absl::Status status = DecodeArticle(damaged.SerializeAsString(), &article);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("does not match its digest"), std::string::npos);
}

TEST(StoredArticleTest, BytesThatDoNotParseAreDataLoss) {
  v1::Article article;
  EXPECT_EQ(DecodeArticle(std::string("\xff\xff\xff", 3), &article).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeHead(std::string("\xff\xff\xff", 3), &article).code(),
            absl::StatusCode::kDataLoss);
}

TEST(StoredArticleTest, AHeadNeedsNoTextButItsIdMustMatchItsDigest) {
  v1::Article head = Stored();
  head.clear_body();
  v1::Article decoded;
  EXPECT_TRUE(DecodeHead(head.SerializeAsString(), &decoded).ok());
  EXPECT_FALSE(DecodeArticle(head.SerializeAsString(), &decoded).ok());
  head.set_id(std::string(32, '0'));
  EXPECT_EQ(DecodeHead(head.SerializeAsString(), &decoded).code(),
            absl::StatusCode::kDataLoss);
}

TEST(StoredArticleTest, AnEntryThatLeadsNowhereIsDataLoss) {
  v1::Article article;
  const absl::Status status =
      DecodeReadArticle(rocksdb::Status::NotFound(), rocksdb::Slice(), &article);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("points at no article"), std::string::npos);
}

}  // namespace
}  // namespace archive::store
