#include "store/posting_codec.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace archive::store {
namespace {

TEST(DocumentKeyTest, SortsInDocumentOrder) {
  EXPECT_EQ(DocumentKey(0), std::string(8, '\0'));
  EXPECT_LT(DocumentKey(255), DocumentKey(256));
  EXPECT_LT(DocumentKey(1), DocumentKey(uint64_t{1} << 40));
  EXPECT_EQ(DecodeDocumentKey(DocumentKey(123456789)), 123456789u);
  EXPECT_FALSE(DecodeDocumentKey("short").has_value());
}

TEST(DocumentRecordTest, RoundTrips) {
  const std::string key = std::string("example.com\0", 12) + std::string(28, 'x');
  const std::string value = EncodeDocumentRecord(912, key);
  std::optional<DocumentRecord> record = DecodeDocumentRecord(value);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->length, 912u);
  EXPECT_EQ(record->article_key, key);
  EXPECT_FALSE(DecodeDocumentRecord("").has_value());
  EXPECT_FALSE(DecodeDocumentRecord("\x80").has_value());
  EXPECT_FALSE(DecodeDocumentRecord("\x05").has_value());  // no key
}

TEST(SegmentKeyTest, IsTermThenFirstDocument) {
  const std::string key = SegmentKey("news", 7);
  EXPECT_EQ(key, std::string("news\0", 5) + DocumentKey(7));
  EXPECT_EQ(key.substr(0, 5), PostingPrefix("news"));
  EXPECT_LT(SegmentKey("news", 7), SegmentKey("news", 4096));
  EXPECT_LT(SegmentKey("news", ~uint64_t{0}), PostingLimit("news"));
  EXPECT_LT(PostingLimit("new"), PostingPrefix("news"));
}

TEST(PostingListTest, RoundTripsDocumentsFrequenciesAndPositions) {
  PostingListWriter writer;
  writer.Add(3, {0, 7, 200});
  writer.Add(4, {1});
  writer.Add(100000, {5, 6});
  writer.Add(uint64_t{1} << 40, {70000});
  EXPECT_EQ(writer.count(), 4u);
  EXPECT_EQ(writer.last_document(), uint64_t{1} << 40);

  PostingListReader reader(writer.documents(), writer.positions());
  std::vector<uint32_t> positions;
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.document(), 3u);
  EXPECT_EQ(reader.frequency(), 3u);
  ASSERT_TRUE(reader.Positions(&positions));
  EXPECT_EQ(positions, (std::vector<uint32_t>{0, 7, 200}));
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.document(), 4u);
  // Positions are optional per posting: skipping them keeps the place.
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.document(), 100000u);
  ASSERT_TRUE(reader.Positions(&positions));
  EXPECT_EQ(positions, (std::vector<uint32_t>{5, 6}));
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.document(), uint64_t{1} << 40);
  EXPECT_EQ(reader.frequency(), 1u);
  ASSERT_TRUE(reader.Positions(&positions));
  EXPECT_EQ(positions, (std::vector<uint32_t>{70000}));
  EXPECT_FALSE(reader.Next());
  EXPECT_FALSE(reader.corrupt());
}

TEST(PostingListTest, PositionsCanBeGivenLater) {
  PostingListWriter writer;
  writer.Add(9, {2, 4});
  PostingListReader reader(writer.documents());
  ASSERT_TRUE(reader.Next());
  std::vector<uint32_t> positions;
  EXPECT_FALSE(reader.Positions(&positions));
  reader.SetPositions(writer.positions());
  ASSERT_TRUE(reader.Positions(&positions));
  EXPECT_EQ(positions, (std::vector<uint32_t>{2, 4}));
}

TEST(PostingListTest, EmptyListHasNoPostings) {
  PostingListReader reader("");
  EXPECT_FALSE(reader.Next());
  EXPECT_FALSE(reader.corrupt());
}

TEST(PostingListTest, MalformedBytesEndTheListAsCorrupt) {
  PostingListWriter writer;
  writer.Add(1, {1, 2});
  writer.Add(2, {3});
  const std::string& documents = writer.documents();
  // Every truncation either reads fewer postings or reports corruption,
  // never reads out of bounds.
  for (size_t cut = 0; cut < documents.size(); ++cut) {
    PostingListReader reader(std::string_view(documents).substr(0, cut),
                             writer.positions());
    int read = 0;
    while (reader.Next()) ++read;
    EXPECT_LT(read, 2);
    if (cut % 3 != 0) EXPECT_TRUE(reader.corrupt()) << cut;
  }
  // A second posting at the same document, a zero frequency, a varint that
  // never ends.
  for (const std::string bad : {std::string("\x01\x01\x01\x00\x01\x01", 6),
                                std::string("\x01\x00\x00", 3),
                                std::string("\xff\xff\xff", 3)}) {
    PostingListReader reader(bad);
    while (reader.Next()) {
    }
    EXPECT_TRUE(reader.corrupt());
  }
  // Positions shorter than they claim.
  PostingListReader reader(documents, writer.positions().substr(0, 1));
  ASSERT_TRUE(reader.Next());
  std::vector<uint32_t> positions;
  EXPECT_FALSE(reader.Positions(&positions));
}

}  // namespace
}  // namespace archive::store
