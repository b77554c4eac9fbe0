#include "store/posting_codec.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
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

// Where a reader is: the posting, its frequency and positions.
struct ReaderState {
  uint64_t document;
  uint32_t frequency;
  std::vector<uint32_t> positions;
  bool operator==(const ReaderState& other) const {
    return document == other.document && frequency == other.frequency &&
           positions == other.positions;
  }
};

ReaderState StateOf(const PostingListReader& reader) {
  ReaderState state{reader.document(), reader.frequency(), {}};
  EXPECT_TRUE(reader.Positions(&state.positions));
  return state;
}

TEST(PostingListTest, SkipToStopsWhereNextWouldAndKeepsThePositions) {
  // Short gaps and small frequencies (the three-byte postings SkipTo passes
  // over on its own) mixed with long gaps and many positions (which it
  // leaves to Next), from document 0 on.
  std::mt19937_64 random(7);
  PostingListWriter writer;
  std::vector<uint64_t> documents;
  uint64_t document = 0;
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) document += random() % 10 == 0 ? 1 + random() % 5000 : 1 + random() % 100;
    std::vector<uint32_t> positions;
    const int count = random() % 20 == 0 ? 200 : 1 + random() % 4;
    for (int k = 0; k < count; ++k) positions.push_back(k * 3 + random() % 3);
    writer.Add(document, positions);
    documents.push_back(document);
  }
  for (int trial = 0; trial < 300; ++trial) {
    PostingListReader skipping(writer.documents(), writer.positions());
    PostingListReader stepping(writer.documents(), writer.positions());
    uint64_t target = 0;
    bool stepped = stepping.Next();
    for (;;) {
      target += random() % 400;
      const bool found = skipping.SkipTo(target);
      while (stepped && stepping.document() < target) stepped = stepping.Next();
      ASSERT_EQ(found, stepped) << "target " << target;
      if (!found) break;
      ASSERT_EQ(StateOf(skipping), StateOf(stepping)) << "target " << target;
      // A target behind the posting leaves the reader where it is.
      ASSERT_TRUE(skipping.SkipTo(target > 0 ? target - 1 : 0));
      ASSERT_EQ(skipping.document(), stepping.document());
    }
    EXPECT_FALSE(skipping.corrupt());
  }
  // The first posting, at document 0.
  PostingListReader reader(writer.documents(), writer.positions());
  ASSERT_TRUE(reader.SkipTo(0));
  EXPECT_EQ(reader.document(), 0u);
}

TEST(PostingListTest, SkipToOverMalformedBytesReportsCorruption) {
  for (const std::string bad : {std::string("\x01\x01\x01\x00\x01\x01", 6),
                                std::string("\x01\x01\x01\x01\x00\x00", 6),
                                std::string("\x01\x01\x01\xff\xff\xff", 6)}) {
    PostingListReader reader(bad);
    EXPECT_FALSE(reader.SkipTo(1000));
    EXPECT_TRUE(reader.corrupt());
  }
}

std::optional<BlockTable> Decoded(std::string_view value) {
  BlockTable table;
  if (!DecodeBlockTable(value, &table)) return std::nullopt;
  return table;
}

// A list of `count` postings, mostly 2 documents apart, every 50th 300 (a
// gap of two bytes), with frequencies and lengths that vary.
struct LongList {
  PostingListWriter writer;
  std::vector<uint32_t> lengths;  // by document
};
LongList MakeLongList(uint32_t count) {
  LongList list;
  std::mt19937 random(7);
  uint64_t document = 1;
  for (uint32_t i = 0; i < count; ++i) {
    document += i % 50 == 0 ? 300 : 2;
    std::vector<uint32_t> positions;
    for (uint32_t f = 0, n = 1 + random() % 6; f < n; ++f) {
      positions.push_back(f * 3 + random() % 3);
    }
    list.writer.Add(document, positions);
    if (list.lengths.size() <= document) list.lengths.resize(document + 1);
    list.lengths[document] = 20 + random() % 400;
  }
  return list;
}

TEST(BlockTableTest, AListOfABlockOrLessHasNone) {
  const LongList list = MakeLongList(kPostingsPerBlock);
  EXPECT_EQ(EncodeBlockTable(list.writer, [](uint64_t) { return 10u; }), "");
}

