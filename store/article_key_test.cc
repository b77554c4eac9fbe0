#include "store/article_key.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace archive::store {
namespace {

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  time.set_nanos(nanos);
  return time;
}

constexpr char kIdA[] = "00000000000000000000000000000000";
constexpr char kIdB[] = "00000000000000000000000000000001";
constexpr char kIdC[] = "ff00000000000000000000000000000a";

TEST(EncodeTimeTest, ByteOrderIsTimeOrderAcross1970) {
  const std::vector<google::protobuf::Timestamp> times = {
      At(-2'000'000'000), At(-1), At(-1, 999'999'999), At(0), At(0, 1),
      At(1), At(1'673'568'000), At(1'673'568'000, 5), At(4'000'000'000)};
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_LT(EncodeTime(times[i - 1]), EncodeTime(times[i])) << i;
  }
}

TEST(EncodeTimeTest, RoundTrips) {
  for (const auto& time : {At(-86400, 7), At(0), At(1'749'000'000, 123)}) {
    auto decoded = DecodeTime(EncodeTime(time));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->seconds(), time.seconds());
    EXPECT_EQ(decoded->nanos(), time.nanos());
  }
  EXPECT_FALSE(DecodeTime("short").has_value());
  EXPECT_FALSE(DecodeTime(std::string(8, '\0') + "\xff\xff\xff\xff"));
}

TEST(EncodeIdTest, RoundTripsAndRejectsMalformed) {
  auto bytes = EncodeId(kIdC);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), kIdKeyLength);
  EXPECT_EQ(DecodeId(*bytes), kIdC);
  EXPECT_FALSE(EncodeId("xyz").has_value());
  EXPECT_FALSE(EncodeId("FF00000000000000000000000000000A").has_value());
}

TEST(ArticleKeyTest, SourcesThatArePrefixesOfEachOtherDoNotInterleave) {
  // Every key of "a.com" sorts before every key of "a.com.au", whatever the
  // times: the 0x00 after the source ends the comparison.
  const std::string early_long = ArticleKey("a.com.au", {At(0), kIdA});
  const std::string late_short = ArticleKey("a.com", {At(4'000'000'000), kIdC});
  EXPECT_LT(late_short, early_long);
  EXPECT_EQ(late_short.rfind(SourcePrefix("a.com"), 0), 0u);
  EXPECT_NE(early_long.rfind(SourcePrefix("a.com"), 0), 0u);
}

TEST(ArticleKeyTest, OrdersBySourceThenTimeThenId) {
  std::vector<std::string> keys = {
      ArticleKey("b.org", {At(5), kIdA}),   ArticleKey("a.com", {At(7), kIdA}),
      ArticleKey("a.com", {At(-3), kIdC}),  ArticleKey("a.com", {At(7), kIdB}),
      ArticleKey("a.com", {At(7, 1), kIdA}),
  };
  std::vector<std::string> expected = {keys[2], keys[1], keys[3], keys[4],
                                       keys[0]};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, expected);
}

TEST(ArticleKeyTest, EqualTimesAreOrderedById) {
  EXPECT_LT(TimeKey({At(100), kIdA}), TimeKey({At(100), kIdB}));
  EXPECT_LT(ArticleKey("s.com", {At(100), kIdB}),
            ArticleKey("s.com", {At(100), kIdC}));
}

TEST(ArticleKeyTest, SourceTimeKeyBoundsTheRange) {
  // [start, end) as keys: an article at exactly `end` sorts after the bound.
  const std::string end = SourceTimeKey("s.com", At(100));
  EXPECT_LT(ArticleKey("s.com", {At(99, 999'999'999), kIdC}), end);
  EXPECT_GT(ArticleKey("s.com", {At(100), kIdA}), end);
}

TEST(ArticleKeyTest, DecodesWhatItEncodes) {
  const std::string key = ArticleKey("aawsat.com", {At(-5, 9), kIdC});
  auto decoded = DecodeArticleKey(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->source, "aawsat.com");
  EXPECT_EQ(decoded->position.published_at.seconds(), -5);
  EXPECT_EQ(decoded->position.published_at.nanos(), 9);
  EXPECT_EQ(decoded->position.id, kIdC);

  auto by_time = DecodeTimeKey(TimeKey({At(42), kIdB}));
  ASSERT_TRUE(by_time.has_value());
  EXPECT_EQ(by_time->published_at.seconds(), 42);
  EXPECT_EQ(by_time->id, kIdB);

  EXPECT_FALSE(DecodeArticleKey("no separator").has_value());
  EXPECT_FALSE(DecodeArticleKey(std::string("s\0short", 7)).has_value());
}

TEST(UrlKeyTest, RevisionsOfOnePageAreContiguousAndInTimeOrder) {
  const std::string a = UrlKey("https://x.com/a", {At(1), kIdC});
  const std::string b = UrlKey("https://x.com/a", {At(2), kIdA});
  const std::string longer = UrlKey("https://x.com/a/b", {At(0), kIdA});
  EXPECT_LT(a, b);
  EXPECT_LT(b, longer);
}

TEST(BandKeyTest, GroupsByBandAndRoundTripsTheId) {
  const std::string key = BandKey(0x0102030405060708, kIdC);
  EXPECT_EQ(key.rfind(BandPrefix(0x0102030405060708), 0), 0u);
  EXPECT_NE(key.rfind(BandPrefix(0x0102030405060709), 0), 0u);
  EXPECT_EQ(DecodeBandKeyId(key), std::optional<std::string>(kIdC));
  EXPECT_FALSE(DecodeBandKeyId("short").has_value());
}

TEST(SignatureRecordTest, RoundTrips) {
  const std::vector<uint32_t> signature = {0, 1, 0xffffffff, 0x12345678};
  auto record = DecodeSignatureRecord(EncodeSignatureRecord(At(-7, 3), signature));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->published_at.seconds(), -7);
  EXPECT_EQ(record->published_at.nanos(), 3);
  EXPECT_EQ(record->signature, signature);
  EXPECT_FALSE(DecodeSignatureRecord("too short").has_value());
}

}  // namespace
}  // namespace archive::store
