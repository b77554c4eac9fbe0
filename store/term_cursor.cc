#include "store/term_cursor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "store/rocksdb_status.h"

namespace archive::store {

TermCursor::TermCursor(const StoredLists& stored, const std::string& term,
                       const Weight& weight, const MemoryLists& memory)
    : db_(stored.db),
      positions_family_(stored.positions),
      blocks_family_(stored.blocks),
      read_options_(stored.read_options),
      term_(term),
      lower_(PostingPrefix(term)),
      upper_(PostingLimit(term)),
      lower_slice_(lower_),
      upper_slice_(upper_),
      weight_(weight),
      memory_(memory) {
  rocksdb::ReadOptions bounded = stored.read_options;
  bounded.iterate_lower_bound = &lower_slice_;
  bounded.iterate_upper_bound = &upper_slice_;
  it_.reset(db_->NewIterator(bounded, stored.postings));
  it_->SeekToFirst();
  StartSegment();
  Advance();
}

absl::Status TermCursor::Positions(std::vector<uint32_t>* out) {
  if (stage_ == kStored && !positions_loaded_) {
    stored_positions_.Reset();
    rocksdb::Status status = db_->Get(read_options_, positions_family_,
                                      segment_key_, &stored_positions_);
    if (!status.ok()) {
      return FromRocksDbStatus(status, "reading the positions of a posting");
    }
    positions_loaded_ = true;
    GiveStoredPositions();
  }
  if (!reader_.Positions(out)) {
    return absl::DataLossError("the positions of a posting do not decode");
  }
  return absl::OkStatus();
}

void TermCursor::StartSegment() {
  positions_loaded_ = false;
  positions_base_ = 0;
  has_table_ = false;
  if (stage_ == kStored) {
    if (it_->Valid()) {
      segment_key_ = it_->key().ToString();
      segment_documents_ = it_->value().ToStringView();
      reader_ = PostingListReader(segment_documents_);
      LoadBlockTable();
      return;
    }
    if (!it_->status().ok()) {
      status_ = FromRocksDbStatus(it_->status(), "reading postings");
      stage_ = kDone;
      return;
    }
    stage_ = kFrozen;
    if (memory_.frozen != nullptr) {
      reader_ = PostingListReader(memory_.frozen->documents(),
                                  memory_.frozen->positions());
      return;
    }
  }
  if (stage_ == kFrozen) {
    stage_ = kActive;
    if (memory_.active_documents != nullptr) {
      reader_ = PostingListReader(*memory_.active_documents,
                                  memory_.active_positions == nullptr
                                      ? std::string_view()
                                      : std::string_view(*memory_.active_positions));
      return;
    }
  }
  stage_ = kDone;
}

void TermCursor::LoadBlockTable() {
  block_ = 0;
  // Every posting takes 3 bytes at least: a list this short has one block
  // at most, and no table.
  if (segment_documents_.size() <= 3 * kPostingsPerBlock) return;
  rocksdb::PinnableSlice value;
  rocksdb::Status status =
      db_->Get(read_options_, blocks_family_, segment_key_, &value);
  if (status.IsNotFound()) return;
  if (!status.ok()) {
    Fail(FromRocksDbStatus(status, "reading a block table"));
    return;
  }
  if (!DecodeBlockTable(value.ToStringView(), &table_) ||
      table_.blocks.back().documents_end != segment_documents_.size()) {
    Fail(absl::DataLossError(
        absl::StrCat("the block table of \"", term_, "\" does not decode")));
    return;
  }
  bounds_.assign(table_.blocks.size(), -1);
  has_table_ = true;
}

void TermCursor::StartBlock(size_t b) {
  const BlockTable::Block& before = table_.blocks[b - 1];
  reader_ = PostingListReader(segment_documents_.substr(before.documents_end),
                              {}, before.last_document);
  positions_base_ = before.positions_end;
  block_ = b;
  if (positions_loaded_) GiveStoredPositions();
}

void TermCursor::GiveStoredPositions() {
  const std::string_view all = stored_positions_.ToStringView();
  // Out of range, the reader gets none, and Positions() fails.
  reader_.SetPositions(positions_base_ <= all.size() ? all.substr(positions_base_)
                                                     : std::string_view());
}

void TermCursor::Fail(absl::Status status) {
  status_ = std::move(status);
  stage_ = kDone;
  reader_ = PostingListReader();
  has_table_ = false;
}

void TermCursor::FailPastBlockTable() {
  Fail(absl::DataLossError(
      absl::StrCat("the postings of \"", term_, "\" pass their block table")));
}

void TermCursor::FailUndecodable() {
  status_ = absl::DataLossError(
      absl::StrCat("the postings of \"", term_, "\" do not decode"));
}

}  // namespace archive::store
