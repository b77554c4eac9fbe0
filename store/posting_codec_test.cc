#include "store/posting_codec.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/article_key.h"

namespace archive::store {
namespace {

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return time;
}

constexpr char kId[] = "0123456789abcdef0123456789abcdef";

TEST(PostingKeyTest, IsPrefixThenTimeAndId) {
  const ArticlePosition at{At(1'673'568'000), kId};
  const std::string key = PostingKey("news", at);
  EXPECT_EQ(key, std::string("news\0", 5) + TimeKey(at));
  EXPECT_EQ(key.substr(0, 5), PostingPrefix("news"));
  auto document = PostingDocument(key, 4);
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(*document, TimeKey(at));
  EXPECT_FALSE(PostingDocument(key, 3).has_value());
  EXPECT_FALSE(PostingDocument(key.substr(0, key.size() - 1), 4).has_value());
}

TEST(PostingKeyTest, OneTermsPostingsAreContiguousAndInTimeOrder) {
  const ArticlePosition early{At(1'000'000'000), kId};
  const ArticlePosition late{At(1'700'000'000), kId};
  // "new" is a prefix of "news": none of its keys may fall among news's.
  std::vector<std::string> keys = {
      PostingKey("new", early), PostingKey("new", late),
      PostingKey("news", early), PostingKey("news", late),
      PostingKey("new\xc3\xa9", early)};
  for (const std::string& key : keys) {
    if (key.rfind(PostingPrefix("new"), 0) == 0) {
      EXPECT_LT(key, PostingLimit("new"));
    } else {
      EXPECT_GE(key, PostingLimit("new"));
    }
  }
  EXPECT_LT(PostingKey("news", early), PostingKey("news", late));
  EXPECT_LT(PostingLimit("new"), PostingPrefix("news"));
}

TEST(PostingTest, RoundTrips) {
  const std::vector<uint32_t> positions = {0,   1,      7,
                                           200, 70'000, 4'000'000'000u};
  const std::string value = EncodePosting(1234, "aawsat.com", positions);
  auto posting = DecodePosting(value);
  ASSERT_TRUE(posting.has_value());
  EXPECT_EQ(posting->document_length, 1234u);
  EXPECT_EQ(posting->source, "aawsat.com");
  EXPECT_EQ(posting->positions, positions);
  EXPECT_EQ(DecodePostingSource(value),
            std::optional<std::string_view>("aawsat.com"));
}

TEST(PostingTest, SmallPositionsTakeOneByteEach) {
  // Length, source length, source, count, then one byte a delta.
  EXPECT_EQ(EncodePosting(100, "a.com", {3, 10, 12}).size(),
            1u + 1 + 5 + 1 + 3);
}

TEST(PostingTest, MalformedValuesDoNotDecode) {
  const std::string good = EncodePosting(5, "a.com", {1, 2});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(DecodePosting(good.substr(0, cut)).has_value()) << cut;
  }
  EXPECT_FALSE(DecodePosting(good + "x").has_value());
  EXPECT_FALSE(DecodePosting(EncodePosting(5, "a.com", {})).has_value());
  // A repeated position (a zero delta) and an over-long varint.
  EXPECT_FALSE(DecodePosting(EncodePosting(5, "a.com", {4, 4})).has_value());
  EXPECT_FALSE(
      DecodePosting(std::string("\xff\xff\xff\xff\xff\x01", 6)).has_value());
  EXPECT_FALSE(DecodePostingSource("\x05\x09"
                                   "short")
                   .has_value());
}

}  // namespace
}  // namespace archive::store
