#include "store/posting_codec.h"

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

void AppendBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>(value >> shift));
  }
}

}  // namespace

std::string DocumentKey(uint64_t document) {
  std::string key;
  key.reserve(kDocumentKeyLength);
  AppendBigEndian(document, &key);
  return key;
}

std::optional<uint64_t> DecodeDocumentKey(std::string_view key) {
  if (key.size() != kDocumentKeyLength) return std::nullopt;
  uint64_t document = 0;
  for (char c : key) document = document << 8 | static_cast<unsigned char>(c);
  return document;
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
  AppendBigEndian(first_document, &key);
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
  if (corrupt_) return false;
  if (started_) positions_offset_ += positions_bytes_;
  size_t at = 0;
  if (documents_.empty()) return false;
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

}  // namespace archive::store
