#include "common/fingerprint.h"

#include "gtest/gtest.h"

namespace archive {
namespace {

TEST(ContentDigestTest, IsSha256OfTitleBlankLineBody) {
  // printf 'Title\n\nBody' | sha256sum
  EXPECT_EQ(ContentDigest("Title", "Body"),
            "45777c14d90fa79dc6ce71ceb6f81cced62c929c472199547cfd939a54e954c6");
  EXPECT_EQ(ContentDigest("", ""),
            // printf '\n\n' | sha256sum
            "75a11da44c802486bc6f65640aa48a730f0f684c5c07a42ba3cd1735eb3fb070");
}

TEST(ContentDigestTest, SeparatesTitleFromBody) {
  EXPECT_NE(ContentDigest("a", "b c"), ContentDigest("a b", "c"));
  EXPECT_TRUE(IsWellFormedDigest(ContentDigest("a", "b")));
}

TEST(IdFromDigestTest, IsTheFirst128Bits) {
  const std::string digest = ContentDigest("t", "b");
  const std::string id = IdFromDigest(digest);
  EXPECT_EQ(id, digest.substr(0, 32));
  EXPECT_TRUE(IsWellFormedId(id));
}

TEST(IsWellFormedIdTest, RejectsWrongLengthAndCase) {
  EXPECT_FALSE(IsWellFormedId(""));
  EXPECT_FALSE(IsWellFormedId("0123456789abcdef0123456789abcde"));
  EXPECT_FALSE(IsWellFormedId("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(IsWellFormedId("0123456789abcdef0123456789abcdeg"));
  EXPECT_TRUE(IsWellFormedId("0123456789abcdef0123456789abcdef"));
}

}  // namespace
}  // namespace archive
