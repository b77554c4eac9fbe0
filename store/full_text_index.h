// The store's full-text index: document numbers (the DocumentTable), the
// postings held in memory, and the segments written out of them.
//
// The crash-safety rule, kept here and nowhere else: a document's postings
// are in exactly one of the active segment (memory), the frozen segment
// (memory, being written out) or a written segment (RocksDB), and its
// `unindexed` marker exists from the batch that stores its article until
// the batch that writes its segment out, which deletes it. So the unindexed
// family lists exactly the documents whose postings a crash would lose, and
// Recover indexes them again. To keep it:
//   - AddDocuments numbers a Put's new articles and adds their postings to
//     the active segment, and puts each one's documents entry and marker in
//     the Put's own batch; FinishDocuments, once that batch is written or
//     has failed, makes them live or dead;
//   - WriteSegment writes a segment only once every Put that added to it has
//     finished (writers == 0), leaving out the documents of failed batches,
//     and deletes the segment's markers in the same batch as its postings;
//     a segment that fails to be written stays frozen, searched in memory,
//     and is written first next time;
//   - Capture reads the index at one point: a RocksDB snapshot, the frozen
//     segment while the snapshot does not hold it, and the active one's
//     lists as of then.
//
// Thread safety: after opening (LoadDocuments, NumberStoredArticle and
// Recover, on one thread before any other call), every method is safe from
// any thread. index_mutex_ guards which segments are active and frozen, and
// the active segment's postings, and orders appends to the DocumentTable,
// whose reads need no lock; one segment is written out at a time.
#ifndef STORE_FULL_TEXT_INDEX_H_
#define STORE_FULL_TEXT_INDEX_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/mutex.h"
#include "archive/v1/store.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/write_batch.h"
#include "store/column_families.h"
#include "store/document_table.h"
#include "store/full_text.h"
#include "store/memory_segment.h"

namespace archive::store {

struct FullTextIndexOptions {
  // A segment is written out once it holds this many documents or bytes.
  uint64_t segment_documents = 4096;
  size_t segment_bytes = size_t{48} << 20;
  // fsync the batch that writes a segment out.
  bool sync = true;
  // The database is read-only: segments stay in memory, never written.
  bool read_only = false;
};

class FullTextIndex {
 public:
  // A MemorySegment and the Puts that added documents to it and have not
  // finished writing their batches.
  struct Segment {
    bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
      return writers == 0;
    }

    // Changed only while the segment is active, under the index's lock;
    // immutable once frozen.
    MemorySegment postings;
    Mutex mutex;
    // Signalled when writers drops.
    CondVar idle;
    int writers ABSL_GUARDED_BY(mutex) = 0;
    // A writer's batch failed: its documents are dead.
    bool failed ABSL_GUARDED_BY(mutex) = false;
  };

  // What a search or Stats reads of the index at one point in time.
  struct View {
    // The postings written out, and their counts, as of this snapshot.
    std::unique_ptr<rocksdb::ManagedSnapshot> snapshot;
    rocksdb::ReadOptions read_options;
    // The segment being written out, when the snapshot does not hold it yet.
    std::shared_ptr<const Segment> frozen;
    // By term: the active segment's list, copied, and its length.
    struct Copied {
      std::string documents;
      std::string positions;
      uint64_t count = 0;
    };
    std::vector<std::optional<Copied>> active;
    uint64_t documents = 0;
    uint64_t total_terms = 0;
  };

  // A new article of a Put: where it is stored and what it is indexed under.
  struct NewDocument {
    std::string_view article_key;
    const IndexedText* text = nullptr;
  };

  // A Put's documents, added and not yet finished.
  struct Pending {
    std::shared_ptr<Segment> segment;
    std::vector<uint64_t> documents;
    std::vector<uint32_t> lengths;
  };

  // `database` must outlive the index.
  FullTextIndex(const StoreDatabase* database, const FullTextIndexOptions& options);
  FullTextIndex(const FullTextIndex&) = delete;
  FullTextIndex& operator=(const FullTextIndex&) = delete;

  // Opening. Loads the documents family into the DocumentTable: every number
  // below the next one, those whose batch failed as dead, and so are those
  // of removed documents: no number a written segment covers is given again.
  absl::Status LoadDocuments();
  // Numbers an article stored before document numbers (layout_migration.h):
  // live at once, unindexed, its entry and marker added to `batch`.
  absl::Status NumberStoredArticle(std::string_view article_key,
                                   uint32_t length, rocksdb::WriteBatch* batch);
  // Indexes again, in order, into the active segment, the documents whose
  // postings were still in memory.
  absl::Status Recover();

