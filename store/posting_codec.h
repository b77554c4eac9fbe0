// The full-text index's layout in RocksDB. Every indexed article has a
// document number, assigned in the order articles are stored; the postings
// refer to articles by it, in segments of consecutive documents:
//
//   documents CF       document                  -> length, article key
//   unindexed CF       document                  -> ""
//   term_postings CF   term 0x00 first_document  -> PostingList documents
//   term_positions CF  term 0x00 first_document  -> PostingList positions
//   term_counts CF     term                      -> document frequency
//
// `document` is 8 bytes big-endian, so keys sort in document order. An
// article's documents entry, and its unindexed marker, are written in the
// batch that stores it; its postings are held in memory (memory_index.h)
// until a whole segment of documents is written out, in one batch with the
// deletion of their unindexed markers. So the unindexed family lists exactly
// the documents whose postings a crash would lose, and opening the database
// indexes them again.
//
// A term is non-empty and holds no 0x00, as archive::Tokenize makes it, so
// one term's segments never interleave with another's.
//
// A posting list is two byte strings. The documents part holds, per posting
// in ascending document order, three varints: the document as the delta
// from the one before (from 0 for the first), the term's frequency in it, and
// the bytes its positions take. The positions part holds each posting's
// positions, ascending, as varint deltas (the first from 0). A search that
// needs no positions reads only the documents part, a few bytes a posting.
//
// Private to store/: nothing outside this folder builds a RocksDB key.
#ifndef STORE_POSTING_CODEC_H_
#define STORE_POSTING_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archive::store {

inline constexpr size_t kDocumentKeyLength = 8;

std::string DocumentKey(uint64_t document);
// nullopt unless `key` is kDocumentKeyLength bytes.
std::optional<uint64_t> DecodeDocumentKey(std::string_view key);

// A documents entry: the article's length in terms and where it is stored.
struct DocumentRecord {
  uint32_t length = 0;
  std::string_view article_key;  // points into the decoded value
};
std::string EncodeDocumentRecord(uint32_t length, std::string_view article_key);
std::optional<DocumentRecord> DecodeDocumentRecord(std::string_view value);

// term 0x00: every segment of `term` starts with it.
std::string PostingPrefix(std::string_view term);
// term 0x00 first_document: the segment of `term` from `first_document` on.
std::string SegmentKey(std::string_view term, uint64_t first_document);
// term 0x01: the first key after every segment of `term`.
std::string PostingLimit(std::string_view term);

// Appends postings in ascending document order.
class PostingListWriter {
 public:
  // `positions` ascending and non-empty; `document` above the last added.
  void Add(uint64_t document, const std::vector<uint32_t>& positions);

  // Postings added.
  uint32_t count() const { return count_; }
  uint64_t last_document() const { return last_document_; }
  const std::string& documents() const { return documents_; }
  const std::string& positions() const { return positions_; }

 private:
  uint32_t count_ = 0;
  uint64_t last_document_ = 0;
  std::string documents_;
  std::string positions_;
};

// Reads a posting list; the bytes must outlive it. Malformed bytes end the
// list early with corrupt() set, never a read out of bounds.
class PostingListReader {
 public:
  PostingListReader() = default;
  // `positions` may be empty when Positions() is not called.
  explicit PostingListReader(std::string_view documents,
                             std::string_view positions = {})
      : documents_(documents), positions_(positions) {}

  // Moves to the next posting (the first, on the first call); false at the
  // end of the list.
  bool Next() {
    // Most postings are three one-byte varints: read those here, inlined
    // into the search's loop.
    if (documents_.size() >= 3 && !corrupt_) {
      const auto* bytes = reinterpret_cast<const unsigned char*>(documents_.data());
      if (((bytes[0] | bytes[1] | bytes[2]) & 0x80) == 0 && bytes[1] != 0 &&
          (bytes[0] != 0 || !started_)) {
        if (started_) positions_offset_ += positions_bytes_;
        document_ += bytes[0];
        frequency_ = bytes[1];
        positions_bytes_ = bytes[2];
        documents_.remove_prefix(3);
        started_ = true;
        return true;
      }
    }
    return NextSlowly();
  }

  uint64_t document() const { return document_; }
  uint32_t frequency() const { return frequency_; }
  // The current posting's positions; false when they do not decode.
  bool Positions(std::vector<uint32_t>* out) const;
  // Gives the positions part, for a list read without it.
  void SetPositions(std::string_view positions) { positions_ = positions; }
  bool corrupt() const { return corrupt_; }

 private:
  // Next() for any posting, and at the end of the list.
  bool NextSlowly();

  std::string_view documents_;
  std::string_view positions_;
  bool started_ = false;
  bool corrupt_ = false;
  uint64_t document_ = 0;
  uint32_t frequency_ = 0;
  size_t positions_offset_ = 0;  // of the current posting
  uint32_t positions_bytes_ = 0;
};

}  // namespace archive::store

#endif  // STORE_POSTING_CODEC_H_
