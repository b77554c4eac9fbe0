// TermCursor: one term's postings as a search reads them, in document
// order: the segments written out (RocksDB), then the frozen segment's list
// and the active segment's, in memory. Where a stored segment has a block
// table (posting_codec.h), SkipTo jumps over whole blocks, and BlockBound
// tells the best score a posting of the current block can give.
//
// A cursor belongs to one thread. What it reads must outlive it and not
// change under it: the RocksDB snapshot of its read options, and the lists
// in memory it is given. Not copyable or movable: its read options point
// into it. Errors end it (Valid() false) with status() saying why.
#ifndef STORE_TERM_CURSOR_H_
#define STORE_TERM_CURSOR_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rocksdb/db.h"
#include "store/full_text.h"
#include "store/posting_codec.h"

namespace archive::store {

// Postings further ahead than this many documents are reached by a seek to
// their segment rather than by reading the ones between.
inline constexpr uint64_t kSeekDistance = 2048;

class TermCursor {
 public:
  // Where the written segments are, and how to read them.
  struct StoredLists {
    rocksdb::DB* db = nullptr;
    rocksdb::ColumnFamilyHandle* postings = nullptr;
    rocksdb::ColumnFamilyHandle* positions = nullptr;
    rocksdb::ColumnFamilyHandle* blocks = nullptr;
    rocksdb::ReadOptions read_options;
  };
  // The term's lists in memory; any may be null. Without `active_positions`
  // the active list's postings have no positions.
  struct MemoryLists {
    const PostingListWriter* frozen = nullptr;
    const std::string* active_documents = nullptr;
    const std::string* active_positions = nullptr;
  };
  // How a posting of the term scores, for BlockBound.
  struct Weight {
    double idf = 0;
    const Bm25* bm25 = nullptr;
  };

  // At the term's first posting, if any.
  TermCursor(const StoredLists& stored, const std::string& term,
             const Weight& weight, const MemoryLists& memory);

  TermCursor(const TermCursor&) = delete;
  TermCursor& operator=(const TermCursor&) = delete;

  bool Valid() const { return valid_; }
  uint64_t document() const { return reader_.document(); }
  uint32_t frequency() const { return reader_.frequency(); }
  absl::Status status() const { return status_; }

  void Next() {
    if (Unstale()) return;
    Advance();
  }

  // Moves to the first posting at or after `target`; stays when the current
  // one is.
  void SkipTo(uint64_t target);

  // Moves the current block (BlockBound, BlockLast) to the one holding the
  // first posting at or after `target`, reading no posting, across segments
  // if need be; stops at a list with no block table. The posting is not
  // read: SkipTo(target) must come before document(), frequency() or
  // Positions().
  void ShallowSkipTo(uint64_t target);

  // Whether the current list has a block table, so that BlockBound is finite
  // and BlockLast means something.
  bool HasBlockBound() const { return stage_ == kStored && has_table_; }

  // The highest score a posting of the current block can have; infinity
  // when the list here has no block table (memory, or an older segment).
  double BlockBound();
  // The last document BlockBound holds for, when HasBlockBound().
  uint64_t BlockLast() const { return table_.blocks[block_].last_document; }

  // The current posting's positions.
  absl::Status Positions(std::vector<uint32_t>* out);

 private:
  enum Stage { kStored, kFrozen, kActive, kDone };

  // Starts reading the stage's list at the iterator (kStored) or the next
  // stage's.
  void StartSegment();
  // The stored segment's block table, when it has one.
  void LoadBlockTable();
  // After ShallowSkipTo: reads the current block's first posting, and true;
  // else false.
  bool Unstale();
  // Reads the stored segment from block `b` (not the first) on.
  void StartBlock(size_t b);
  // The stored segment's positions, from where the reader started.
  void GiveStoredPositions();
  void Fail(absl::Status status);
  // Advance's failures, out of its line.
  void FailPastBlockTable();
  void FailUndecodable();
  // The next posting, of this list or of the next non-empty one; with a
  // `target`, the first posting of this list at or after it, or else the
  // first of the next non-empty list.
  void Advance(std::optional<uint64_t> target = std::nullopt);

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const positions_family_;
  rocksdb::ColumnFamilyHandle* const blocks_family_;
  const rocksdb::ReadOptions read_options_;
  const std::string term_;
  const std::string lower_;
  const std::string upper_;
  const rocksdb::Slice lower_slice_;
  const rocksdb::Slice upper_slice_;
  const Weight weight_;
  const MemoryLists memory_;
  std::unique_ptr<rocksdb::Iterator> it_;