  // The put path. Numbers `documents` in order and adds their postings to
  // the active segment, their entries and markers to `batch`; searches pass
  // over them until FinishDocuments. On failure none stays pending.
  absl::StatusOr<Pending> AddDocuments(const std::vector<NewDocument>& documents,
                                       rocksdb::WriteBatch* batch)
      ABSL_LOCKS_EXCLUDED(index_mutex_);
  // After the batch of `pending` is written (`written`) or has failed.
  void FinishDocuments(const Pending& pending, bool written);

  // Deleting copies (a rebalance). Finds the live documents of the articles
  // whose id keys are `id_keys` (one pass over the DocumentTable), each
  // indexed as `texts[i]`; writes out the segments in memory first when any
  // of them is there; puts in `batch` the removal of their entries and
  // markers and one less in the document frequency of each of their terms;
  // has `write` write the batch, and then turns them dead: searches pass
  // over their postings, and a reopened store never loads them. So the
  // statistics stay exact. The segment writer's lock is held from the
  // choice to the write.
  absl::Status RemoveDocuments(const std::vector<std::string>& id_keys,
                               const std::vector<IndexedText>& texts,
                               rocksdb::WriteBatch* batch,
                               const std::function<absl::Status()>& write)
      ABSL_LOCKS_EXCLUDED(write_segment_mutex_, index_mutex_);

  // Documents whose postings are held in memory (the active and the frozen
  // segment) and their bytes: what a crash would index again.
  struct InMemory {
    uint64_t documents = 0;
    uint64_t bytes = 0;
    bool frozen = false;  // a segment waits to be written out
  };
  InMemory InMemoryFigures() const ABSL_LOCKS_EXCLUDED(index_mutex_);

  // Writes the active segment out when it is full, or when `force` and it
  // holds anything; a frozen one left by a failure first.
  absl::Status WriteSegment(bool force)
      ABSL_LOCKS_EXCLUDED(write_segment_mutex_, index_mutex_);

  // The index as of now; the active segment's lists of `terms` copied when
  // `copy_lists`, else only counted.
  std::unique_ptr<View> Capture(const std::vector<std::string>& terms,
                                bool copy_lists) const
      ABSL_LOCKS_EXCLUDED(index_mutex_);

  // The distinct terms that start with `prefix` that some live document
  // holds, as of now, sorted; more than `limit` of them are cut to
  // limit + 1, so that the caller can tell there are too many.
  absl::StatusOr<std::vector<std::string>> TermsWithPrefix(std::string_view prefix,
                                                           size_t limit) const
      ABSL_LOCKS_EXCLUDED(index_mutex_);

  // This store's collection statistics and the document frequency of each
  // of `terms`, as of `view`.
  absl::StatusOr<v1::TermStatistics> LocalTermStatistics(
      const std::vector<std::string>& terms, const View& view) const;

  const DocumentTable& documents() const { return documents_; }

 private:
  // The first document whose postings are in memory (documents_.size()
  // when none is).
  uint64_t FirstInMemory() const ABSL_LOCKS_EXCLUDED(index_mutex_);

  // Appends a document for `article_key` and puts its entry and marker in
  // `batch`: the one place a document number is given.
  absl::StatusOr<uint64_t> AppendDocument(std::string_view article_key,
                                          uint32_t length,
                                          rocksdb::WriteBatch* batch);
  void CountLive(uint32_t length) {
    live_documents_ += 1;
    live_terms_ += length;
  }

  const StoreDatabase* const database_;
  const FullTextIndexOptions options_;

  mutable Mutex index_mutex_;
  // Its postings too are changed and read under index_mutex_ (clang 14
  // takes no ABSL_PT_GUARDED_BY on a shared_ptr).
  std::shared_ptr<Segment> active_ ABSL_GUARDED_BY(index_mutex_);
  // The segment being written out, if any; immutable.
  std::shared_ptr<Segment> frozen_ ABSL_GUARDED_BY(index_mutex_);
  // Appended to under index_mutex_ (or while opening); read without it.
  DocumentTable documents_;
  // Stored documents and their terms: the collection statistics.
  std::atomic<uint64_t> live_documents_{0};
  std::atomic<uint64_t> live_terms_{0};
  // One segment written out at a time.
  Mutex write_segment_mutex_;
};

}  // namespace archive::store

#endif  // STORE_FULL_TEXT_INDEX_H_
