#include "store/term_cursor.h"

#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/full_text.h"
#include "store/posting_codec.h"

namespace archive::store {
namespace {

constexpr char kTerm[] = "cedar";

// A RocksDB database with the three families a cursor reads, and segments
// of one term written into it as the full-text index writes them.
class TermCursorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/term_cursor_XXXXXX";
    path_ = mkdtemp(pattern.data());
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {"term_postings", {}},
        {"term_positions", {}},
        {"term_blocks", {}},
    };
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path_, families, &handles_, &db).ok());
    db_.reset(db);
  }

  void TearDown() override {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle);
    }
    db_.reset();
  }

  // Writes a segment of `kTerm` holding `documents`, each at positions
  // {document % 7, document % 7 + 3}, with a block table when it is long.
  void WriteSegment(const std::vector<uint64_t>& documents) {
    PostingListWriter list;
    for (uint64_t document : documents) list.Add(document, Positions(document));
    const std::string key = SegmentKey(kTerm, documents.front());
    rocksdb::WriteBatch batch;
    batch.Put(handles_[1], key, list.documents());
    batch.Put(handles_[2], key, list.positions());
    const std::string blocks =
        EncodeBlockTable(list, [](uint64_t document) -> uint32_t {
          return 10 + document % 50;
        });
    if (!blocks.empty()) batch.Put(handles_[3], key, blocks);
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }

  static std::vector<uint32_t> Positions(uint64_t document) {
    const uint32_t first = static_cast<uint32_t>(document % 7);
    return {first, first + 3};
  }

  std::unique_ptr<TermCursor> Cursor(const TermCursor::MemoryLists& memory = {}) {
    TermCursor::StoredLists stored;
    stored.db = db_.get();
    stored.postings = handles_[1];
    stored.positions = handles_[2];
    stored.blocks = handles_[3];
    return std::make_unique<TermCursor>(stored, kTerm,
                                        TermCursor::Weight{1.5, &bm25_}, memory);
  }

  static std::vector<uint64_t> Read(TermCursor* cursor) {
    std::vector<uint64_t> read;
    for (; cursor->Valid(); cursor->Next()) read.push_back(cursor->document());
    return read;
  }

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  const Bm25 bm25_{1000, 30000};
};

std::vector<uint64_t> Range(uint64_t first, uint64_t end, uint64_t step = 1) {
  std::vector<uint64_t> documents;
  for (uint64_t d = first; d < end; d += step) documents.push_back(d);
  return documents;
}

TEST_F(TermCursorTest, AnUnknownTermHasNoPostings) {
  std::unique_ptr<TermCursor> cursor = Cursor();
  EXPECT_FALSE(cursor->Valid());
  EXPECT_TRUE(cursor->status().ok());
}

TEST_F(TermCursorTest, ReadsStoredSegmentsThenFrozenThenActiveInOrder) {
  WriteSegment({1, 4, 9});
  WriteSegment({12, 20});
  PostingListWriter frozen;
  frozen.Add(30, {0});
  frozen.Add(31, {2});
  PostingListWriter active;
  active.Add(40, {5});
  TermCursor::MemoryLists memory;
  memory.frozen = &frozen;
  memory.active_documents = &active.documents();
  memory.active_positions = &active.positions();
  std::unique_ptr<TermCursor> cursor = Cursor(memory);
  EXPECT_EQ(Read(cursor.get()), (std::vector<uint64_t>{1, 4, 9, 12, 20, 30, 31, 40}));
  EXPECT_TRUE(cursor->status().ok());
}

TEST_F(TermCursorTest, SkipToLandsOnTheFirstPostingAtOrAfterTheTarget) {
  WriteSegment({2, 5, 8});
  WriteSegment({100, 200});
  std::unique_ptr<TermCursor> cursor = Cursor();
  cursor->SkipTo(5);
  EXPECT_EQ(cursor->document(), 5u);
  cursor->SkipTo(5);  // already there: stays
  EXPECT_EQ(cursor->document(), 5u);
  cursor->SkipTo(9);  // past the first segment
  EXPECT_EQ(cursor->document(), 100u);
  cursor->SkipTo(201);
  EXPECT_FALSE(cursor->Valid());
}

