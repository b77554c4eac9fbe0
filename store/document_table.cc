#include "store/document_table.h"

#include <algorithm>

namespace archive::store {

std::string DocumentInfo::TimeIdKey() const {
  std::string key;
  key.reserve(kTimeKeyLength + kIdKeyLength);
  key.append(time_key());
  key.append(id_key());
  return key;
}

DocumentTable::DocumentTable()
    : chunks_(new std::atomic<Chunk*>[kMaxChunks]),
      briefs_(new std::atomic<BriefChunk*>[kMaxChunks]) {
  for (size_t i = 0; i < kMaxChunks; ++i) {
    chunks_[i].store(nullptr);
    briefs_[i].store(nullptr);
  }
}

DocumentTable::~DocumentTable() {
  for (size_t i = 0; i < kMaxChunks; ++i) {
    delete chunks_[i].load();
    delete briefs_[i].load();
  }
}

bool DocumentTable::Grow() {
  const uint64_t document = size_.load(std::memory_order_relaxed);
  const size_t chunk = document >> kChunkBits;
  if (chunk >= kMaxChunks) return false;
  if (chunks_[chunk].load(std::memory_order_relaxed) == nullptr) {
    chunks_[chunk].store(new Chunk, std::memory_order_release);
    auto* briefs = new BriefChunk;
    for (std::atomic<uint32_t>& brief : *briefs) brief.store(0, std::memory_order_relaxed);
    briefs_[chunk].store(briefs, std::memory_order_release);
  }
  return true;
}

DocumentInfo* DocumentTable::At(uint64_t document) const {
  return document < size() ? &EntryAt(document) : nullptr;
}

bool DocumentTable::Append(std::string_view article_key, uint32_t length) {
  // source 0x00 time id, the source non-empty.
  constexpr size_t kTail = 1 + kTimeKeyLength + kIdKeyLength;
  if (article_key.size() <= kTail ||
      article_key[article_key.size() - kTail] != '\0') {
    return false;
  }
  if (!Grow()) return false;
  const uint64_t document = size_.load(std::memory_order_relaxed);
  DocumentInfo* info = &EntryAt(document);

  const std::string source(article_key.substr(0, article_key.size() - kTail));
  {
    MutexLock lock(&sources_mutex_);
    auto [it, fresh] = source_index_.try_emplace(source, sources_.size());
    if (fresh) sources_.push_back(source);
    info->source = it->second;
  }
  const std::string_view tail = article_key.substr(article_key.size() - kTail + 1);
  std::copy_n(tail.data(), kTimeKeyLength, info->time.data());
  std::copy_n(tail.data() + kTimeKeyLength, kIdKeyLength, info->id.data());
  BriefAt(document).store(std::min(length, kMaxLength) << kStateBits |
                              DocumentInfo::kPending,
                          std::memory_order_relaxed);
  size_.fetch_add(1, std::memory_order_release);
  return true;
}

bool DocumentTable::AppendDead() {
  if (!Grow()) return false;
  BriefAt(size_.load(std::memory_order_relaxed))
      .store(DocumentInfo::kDead, std::memory_order_relaxed);
  size_.fetch_add(1, std::memory_order_release);
  return true;
}

const DocumentInfo* DocumentTable::Find(uint64_t document) const {
  return At(document);
}

void DocumentTable::SetState(uint64_t document, DocumentInfo::State state) {
  if (document >= size()) return;
  std::atomic<uint32_t>& brief = BriefAt(document);
  // Only the state changes; the length was set by Append.
  brief.store((brief.load(std::memory_order_relaxed) & ~kStateMask) | state,
              std::memory_order_release);
}

std::string DocumentTable::source(uint32_t index) const {
  MutexLock lock(&sources_mutex_);
  return index < sources_.size() ? sources_[index] : std::string();
}

std::optional<uint32_t> DocumentTable::FindSource(std::string_view source) const {
  MutexLock lock(&sources_mutex_);
  auto found = source_index_.find(absl::string_view(source.data(), source.size()));
  if (found == source_index_.end()) return std::nullopt;
  return found->second;
}

std::string DocumentTable::ArticleKey(const DocumentInfo& info) const {
  std::string key = source(info.source);
  key.push_back('\0');
  key.append(info.time_key());
  key.append(info.id_key());
  return key;
}

}  // namespace archive::store
