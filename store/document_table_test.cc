#include "store/document_table.h"

#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "store/article_key.h"

namespace archive::store {
namespace {

constexpr char kId[] = "0123456789abcdef0123456789abcdef";

ArticlePosition At(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return ArticlePosition{time, kId};
}

TEST(DocumentTableTest, KeepsWhatASearchNeeds) {
  DocumentTable table;
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find(0), nullptr);
  const std::string key = ArticleKey("example.com", At(1'700'000'000));
  ASSERT_TRUE(table.Append(key, 321));
  ASSERT_TRUE(table.AppendDead());
  ASSERT_TRUE(table.Append(ArticleKey("other.org", At(5)), 7));
  ASSERT_TRUE(table.Append(ArticleKey("example.com", At(6)), 8));
  EXPECT_EQ(table.size(), 4u);

  const DocumentInfo* info = table.Find(0);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(table.Brief(0)->length, 321u);
  EXPECT_EQ(table.Brief(0)->state, DocumentInfo::kPending);
  EXPECT_EQ(info->TimeIdKey(), TimeKey(At(1'700'000'000)));
  EXPECT_EQ(table.ArticleKey(*info), key);
  EXPECT_EQ(table.source(info->source), "example.com");
  EXPECT_EQ(table.Brief(1)->state, DocumentInfo::kDead);
  EXPECT_EQ(table.Find(3)->source, info->source);
  EXPECT_EQ(table.FindSource("other.org"), table.Find(2)->source);
  EXPECT_FALSE(table.FindSource("nowhere.net").has_value());

  table.SetState(0, DocumentInfo::kLive);
  EXPECT_EQ(table.Brief(0)->state, DocumentInfo::kLive);
  EXPECT_EQ(table.Brief(0)->length, 321u);  // the state alone changed
  EXPECT_EQ(table.Find(4), nullptr);
  EXPECT_FALSE(table.Brief(4).has_value());
}

TEST(DocumentTableTest, ALengthTooLongForABriefIsKeptAsTheLongest) {
  DocumentTable table;
  ASSERT_TRUE(table.Append(ArticleKey("example.com", At(1)), ~uint32_t{0}));
  EXPECT_EQ(table.Brief(0)->length, DocumentTable::kMaxLength);
  EXPECT_EQ(table.Brief(0)->state, DocumentInfo::kPending);
}

TEST(DocumentTableTest, RefusesKeysThatDoNotDecode) {
  DocumentTable table;
  EXPECT_FALSE(table.Append("", 1));
  EXPECT_FALSE(table.Append(std::string(29, 'x'), 1));
  EXPECT_EQ(table.size(), 0u);
}

TEST(DocumentTableTest, GrowsPastAChunkWhileRead) {
  DocumentTable table;
  const std::string key = ArticleKey("example.com", At(1));
  constexpr uint64_t kDocuments = 200'000;  // three chunks
  std::thread reader([&table] {
    uint64_t seen = 0;
    while (seen < kDocuments) {
      const uint64_t size = table.size();
      if (size > 0) {
        ASSERT_NE(table.Find(size - 1), nullptr);
        const std::optional<DocumentBrief> brief = table.Brief(size - 1);
        ASSERT_TRUE(brief.has_value());
        EXPECT_EQ(brief->length, static_cast<uint32_t>(size - 1));
      }
      seen = size;
    }
  });
  for (uint64_t i = 0; i < kDocuments; ++i) {
    ASSERT_TRUE(table.Append(key, static_cast<uint32_t>(i)));
  }
  reader.join();
  EXPECT_EQ(table.Brief(kDocuments - 1)->length, kDocuments - 1);
}

}  // namespace
}  // namespace archive::store
