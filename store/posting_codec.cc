#include "store/posting_codec.h"

namespace archive::store {
namespace {

void AppendVarint(uint32_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads a varint from the front of `in` and drops it; false when `in` does
// not start with one that fits 32 bits.
bool ReadVarint(std::string_view* in, uint32_t* value) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && !in->empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    if (shift == 28 && byte > 0x0f) return false;
    result |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

// Reads the document length and the source from the front of `in`.
bool ReadHead(std::string_view* in, uint32_t* document_length,
              std::string_view* source) {
  uint32_t source_size = 0;
  if (!ReadVarint(in, document_length) || !ReadVarint(in, &source_size) ||
      source_size > in->size()) {
    return false;
  }
  *source = in->substr(0, source_size);
  in->remove_prefix(source_size);
  return true;
}

}  // namespace

std::string PostingPrefix(std::string_view term) {
  std::string key;
  key.reserve(term.size() + 1 + kPostingDocumentLength);
  key.append(term);
  key.push_back('\0');
  return key;
}

std::string PostingKey(std::string_view term, const ArticlePosition& at) {
  std::string key = PostingPrefix(term);
  key.append(TimeKey(at));
  return key;
}

std::string PostingLimit(std::string_view term) {
  std::string key(term);
  key.push_back('\x01');
  return key;
}

std::optional<std::string_view> PostingDocument(std::string_view key,
                                                size_t term_size) {
  if (key.size() != term_size + 1 + kPostingDocumentLength ||
      key[term_size] != '\0') {
    return std::nullopt;
  }
  return key.substr(term_size + 1);
}

std::string EncodePosting(uint32_t document_length, std::string_view source,
                          const std::vector<uint32_t>& positions) {
  std::string value;
  value.reserve(4 + source.size() + 2 * positions.size());
  AppendVarint(document_length, &value);
  AppendVarint(static_cast<uint32_t>(source.size()), &value);
  value.append(source);
  AppendVarint(static_cast<uint32_t>(positions.size()), &value);
  uint32_t previous = 0;
  for (uint32_t position : positions) {
    AppendVarint(position - previous, &value);
    previous = position;
  }
  return value;
}

std::optional<Posting> DecodePosting(std::string_view value) {
  Posting posting;
  uint32_t count = 0;
  if (!ReadHead(&value, &posting.document_length, &posting.source) ||
      !ReadVarint(&value, &count) || count == 0 || count > value.size()) {
    return std::nullopt;
  }
  posting.positions.reserve(count);
  uint64_t position = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t delta = 0;
    if (!ReadVarint(&value, &delta) || (i > 0 && delta == 0))
      return std::nullopt;
    position += delta;
    if (position > UINT32_MAX) return std::nullopt;
    posting.positions.push_back(static_cast<uint32_t>(position));
  }
  if (!value.empty()) return std::nullopt;
  return posting;
}

std::optional<std::string_view> DecodePostingSource(std::string_view value) {
  uint32_t document_length = 0;
  std::string_view source;
  if (!ReadHead(&value, &document_length, &source)) return std::nullopt;
  return source;
}

}  // namespace archive::store
