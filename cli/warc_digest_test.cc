#include "cli/warc_digest.h"

#include "gtest/gtest.h"

namespace archive::cli {
namespace {

// Values from Python: base64.b32encode(hashlib.sha1(data).digest()).
TEST(WarcDigestTest, IsSha1InBase32) {
  EXPECT_EQ(WarcSha1Digest(""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  EXPECT_EQ(WarcSha1Digest("abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
}

TEST(WarcDigestTest, PiecesGiveTheDigestOfTheWhole) {
  WarcDigest digest;
  digest.Update("a");
  digest.Update("");
  digest.Update("bc");
  EXPECT_EQ(digest.Finish(), WarcSha1Digest("abc"));
}

TEST(WarcDigestTest, SameDigestIgnoresCaseAndSpaces) {
  EXPECT_TRUE(SameWarcDigest("sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5",
                             " SHA1:vgmt4nsha2awvor6evyxqugcnsonbwe5"));
  EXPECT_FALSE(SameWarcDigest("sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5",
                              "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"));
  EXPECT_FALSE(SameWarcDigest("", ""));
}

}  // namespace
}  // namespace archive::cli