TEST_F(TermCursorTest, AFarTargetIsReachedBySeekingItsSegment) {
  // Segments far apart: a skip of more than kSeekDistance seeks.
  for (uint64_t first = 0; first < 10 * kSeekDistance; first += kSeekDistance) {
    WriteSegment({first, first + 1, first + 2});
  }
  std::unique_ptr<TermCursor> cursor = Cursor();
  const uint64_t target = 7 * kSeekDistance + 1;
  cursor->SkipTo(target);
  ASSERT_TRUE(cursor->Valid());
  EXPECT_EQ(cursor->document(), target);
  cursor->Next();
  EXPECT_EQ(cursor->document(), target + 1);
}

TEST_F(TermCursorTest, PositionsComeFromTheSegmentAndFromMemory) {
  WriteSegment({3, 10});
  PostingListWriter active;
  active.Add(20, {4, 9});
  TermCursor::MemoryLists memory;
  memory.active_documents = &active.documents();
  memory.active_positions = &active.positions();
  std::unique_ptr<TermCursor> cursor = Cursor(memory);
  std::vector<uint32_t> positions;
  cursor->SkipTo(10);
  ASSERT_TRUE(cursor->Positions(&positions).ok());
  EXPECT_EQ(positions, Positions(10));
  cursor->Next();
  ASSERT_TRUE(cursor->Positions(&positions).ok());
  EXPECT_EQ(positions, (std::vector<uint32_t>{4, 9}));
}

TEST_F(TermCursorTest, ALongSegmentHasFiniteBlockBoundsThatHoldForItsPostings) {
  const std::vector<uint64_t> documents = Range(0, 5 * kPostingsPerBlock, 3);
  WriteSegment(documents);
  std::unique_ptr<TermCursor> cursor = Cursor();
  ASSERT_TRUE(cursor->HasBlockBound());
  for (; cursor->Valid(); cursor->Next()) {
    const double score = Bm25::TermScoreWithNorm(
        1.5, cursor->frequency(), bm25_.LengthNorm(10 + cursor->document() % 50));
    EXPECT_LE(score, cursor->BlockBound()) << cursor->document();
    EXPECT_LE(cursor->document(), cursor->BlockLast());
  }
  EXPECT_TRUE(cursor->status().ok());
}

TEST_F(TermCursorTest, ShallowSkipMovesTheBlockWithoutReadingThenSkipToReads) {
  const std::vector<uint64_t> documents = Range(0, 4 * kPostingsPerBlock);
  WriteSegment(documents);
  std::unique_ptr<TermCursor> cursor = Cursor();
  const uint64_t target = 2 * kPostingsPerBlock + 5;
  cursor->ShallowSkipTo(target);
  ASSERT_TRUE(cursor->HasBlockBound());
  EXPECT_GE(cursor->BlockLast(), target);
  EXPECT_LT(cursor->BlockLast(), target + kPostingsPerBlock);
  cursor->SkipTo(target);
  ASSERT_TRUE(cursor->Valid());
  EXPECT_EQ(cursor->document(), target);
  std::vector<uint32_t> positions;
  ASSERT_TRUE(cursor->Positions(&positions).ok());
  EXPECT_EQ(positions, Positions(target));
  EXPECT_EQ(Read(cursor.get()), Range(target, 4 * kPostingsPerBlock));
}

TEST_F(TermCursorTest, ListsInMemoryHaveNoBlockBound) {
  PostingListWriter active;
  active.Add(1, {0});
  TermCursor::MemoryLists memory;
  memory.active_documents = &active.documents();
  std::unique_ptr<TermCursor> cursor = Cursor(memory);
  ASSERT_TRUE(cursor->Valid());
  EXPECT_FALSE(cursor->HasBlockBound());
  EXPECT_TRUE(std::isinf(cursor->BlockBound()));
}

TEST_F(TermCursorTest, DamagedPostingsEndTheCursorWithDataLoss) {
  rocksdb::WriteBatch batch;
  batch.Put(handles_[1], SegmentKey(kTerm, 0), std::string("\x01\x00\x80", 3));
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  std::unique_ptr<TermCursor> cursor = Cursor();
  Read(cursor.get());
  EXPECT_FALSE(cursor->Valid());
  EXPECT_EQ(cursor->status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace archive::store