TEST(BlockTableTest, BlocksEndWhereTheirPostingsDoAndKeepTheirPeaks) {
  const uint32_t count = 3 * kPostingsPerBlock + 17;
  const LongList list = MakeLongList(count);
  auto length_of = [&](uint64_t document) { return list.lengths[document]; };
  std::optional<BlockTable> table =
      Decoded(EncodeBlockTable(list.writer, length_of));
  ASSERT_TRUE(table.has_value());
  ASSERT_EQ(table->blocks.size(), 4u);

  PostingListReader reader(list.writer.documents(), list.writer.positions());
  for (size_t b = 0; b < table->blocks.size(); ++b) {
    const BlockTable::Block& block = table->blocks[b];
    std::vector<BlockTable::Peak> postings;
    for (uint32_t i = 0; i < kPostingsPerBlock && reader.Next(); ++i) {
      postings.push_back({reader.frequency(), length_of(reader.document())});
    }
    EXPECT_EQ(block.last_document, reader.document()) << b;
    EXPECT_EQ(block.documents_end,
              list.writer.documents().size() - reader.documents_left());
    EXPECT_EQ(block.positions_end, reader.positions_end());
    // Every posting has a peak at least as frequent in a document at most
    // as long, and no peak outranks another on both.
    const std::vector<BlockTable::Peak> peaks(table->peaks.begin() + block.peaks_begin,
                                              table->peaks.begin() + block.peaks_end);
    ASSERT_FALSE(peaks.empty());
    for (const BlockTable::Peak& posting : postings) {
      EXPECT_TRUE(std::any_of(peaks.begin(), peaks.end(), [&](const auto& peak) {
        return peak.frequency >= posting.frequency && peak.length <= posting.length;
      }));
    }
    for (const BlockTable::Peak& a : peaks) {
      EXPECT_TRUE(std::any_of(postings.begin(), postings.end(), [&](const auto& p) {
        return p.frequency == a.frequency && p.length == a.length;
      }));
      for (const BlockTable::Peak& b : peaks) {
        if (&a == &b) continue;
        EXPECT_FALSE(a.frequency >= b.frequency && a.length <= b.length);
      }
    }
  }
  EXPECT_FALSE(reader.Next());
}

TEST(BlockTableTest, AReaderStartedAtABlockReadsTheRestOfTheList) {
  const LongList list = MakeLongList(2 * kPostingsPerBlock + 5);
  std::optional<BlockTable> table = Decoded(
      EncodeBlockTable(list.writer, [](uint64_t) { return 100u; }));
  ASSERT_TRUE(table.has_value());
  const BlockTable::Block& before = table->blocks[0];

  PostingListReader whole(list.writer.documents(), list.writer.positions());
  for (uint32_t i = 0; i < kPostingsPerBlock; ++i) ASSERT_TRUE(whole.Next());
  PostingListReader rest(
      std::string_view(list.writer.documents()).substr(before.documents_end),
      std::string_view(list.writer.positions()).substr(before.positions_end),
      before.last_document);
  std::vector<uint32_t> expected, positions;
  int read = 0;
  while (whole.Next()) {
    ASSERT_TRUE(rest.Next());
    EXPECT_EQ(rest.document(), whole.document());
    EXPECT_EQ(rest.frequency(), whole.frequency());
    ASSERT_TRUE(whole.Positions(&expected));
    ASSERT_TRUE(rest.Positions(&positions));
    EXPECT_EQ(positions, expected);
    ++read;
  }
  EXPECT_FALSE(rest.Next());
  EXPECT_FALSE(rest.corrupt());
  EXPECT_EQ(read, kPostingsPerBlock + 5);
}

TEST(BlockTableTest, MalformedTablesDoNotDecode) {
  const LongList list = MakeLongList(2 * kPostingsPerBlock);
  const std::string table =
      EncodeBlockTable(list.writer, [](uint64_t) { return 100u; });
  ASSERT_TRUE(Decoded(table).has_value());
  EXPECT_FALSE(Decoded("").has_value());
  for (size_t cut = 1; cut < table.size(); ++cut) {
    std::optional<BlockTable> cut_table =
        Decoded(std::string_view(table).substr(0, cut));
    // A cut between blocks decodes, to fewer blocks; any other does not.
    if (cut_table.has_value()) EXPECT_EQ(cut_table->blocks.size(), 1u) << cut;
  }
  // A block that ends before the one ahead of it; a block with no peaks; a
  // peak of frequency 0.
  for (const std::string bad :
       {std::string("\x05\x03\x03\x01\x01\x01" "\x00\x03\x03\x01\x01\x01", 12),
        std::string("\x05\x03\x03\x00", 4),
        std::string("\x05\x03\x03\x01\x00\x01", 6)}) {
    EXPECT_FALSE(Decoded(bad).has_value());
  }
}

}  // namespace
}  // namespace archive::store
