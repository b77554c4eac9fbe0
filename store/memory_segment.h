// The postings of the most recently stored documents, held in memory until
// there are enough of them to write out as one segment (posting_codec.h):
// one key a term for thousands of documents, instead of one a term for each.
//
// Not synchronized: ArticleDb appends under its index lock, and a segment
// stops changing once frozen for writing out, when readers may share it.
#ifndef STORE_MEMORY_SEGMENT_H_
#define STORE_MEMORY_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "store/full_text.h"
#include "store/posting_codec.h"

namespace archive::store {

class MemorySegment {
 public:
  // Adds a document's postings; documents must come in ascending order.
  void Add(uint64_t document, const IndexedText& text);

  // The postings of `term`, or nullptr when no document here holds it.
  const PostingListWriter* Find(std::string_view term) const;

  // Adds to `out` every term here that starts with `prefix`, in no order.
  void TermsWithPrefix(std::string_view prefix, std::vector<std::string>* out) const;

  // Every term and its postings, sorted by term.
  std::vector<std::pair<std::string_view, const PostingListWriter*>> SortedTerms()
      const;

  bool empty() const { return documents_ == 0; }
  uint64_t documents() const { return documents_; }
  uint64_t first_document() const { return first_document_; }
  uint64_t last_document() const { return last_document_; }
  // About what the postings take in memory.
  size_t bytes() const { return bytes_; }

 private:
  absl::flat_hash_map<std::string, PostingListWriter> terms_;
  uint64_t documents_ = 0;
  uint64_t first_document_ = 0;
  uint64_t last_document_ = 0;
  size_t bytes_ = 0;
};

}  // namespace archive::store

#endif  // STORE_MEMORY_SEGMENT_H_
