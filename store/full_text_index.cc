#include "store/full_text_index.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/posting_codec.h"
#include "store/rocksdb_status.h"
#include "store/stored_article.h"
#include "store/term_counters.h"

namespace archive::store {
namespace {

// In the default family: the first document not written out in a segment.
constexpr char kIndexedThroughKey[] = "indexed_through";

}  // namespace

FullTextIndex::FullTextIndex(const StoreDatabase* database,
                             const FullTextIndexOptions& options)
    : database_(database),
      options_(options),
      active_(std::make_shared<Segment>()) {}

absl::Status FullTextIndex::LoadDocuments() {
  std::unique_ptr<rocksdb::Iterator> it(database_->db()->NewIterator(
      rocksdb::ReadOptions(), database_->family(kDocuments)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<uint64_t> document = DecodeDocumentKey(it->key().ToStringView());
    std::optional<DocumentRecord> record =
        DecodeDocumentRecord(it->value().ToStringView());
    if (!document.has_value() || !record.has_value() ||
        *document < documents_.size()) {
      return absl::DataLossError("a documents entry does not decode");
    }
    while (documents_.size() < *document) documents_.AppendDead();
    if (!documents_.Append(record->article_key, record->length)) {
      return absl::DataLossError("a documents entry holds no article key");
    }
    documents_.SetState(*document, DocumentInfo::kLive);
    CountLive(record->length);
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the documents"));
  // Removed documents have no entry, but their postings stay in the
  // segments written out: their numbers, up to the first unwritten one,
  // must not be given again.
  std::string through;
  const rocksdb::Status read = database_->db()->Get(
      rocksdb::ReadOptions(), database_->family(kDefault), kIndexedThroughKey, &through);
  if (read.IsNotFound()) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocksDbStatus(read, "reading the first unwritten document"));
  const std::optional<uint64_t> first_unwritten = DecodeDocumentKey(through);
  if (!first_unwritten.has_value()) {
    return absl::DataLossError("the first unwritten document does not decode");
  }
  while (documents_.size() < *first_unwritten) {
    if (!documents_.AppendDead()) {
      return absl::DataLossError("the first unwritten document is out of range");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FullTextIndex::AppendDocument(
    std::string_view article_key, uint32_t length, rocksdb::WriteBatch* batch) {
  if (!documents_.Append(article_key, length)) {
    return absl::ResourceExhaustedError("no document number left");
  }
  const uint64_t document = documents_.size() - 1;
  const std::string document_key = DocumentKey(document);
  batch->Put(database_->family(kDocuments), document_key,
             EncodeDocumentRecord(length, article_key));
  batch->Put(database_->family(kUnindexed), document_key, "");
  return document;
}

absl::Status FullTextIndex::NumberStoredArticle(std::string_view article_key,
                                                uint32_t length,
                                                rocksdb::WriteBatch* batch) {
  absl::StatusOr<uint64_t> document = AppendDocument(article_key, length, batch);
  if (!document.ok()) return document.status();
  documents_.SetState(*document, DocumentInfo::kLive);
  CountLive(length);
  return absl::OkStatus();
}

absl::Status FullTextIndex::Recover() {
  std::unique_ptr<rocksdb::Iterator> it(database_->db()->NewIterator(
      rocksdb::ReadOptions(), database_->family(kUnindexed)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<uint64_t> document = DecodeDocumentKey(it->key().ToStringView());
    if (!document.has_value() || !documents_.IsLive(*document)) {
      return absl::DataLossError("an unindexed marker names no document");
    }
    const DocumentInfo* info = documents_.Find(*document);
    ASSIGN_OR_RETURN(const v1::Article article,
                     ReadArticle(*database_, documents_.ArticleKey(*info)));
    {
      MutexLock lock(&index_mutex_);
      active_->postings.Add(*document, IndexText(article.title(), article.body()));
    }
    RETURN_IF_ERROR(WriteSegment(/*force=*/false));
  }
  return FromRocksDbStatus(it->status(), "reading the unindexed documents");
}

absl::StatusOr<FullTextIndex::Pending> FullTextIndex::AddDocuments(
    const std::vector<NewDocument>& documents, rocksdb::WriteBatch* batch) {
  // Numbers and postings in one step, so that the segment's documents ascend.
  Pending pending;
  MutexLock lock(&index_mutex_);
  pending.segment = active_;
  for (const NewDocument& added : documents) {
    absl::StatusOr<uint64_t> document =
        AppendDocument(added.article_key, added.text->length, batch);
    if (!document.ok()) {
      for (uint64_t numbered : pending.documents) {
        documents_.SetState(numbered, DocumentInfo::kDead);
      }
      if (!pending.documents.empty()) {
        MutexLock writers(&pending.segment->mutex);
        pending.segment->failed = true;
      }
      return document.status();
    }
    active_->postings.Add(*document, *added.text);
    pending.documents.push_back(*document);
    pending.lengths.push_back(added.text->length);
  }
  MutexLock writers(&pending.segment->mutex);
  ++pending.segment->writers;
  return pending;
}

uint64_t FullTextIndex::FirstInMemory() const {
  MutexLock lock(&index_mutex_);
  uint64_t first = documents_.size();
  for (const std::shared_ptr<Segment>& segment : {frozen_, active_}) {
    if (segment == nullptr || segment->postings.empty()) continue;
    first = std::min(first, segment->postings.first_document());
  }
  return first;
}

absl::Status FullTextIndex::RemoveDocuments(const std::vector<std::string>& id_keys,
                                            const std::vector<IndexedText>& texts,
                                            rocksdb::WriteBatch* batch,
                                            const std::function<absl::Status()>& write) {
  absl::flat_hash_map<std::string_view, size_t> wanted;
  for (size_t i = 0; i < id_keys.size(); ++i) wanted.emplace(id_keys[i], i);
  std::vector<std::pair<uint64_t, size_t>> found;  // document, index into texts
  const uint64_t size = documents_.size();
  for (uint64_t document = 0; document < size && found.size() < wanted.size();
       ++document) {
    if (!documents_.IsLive(document)) continue;
    const DocumentInfo* info = documents_.Find(document);
    if (info == nullptr) continue;
    auto match = wanted.find(info->id_key());
    if (match != wanted.end()) found.emplace_back(document, match->second);
  }
  // Postings still in memory are written out first (the frozen segment,
  // then the active one), so that every count to take back is in RocksDB.
  for (int attempt = 0; attempt < 2 && !found.empty() &&
                        found.back().first >= FirstInMemory();
       ++attempt) {
    RETURN_IF_ERROR(WriteSegment(/*force=*/true));
  }
  MutexLock writing(&write_segment_mutex_);
  if (!found.empty() && found.back().first >= FirstInMemory()) {
    return absl::UnavailableError("the postings of a deleted article are not written yet");
  }
  const std::string minus_one = EncodeTermCounters({~uint64_t{0}});
  for (const auto& [document, text] : found) {
    const std::string document_key = DocumentKey(document);
    batch->Delete(database_->family(kDocuments), document_key);
    batch->Delete(database_->family(kUnindexed), document_key);
    for (const auto& [term, positions] : texts[text].positions) {
      batch->Merge(database_->family(kTermCounts),
                   rocksdb::Slice(term.data(), term.size()), minus_one);
    }
  }
  RETURN_IF_ERROR(write());
  for (const auto& [document, text] : found) {
    const std::optional<DocumentBrief> brief = documents_.Brief(document);
    documents_.SetState(document, DocumentInfo::kDead);
    live_documents_ -= 1;
    if (brief.has_value()) live_terms_ -= brief->length;
  }
  return absl::OkStatus();
}

void FullTextIndex::FinishDocuments(const Pending& pending, bool written) {
  for (size_t n = 0; n < pending.documents.size(); ++n) {
    documents_.SetState(pending.documents[n],
                        written ? DocumentInfo::kLive : DocumentInfo::kDead);
    if (written) CountLive(pending.lengths[n]);
  }
  MutexLock writers(&pending.segment->mutex);
  if (!written) pending.segment->failed = true;
  --pending.segment->writers;
  pending.segment->idle.SignalAll();
}

FullTextIndex::InMemory FullTextIndex::InMemoryFigures() const {
  MutexLock lock(&index_mutex_);
  InMemory figures;
  for (const std::shared_ptr<Segment>& segment : {active_, frozen_}) {
    if (segment == nullptr) continue;
    figures.documents += segment->postings.documents();
    figures.bytes += segment->postings.bytes();
  }
  figures.frozen = frozen_ != nullptr;
  return figures;
}

absl::Status FullTextIndex::WriteSegment(bool force) {
  if (options_.read_only) return absl::OkStatus();
  MutexLock one_at_a_time(&write_segment_mutex_);
  std::shared_ptr<Segment> segment;
  {
    MutexLock lock(&index_mutex_);
    if (frozen_ == nullptr) {
      const MemorySegment& postings = active_->postings;
      const bool full = postings.documents() >= options_.segment_documents ||
                        postings.bytes() >= options_.segment_bytes;
      if (postings.empty() || (!force && !full)) return absl::OkStatus();
      frozen_ = std::move(active_);
      active_ = std::make_shared<Segment>();
    }
    // else the last attempt failed: that segment is written first.
    segment = frozen_;
  }
  bool failed = false;
  {
    // Every Put that added a document to it has written its batch (or
    // failed to), so each document's unindexed marker is in, or never will be.
    MutexLock lock(&segment->mutex);
    while (!segment->Idle()) segment->idle.Wait(&segment->mutex);
    failed = segment->failed;
  }

  const MemorySegment& postings = segment->postings;
  rocksdb::WriteBatch batch;
  for (const auto& [term, list] : postings.SortedTerms()) {
    const PostingListWriter* live = list;
    PostingListWriter without_dead;
    if (failed) {
      // Leave out the documents of failed batches.
      PostingListReader reader(list->documents(), list->positions());
      std::vector<uint32_t> positions;
      while (reader.Next()) {
        if (!documents_.IsLive(reader.document())) continue;
        if (!reader.Positions(&positions)) {
          return absl::InternalError("postings in memory do not decode");
        }
        without_dead.Add(reader.document(), positions);
      }
      if (without_dead.count() == 0) continue;
      live = &without_dead;
    }
    const std::string key = SegmentKey(term, postings.first_document());
    batch.Put(database_->family(kTermPostings), key, live->documents());
    batch.Put(database_->family(kTermPositions), key, live->positions());
    const std::string blocks =
        EncodeBlockTable(*live, [this](uint64_t document) -> uint32_t {
          const std::optional<DocumentBrief> brief = documents_.Brief(document);
          return brief.has_value() ? brief->length : 0;
        });
    if (!blocks.empty()) batch.Put(database_->family(kTermBlocks), key, blocks);
    batch.Merge(database_->family(kTermCounts),
                rocksdb::Slice(term.data(), term.size()),
                EncodeTermCounters({live->count()}));
  }
  batch.DeleteRange(database_->family(kUnindexed),
                    DocumentKey(postings.first_document()),
                    DocumentKey(postings.last_document() + 1));
  batch.Put(database_->family(kDefault), kIndexedThroughKey,
            DocumentKey(postings.last_document() + 1));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  absl::Status written =
      FromRocksDbStatus(database_->db()->Write(write_options, &batch),
                        "writing a segment of postings");
  // Failed, it stays frozen_: searched in memory, and tried again next time.
  if (written.ok()) {
    MutexLock lock(&index_mutex_);
    frozen_.reset();
  }
  return written;
}

std::unique_ptr<FullTextIndex::View> FullTextIndex::Capture(
    const std::vector<std::string>& terms, bool copy_lists) const {
  auto view = std::make_unique<View>();
  {
    ReaderMutexLock lock(&index_mutex_);
    view->snapshot = std::make_unique<rocksdb::ManagedSnapshot>(database_->db());
    view->frozen = frozen_;
    for (const std::string& term : terms) {
      std::optional<View::Copied>& copied = view->active.emplace_back();
      const PostingListWriter* list = active_->postings.Find(term);
      if (list == nullptr) continue;
      copied.emplace();
      copied->count = list->count();
      if (copy_lists) {
        copied->documents = list->documents();
        copied->positions = list->positions();
      }
    }
    view->documents = live_documents_.load();
    view->total_terms = live_terms_.load();
  }
  view->read_options.snapshot = view->snapshot->snapshot();
  if (view->frozen != nullptr) {
    // Written out already, as far as the snapshot sees?
    std::string through;
    rocksdb::Status status =
        database_->db()->Get(view->read_options, database_->family(kDefault),
                             kIndexedThroughKey, &through);
    std::optional<uint64_t> first_unwritten = DecodeDocumentKey(through);
    if (status.ok() && first_unwritten.has_value() &&
        *first_unwritten > view->frozen->postings.last_document()) {
      view->frozen.reset();
    }
  }
  return view;
}

absl::StatusOr<std::vector<std::string>> FullTextIndex::TermsWithPrefix(
    std::string_view prefix, size_t limit) const {
  std::vector<std::string> terms;
  {
    ReaderMutexLock lock(&index_mutex_);
    active_->postings.TermsWithPrefix(prefix, &terms);
    if (frozen_ != nullptr) frozen_->postings.TermsWithPrefix(prefix, &terms);
  }
  // The written segments' terms are the term_stats family's keys; a term
  // whose documents were all removed counts 0.
  std::unique_ptr<rocksdb::Iterator> it(database_->db()->NewIterator(
      rocksdb::ReadOptions(), database_->family(kTermCounts)));
  const rocksdb::Slice start(prefix.data(), prefix.size());
  size_t written = 0;
  for (it->Seek(start); it->Valid() && it->key().starts_with(start) && written <= limit;
       it->Next()) {
    std::optional<std::vector<uint64_t>> count =
        DecodeTermCounters(it->value().ToStringView(), 1);
    if (!count.has_value()) {
      return absl::DataLossError("stored term statistics do not decode");
    }
    if ((*count)[0] == 0) continue;
    terms.push_back(it->key().ToString());
    ++written;
  }
  RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the terms of a prefix"));
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  if (terms.size() > limit + 1) terms.resize(limit + 1);
  return terms;
}

absl::StatusOr<v1::TermStatistics> FullTextIndex::LocalTermStatistics(
    const std::vector<std::string>& terms, const View& view) const {
  std::vector<rocksdb::Slice> keys(terms.begin(), terms.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  database_->db()->MultiGet(view.read_options, database_->family(kTermCounts),
                            keys.size(), keys.data(), values.data(),
                            statuses.data());
  v1::TermStatistics statistics;
  statistics.set_document_count(view.documents);
  statistics.set_total_terms(view.total_terms);
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t count = 0;
    if (!statuses[i].IsNotFound()) {
      RETURN_IF_ERROR(FromRocksDbStatus(statuses[i], "reading term statistics"));
      std::optional<std::vector<uint64_t>> decoded =
          DecodeTermCounters(values[i].ToStringView(), 1);
      if (!decoded.has_value()) {
        return absl::DataLossError("stored term statistics do not decode");
      }
      count = (*decoded)[0];
    }
    if (view.frozen != nullptr) {
      const PostingListWriter* list = view.frozen->postings.Find(terms[i]);
      if (list != nullptr) count += list->count();
    }
    if (view.active[i].has_value()) count += view.active[i]->count;
    (*statistics.mutable_document_frequency())[terms[i]] = count;
  }
  return statistics;
}

}  // namespace archive::store
