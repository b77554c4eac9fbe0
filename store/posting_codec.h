// The full-text index's layout in RocksDB. Every indexed article has a
// document number, assigned in the order articles are stored; the postings
// refer to articles by it, in segments of consecutive documents:
//
//   documents CF       document                  -> length, article key
//   unindexed CF       document                  -> ""
//   term_postings CF   term 0x00 first_document  -> PostingList documents
//   term_positions CF  term 0x00 first_document  -> PostingList positions
//   term_counts CF     term                      -> document frequency
//   term_blocks CF     term 0x00 first_document  -> BlockTable of a long list
//
// `document` is 8 bytes big-endian, so keys sort in document order. An
// article's documents entry, and its unindexed marker, are written in the
// batch that stores it; its postings are held in memory (memory_segment.h)
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
// A list of more than kPostingsPerBlock postings also has a table of its
// blocks of kPostingsPerBlock postings, written with it: for each block, its
// last document, where its postings end in both parts, and its peaks, the
// postings no other in the block outranks on both counts a score rises with
// (more occurrences, a shorter document). The highest score any posting of
// the block can reach is the best of its peaks' scores, whatever the
// collection's statistics are when it is searched, so a search can pass over
// a block whose best cannot enter its page, without reading it. Segments
// written before the tables existed have none, and are read whole.
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
  // Reads a list from a block on: `documents` and `positions` start at the
  // block, and `after` is the last document of the block before it.
  PostingListReader(std::string_view documents, std::string_view positions,
                    uint64_t after)
      : documents_(documents),
        positions_(positions),
        started_(true),
        document_(after) {}

  // Moves to the next posting (the first, on the first call); false at the
  // end of the list.
  bool Next() {
    // Most postings are three one-byte varints: read those here, inlined
    // into the search's loop.
    if (documents_.size() >= 3 && !corrupt_) {
      const auto* bytes = reinterpret_cast<const unsigned char*>(documents_.data());
      if (IsShortPosting(bytes, started_)) {
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

  // Moves to the first posting whose document is at least `target`, as
  // calling Next() until then would, and true; false at the end of the list
  // (or where it does not decode). Stays where it is when the current
  // posting is there already. Postings of three one-byte varints are passed
  // over in a loop of their own: a search skipping through a common term's
  // block reads dozens of them a step.
  bool SkipTo(uint64_t target) {
    if (started_ && document_ >= target) return true;
    const auto* bytes = reinterpret_cast<const unsigned char*>(documents_.data());
    size_t left = documents_.size();
    uint64_t document = document_;
    size_t offset = positions_offset_;
    uint32_t frequency = frequency_, positions_bytes = positions_bytes_;
    bool started = started_, found = false;
    while (!corrupt_ && left >= 3 && IsShortPosting(bytes, started)) {
      if (started) offset += positions_bytes;
      document += bytes[0];
      frequency = bytes[1];
      positions_bytes = bytes[2];
      started = true;
      bytes += 3;
      left -= 3;
      if (document >= target) {
        found = true;
        break;
      }
    }
    documents_.remove_prefix(documents_.size() - left);
    document_ = document;
    positions_offset_ = offset;
    frequency_ = frequency;
    positions_bytes_ = positions_bytes;
    started_ = started;
    if (found) return true;
    while (Next()) {
      if (document_ >= target) return true;
    }
    return false;
  }

  uint64_t document() const { return document_; }
  uint32_t frequency() const { return frequency_; }
  // The current posting's positions; false when they do not decode.
  bool Positions(std::vector<uint32_t>* out) const;
  // Gives the positions part, for a list read without it.
  void SetPositions(std::string_view positions) { positions_ = positions; }
  bool corrupt() const { return corrupt_; }
  // Bytes of the positions part up to the end of the current posting's.
  size_t positions_end() const { return positions_offset_ + positions_bytes_; }
  // Bytes of the documents part not read yet.
  size_t documents_left() const { return documents_.size(); }

 private:
  // Whether the three bytes at `bytes` are a well-formed posting of three
  // one-byte varints (a delta that is not zero after the first posting, a
  // frequency that is not zero), which the fast paths read themselves.
  static bool IsShortPosting(const unsigned char* bytes, bool started) {
    return ((bytes[0] | bytes[1] | bytes[2]) & 0x80) == 0 && bytes[1] != 0 &&
           (bytes[0] != 0 || !started);
  }

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

inline constexpr uint32_t kPostingsPerBlock = 128;

// A decoded block table (see the file comment).
struct BlockTable {
  struct Peak {
    uint32_t frequency = 0;
    uint32_t length = 0;  // of the document, in terms
  };
  struct Block {
    uint64_t last_document = 0;
    // Where the block's postings end, in bytes of each part of the list.
    size_t documents_end = 0;
    size_t positions_end = 0;
    // [peaks_begin, peaks_end) of `peaks`.
    uint32_t peaks_begin = 0;
    uint32_t peaks_end = 0;
  };
  std::vector<Block> blocks;
  std::vector<Peak> peaks;
};

// The table of `list`'s blocks, or "" when it has a block or less.
// `length_of(document)` is the document's length in terms (0 when unknown,
// which only raises the bound).
template <typename LengthOf>
std::string EncodeBlockTable(const PostingListWriter& list, LengthOf length_of);
// Decodes into `table`, reusing its memory (a search decodes one a segment);
// false when `value` does not decode, or its blocks do not ascend.
bool DecodeBlockTable(std::string_view value, BlockTable* table);

// EncodeBlockTable's work once lengths are known.
class BlockTableWriter {
 public:
  void Add(uint64_t document, uint32_t frequency, uint32_t length,
           size_t documents_end, size_t positions_end);
  // The table; "" for a block or less.
  std::string Finish();

 private:
  void CloseBlock();

  std::string table_;
  uint32_t blocks_ = 0;
  std::vector<BlockTable::Peak> block_;
  uint64_t last_document_ = 0;
  uint64_t previous_last_ = 0;
  size_t documents_end_ = 0;
  size_t previous_documents_end_ = 0;
  size_t positions_end_ = 0;
  size_t previous_positions_end_ = 0;
};

template <typename LengthOf>
std::string EncodeBlockTable(const PostingListWriter& list, LengthOf length_of) {
  if (list.count() <= kPostingsPerBlock) return "";
  BlockTableWriter writer;
  PostingListReader reader(list.documents(), list.positions());
  while (reader.Next()) {
    writer.Add(reader.document(), reader.frequency(), length_of(reader.document()),
               list.documents().size() - reader.documents_left(),
               reader.positions_end());
  }
  return writer.Finish();
}

}  // namespace archive::store

#endif  // STORE_POSTING_CODEC_H_
