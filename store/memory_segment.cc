#include "store/memory_segment.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "common/string_view.h"

namespace archive::store {

void MemorySegment::Add(uint64_t document, const IndexedText& text) {
  if (documents_ == 0) first_document_ = document;
  last_document_ = document;
  ++documents_;
  for (const auto& [term, positions] : text.positions) {
    auto [it, fresh] = terms_.try_emplace(term);
    PostingListWriter& list = it->second;
    const size_t before = list.documents().size() + list.positions().size();
    list.Add(document, positions);
    bytes_ += list.documents().size() + list.positions().size() - before;
    // The map's entry: the key, the writer and the table's slack.
    if (fresh) bytes_ += term.size() + sizeof(PostingListWriter) + 32;
  }
}

const PostingListWriter* MemorySegment::Find(std::string_view term) const {
  auto found = terms_.find(absl::string_view(term.data(), term.size()));
  return found == terms_.end() ? nullptr : &found->second;
}

void MemorySegment::TermsWithPrefix(std::string_view prefix,
                                    std::vector<std::string>* out) const {
  for (const auto& [term, list] : terms_) {
    if (absl::StartsWith(term, AbslView(prefix))) out->push_back(term);
  }
}

std::vector<std::pair<std::string_view, const PostingListWriter*>>
MemorySegment::SortedTerms() const {
  std::vector<std::pair<std::string_view, const PostingListWriter*>> sorted;
  sorted.reserve(terms_.size());
  for (const auto& [term, list] : terms_) sorted.emplace_back(term, &list);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

}  // namespace archive::store
