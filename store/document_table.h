// What a search needs of every indexed document, by document number, in
// memory, loaded from the documents family when the database opens, so that
// filtering, scoring and ranking a match read no article and no RocksDB key:
//   - its brief, 4 bytes: its state and its length, which every match reads;
//   - its entry, 32 bytes: publication time, id and source, which only
//     filters and the hits that may make the page read.
// Kept apart, so that the briefs of a million documents (4 MB) stay in the
// processor's caches while a search of common words reads them by the
// hundred thousand. About 36 bytes a document.
//
// Appending is serialized by the caller (ArticleDb's index lock); Find,
// Brief and the state are safe from any thread at any time: the table grows
// in chunks that never move.
#ifndef STORE_DOCUMENT_TABLE_H_
#define STORE_DOCUMENT_TABLE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "common/mutex.h"
#include "store/article_key.h"

namespace archive::store {

struct DocumentInfo {
  enum State : uint8_t {
    kPending,  // its batch is being written
    kLive,     // stored
    kDead,     // its batch failed: no article
  };

  std::array<char, kTimeKeyLength> time{};  // the key codec's form
  std::array<char, kIdKeyLength> id{};
  uint32_t source = 0;  // DocumentTable::source()'s index

  std::string_view time_key() const { return {time.data(), time.size()}; }
  std::string_view id_key() const { return {id.data(), id.size()}; }
  // time id: what RankedHit::document holds.
  std::string TimeIdKey() const;
};

struct DocumentBrief {
  DocumentInfo::State state = DocumentInfo::kPending;
  uint32_t length = 0;  // terms
};

class DocumentTable {
 public:
  DocumentTable();
  DocumentTable(const DocumentTable&) = delete;
  DocumentTable& operator=(const DocumentTable&) = delete;
  ~DocumentTable();

  // The longest length a brief holds; a longer one is kept as this.
  static constexpr uint32_t kMaxLength = (uint32_t{1} << 30) - 1;

  // Adds document number size(), kPending, from its article key (source 0x00
  // time id); false when the key does not decode or the table is full.
  bool Append(std::string_view article_key, uint32_t length);
  // Adds document number size(), kDead: a number whose article was never
  // stored, so that the documents after it keep their numbers.
  bool AppendDead();

  // Documents appended: the next document number.
  uint64_t size() const { return size_.load(std::memory_order_acquire); }

  // nullptr when `document` was never appended.
  const DocumentInfo* Find(uint64_t document) const;
  // nullopt when `document` was never appended.
  std::optional<DocumentBrief> Brief(uint64_t document) const {
    if (document >= size()) return std::nullopt;
    const uint32_t packed = BriefAt(document).load(std::memory_order_acquire);
    return DocumentBrief{static_cast<DocumentInfo::State>(packed & kStateMask),
                         packed >> kStateBits};
  }
  // Appended and kLive.
  bool IsLive(uint64_t document) const {
    const std::optional<DocumentBrief> brief = Brief(document);
    return brief.has_value() && brief->state == DocumentInfo::kLive;
  }
  void SetState(uint64_t document, DocumentInfo::State state);

  std::string source(uint32_t index) const;
  // The index of `source`, nullopt when no document has it.
  std::optional<uint32_t> FindSource(std::string_view source) const;
  // source 0x00 time id.
  std::string ArticleKey(const DocumentInfo& info) const;

 private:
  static constexpr size_t kChunkBits = 16;
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;
  static constexpr size_t kMaxChunks = size_t{1} << 16;  // 4 billion documents
  using Chunk = std::array<DocumentInfo, kChunkSize>;
  // A brief: the length above the state's two bits.
  static constexpr uint32_t kStateBits = 2;
  static constexpr uint32_t kStateMask = (1u << kStateBits) - 1;
  using BriefChunk = std::array<std::atomic<uint32_t>, kChunkSize>;

  // Makes room for the next document: its chunks allocated; false when full.
  bool Grow();
  DocumentInfo* At(uint64_t document) const;
  // `document`'s chunks must be allocated (Grow).
  DocumentInfo& EntryAt(uint64_t document) const {
    return (*chunks_[document >> kChunkBits].load(std::memory_order_acquire))
        [document & (kChunkSize - 1)];
  }
  std::atomic<uint32_t>& BriefAt(uint64_t document) const {
    return (*briefs_[document >> kChunkBits].load(std::memory_order_acquire))
        [document & (kChunkSize - 1)];
  }

  std::unique_ptr<std::atomic<Chunk*>[]> chunks_;
  std::unique_ptr<std::atomic<BriefChunk*>[]> briefs_;
  std::atomic<uint64_t> size_{0};

  mutable Mutex sources_mutex_;
  std::deque<std::string> sources_ ABSL_GUARDED_BY(sources_mutex_);
  absl::flat_hash_map<std::string, uint32_t> source_index_
      ABSL_GUARDED_BY(sources_mutex_);
};

}  // namespace archive::store

#endif  // STORE_DOCUMENT_TABLE_H_
