#include "store/posting_codec.h"

#include <algorithm>

#include "common/coding.h"

namespace archive::store {
namespace {

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads a varint at `*at` of `in` and moves past it; false when `in` holds
// no complete one there that fits `max_bits`.
bool ReadVarint(std::string_view in, size_t* at, int max_bits,
                uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < max_bits && *at < in.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in[(*at)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (max_bits < 64 && (result >> max_bits) != 0) return false;
      *value = result;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string DocumentKey(uint64_t document) {
  std::string key;
  key.reserve(kDocumentKeyLength);
  AppendBigEndian(document, kDocumentKeyLength, &key);
  return key;
}

std::optional<uint64_t> DecodeDocumentKey(std::string_view key) {
  if (key.size() != kDocumentKeyLength) return std::nullopt;
  return ReadBigEndian(key);
}

std::string EncodeDocumentRecord(uint32_t length, std::string_view article_key) {
  std::string value;
  value.reserve(5 + article_key.size());
  AppendVarint(length, &value);
  value.append(article_key);
  return value;
}

std::optional<DocumentRecord> DecodeDocumentRecord(std::string_view value) {
  size_t at = 0;
  uint64_t length = 0;
  if (!ReadVarint(value, &at, 32, &length) || at == value.size()) {
    return std::nullopt;
  }
  return DocumentRecord{static_cast<uint32_t>(length), value.substr(at)};
}

std::string PostingPrefix(std::string_view term) {
  std::string key;
  key.reserve(term.size() + 1 + kDocumentKeyLength);
  key.append(term);
  key.push_back('\0');
  return key;
}

std::string SegmentKey(std::string_view term, uint64_t first_document) {
  std::string key = PostingPrefix(term);
  AppendBigEndian(first_document, kDocumentKeyLength, &key);
  return key;
}

std::string PostingLimit(std::string_view term) {
  std::string key(term);
  key.push_back('\x01');
  return key;
}

void PostingListWriter::Add(uint64_t document,
                            const std::vector<uint32_t>& positions) {
  const size_t positions_start = positions_.size();
  uint32_t previous = 0;
  for (uint32_t position : positions) {
    AppendVarint(position - previous, &positions_);
    previous = position;
  }
  AppendVarint(document - (count_ == 0 ? 0 : last_document_), &documents_);
  AppendVarint(positions.size(), &documents_);
  AppendVarint(positions_.size() - positions_start, &documents_);
  last_document_ = document;
  ++count_;
}

bool PostingListReader::NextSlowly() {
  if (corrupt_ || documents_.empty()) return false;
  if (started_) positions_offset_ += positions_bytes_;
  positions_bytes_ = 0;
  size_t at = 0;
  uint64_t delta = 0, frequency = 0, bytes = 0;
  if (!ReadVarint(documents_, &at, 64, &delta) ||
      !ReadVarint(documents_, &at, 32, &frequency) ||
      !ReadVarint(documents_, &at, 32, &bytes) || frequency == 0 ||
      (started_ && delta == 0) || document_ + delta < document_) {
    corrupt_ = true;
    return false;
  }
  documents_.remove_prefix(at);
  document_ += delta;
  frequency_ = static_cast<uint32_t>(frequency);
  positions_bytes_ = static_cast<uint32_t>(bytes);
  started_ = true;
  return true;
}

bool PostingListReader::Positions(std::vector<uint32_t>* out) const {
  out->clear();
  if (!started_ || positions_offset_ > positions_.size() ||
      positions_bytes_ > positions_.size() - positions_offset_) {
    return false;
  }
  const std::string_view bytes =
      positions_.substr(positions_offset_, positions_bytes_);
  size_t at = 0;
  uint64_t position = 0;
  for (uint32_t i = 0; i < frequency_; ++i) {
    uint64_t delta = 0;
    if (!ReadVarint(bytes, &at, 32, &delta) || (i > 0 && delta == 0)) {
      return false;
    }
    position += delta;
    if (position > UINT32_MAX) return false;
    out->push_back(static_cast<uint32_t>(position));
  }
  return at == bytes.size();
}

void BlockTableWriter::Add(uint64_t document, uint32_t frequency,
                           uint32_t length, size_t documents_end,
                           size_t positions_end) {
  block_.push_back({frequency, length});
  last_document_ = document;
  documents_end_ = documents_end;
  positions_end_ = positions_end;
  if (block_.size() == kPostingsPerBlock) CloseBlock();
}

// A block: its last document, the bytes of its postings in each part (each
// from the block before), then its peaks, as many as `count`, each a
// frequency and a length, by frequency descending (so length descending too).
void BlockTableWriter::CloseBlock() {
  if (block_.empty()) return;
  AppendVarint(last_document_ - previous_last_, &table_);
  AppendVarint(documents_end_ - previous_documents_end_, &table_);
  AppendVarint(positions_end_ - previous_positions_end_, &table_);
  // By frequency descending, then length ascending: a posting is a peak when
  // its document is shorter than every one before it.
  std::sort(block_.begin(), block_.end(),
            [](const BlockTable::Peak& a, const BlockTable::Peak& b) {
              return a.frequency != b.frequency ? a.frequency > b.frequency
                                                : a.length < b.length;
            });
  std::vector<BlockTable::Peak> peaks;
  for (const BlockTable::Peak& posting : block_) {
    if (peaks.empty() || posting.length < peaks.back().length) {
      peaks.push_back(posting);
    }
  }
  AppendVarint(peaks.size(), &table_);
  for (const BlockTable::Peak& peak : peaks) {
    AppendVarint(peak.frequency, &table_);
    AppendVarint(peak.length, &table_);
  }
  ++blocks_;
  block_.clear();
  previous_last_ = last_document_;
  previous_documents_end_ = documents_end_;
  previous_positions_end_ = positions_end_;
}

std::string BlockTableWriter::Finish() {
  const bool one_block = blocks_ == 0;
  CloseBlock();
  if (one_block) return "";
  return std::move(table_);
}

bool DecodeBlockTable(std::string_view value, BlockTable* out) {
  BlockTable& table = *out;
  table.blocks.clear();
  table.peaks.clear();
  size_t at = 0;
  while (at < value.size()) {
    BlockTable::Block block;
    const BlockTable::Block* before =
        table.blocks.empty() ? nullptr : &table.blocks.back();
    uint64_t last = 0, documents = 0, positions = 0, count = 0;
    if (!ReadVarint(value, &at, 64, &last) ||
        !ReadVarint(value, &at, 32, &documents) ||
        !ReadVarint(value, &at, 32, &positions) ||
        !ReadVarint(value, &at, 32, &count) || documents == 0 || count == 0 ||
        count > kPostingsPerBlock || (before != nullptr && last == 0)) {
      return false;
    }
    block.last_document = (before == nullptr ? 0 : before->last_document) + last;
    block.documents_end = (before == nullptr ? 0 : before->documents_end) + documents;
    block.positions_end = (before == nullptr ? 0 : before->positions_end) + positions;
    if (before != nullptr && block.last_document < before->last_document) {
      return false;
    }
    block.peaks_begin = static_cast<uint32_t>(table.peaks.size());
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t frequency = 0, length = 0;
      if (!ReadVarint(value, &at, 32, &frequency) ||
          !ReadVarint(value, &at, 32, &length) || frequency == 0) {
        return false;
      }
      table.peaks.push_back({static_cast<uint32_t>(frequency),
                             static_cast<uint32_t>(length)});
    }
    block.peaks_end = static_cast<uint32_t>(table.peaks.size());
    table.blocks.push_back(block);
  }
  return !table.blocks.empty();
}

}  // namespace archive::store
