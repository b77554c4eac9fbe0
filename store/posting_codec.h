// The full-text index's layout in RocksDB:
//
//   postings CF    term 0x00 time id   -> Posting
//   term_stats CF  term                -> document frequency    (TermCounters)
//   term_stats CF  "" (the empty key)  -> documents, total terms (TermCounters)
//
// time and id are the article key codec's (article_key.h), so one term's
// postings lie in publication order and a time range of them is a key range.
// A term is non-empty and holds no 0x00, as archive::Tokenize makes it, so
// one term's postings never interleave with another's and the empty key is
// nobody's term.
//
// A Posting value is, in varints: the document's length in terms; the length
// of its source, then the source's bytes (so a source filter needs no read
// of the article); the number of positions of the term, then the first
// position and each following one as the delta from the one before.
//
// Private to store/: nothing outside this folder builds a RocksDB key.
#ifndef STORE_POSTING_CODEC_H_
#define STORE_POSTING_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "store/article_key.h"

namespace archive::store {

// The 28 bytes `time id` that end a posting key: which article it is, and
// where it stands in publication order.
inline constexpr size_t kPostingDocumentLength = kTimeKeyLength + kIdKeyLength;

// term 0x00: every posting of `term` starts with it.
std::string PostingPrefix(std::string_view term);
// term 0x00 time id: the posting of `term` in the article at `at`.
std::string PostingKey(std::string_view term, const ArticlePosition& at);
// term 0x01: the first key after every posting of `term`.
std::string PostingLimit(std::string_view term);

// The `time id` that a posting key of a `term_size`-byte term ends with, or
// nullopt when the key is not one.
std::optional<std::string_view> PostingDocument(std::string_view key,
                                                size_t term_size);

struct Posting {
  // Terms in the article's title and body together.
  uint32_t document_length = 0;
  // Points into the decoded value.
  std::string_view source;
  // Where the term occurs, ascending; never empty.
  std::vector<uint32_t> positions;
};

std::string EncodePosting(uint32_t document_length, std::string_view source,
                          const std::vector<uint32_t>& positions);
// nullopt when `value` is not an encoded posting.
std::optional<Posting> DecodePosting(std::string_view value);
// Only the source, without decoding the positions.
std::optional<std::string_view> DecodePostingSource(std::string_view value);

// The term_stats key of the collection's totals.
inline constexpr std::string_view kCollectionStatsKey = "";

}  // namespace archive::store

#endif  // STORE_POSTING_CODEC_H_