  Stage stage_ = kStored;
  bool valid_ = false;
  absl::Status status_;
  std::string segment_key_;
  std::string_view segment_documents_;  // the iterator's value
  PostingListReader reader_;
  rocksdb::PinnableSlice stored_positions_;
  bool positions_loaded_ = false;
  // Where the reader started in the segment's positions.
  size_t positions_base_ = 0;
  bool has_table_ = false;
  BlockTable table_;
  // By block: BlockBound, or -1 until asked for.
  std::vector<double> bounds_;
  size_t block_ = 0;  // of the current posting, or ShallowSkipTo's
  // ShallowSkipTo moved block_ past the reader's posting.
  bool stale_ = false;
};

// The search's inner loop calls these for every posting: defined here, so
// that they inline into it.

inline void TermCursor::SkipTo(uint64_t target) {
  Unstale();
  if (!valid_ || document() >= target) return;
  if (stage_ == kStored && target - document() > kSeekDistance) {
    // The segment that would hold `target`: the last starting at or before
    // it. The current segment starts before `target`, so there is one; the
    // reader is started again, as moving the iterator may have released
    // the value it read.
    it_->SeekForPrev(SegmentKey(term_, target));
    StartSegment();
    Advance();
  }
  // Straight to the block that would hold `target` where the lists have
  // block tables, then through its postings.
  while (valid_ && document() < target) {
    ShallowSkipTo(target);
    if (!Unstale()) Advance(target);
  }
}

inline void TermCursor::ShallowSkipTo(uint64_t target) {
  while (valid_ && stage_ == kStored && has_table_ &&
         table_.blocks[block_].last_document < target) {
    if (block_ + 1 < table_.blocks.size()) {
      ++block_;
    } else {
      it_->Next();
      StartSegment();
    }
    stale_ = true;
  }
}

inline double TermCursor::BlockBound() {
  if (!HasBlockBound()) return std::numeric_limits<double>::infinity();
  double& bound = bounds_[block_];
  if (bound < 0) {
    const BlockTable::Block& block = table_.blocks[block_];
    bound = 0;
    for (uint32_t p = block.peaks_begin; p < block.peaks_end; ++p) {
      const BlockTable::Peak& peak = table_.peaks[p];
      bound = std::max(bound, Bm25::TermScoreWithNorm(
                                  weight_.idf, peak.frequency,
                                  weight_.bm25->LengthNorm(peak.length)));
    }
  }
  return bound;
}

inline bool TermCursor::Unstale() {
  if (!stale_) return false;
  stale_ = false;
  // A first block, or a list with no table, is where StartSegment left the
  // reader: at its start.
  if (stage_ == kStored && has_table_ && block_ > 0) StartBlock(block_);
  Advance();
  return true;
}

inline void TermCursor::Advance(std::optional<uint64_t> target) {
  while (stage_ != kDone) {
    const bool read = target.has_value() ? reader_.SkipTo(*target) : reader_.Next();
    target.reset();
    if (read) {
      if (has_table_) {
        while (block_ < table_.blocks.size() &&
               reader_.document() > table_.blocks[block_].last_document) {
          ++block_;
        }
        if (block_ == table_.blocks.size()) {
          FailPastBlockTable();
          break;
        }
      }
      valid_ = true;
      return;
    }
    if (reader_.corrupt()) {
      FailUndecodable();
      break;
    }
    if (stage_ == kStored) it_->Next();
    StartSegment();
  }
  stage_ = kDone;
  valid_ = false;
}

}  // namespace archive::store

#endif  // STORE_TERM_CURSOR_H_
