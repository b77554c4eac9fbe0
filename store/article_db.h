// ArticleDb: one store's articles and indexes in one RocksDB database.
//
// Every Put is one WriteBatch that writes the article together with all of
// its index entries, so an index never points at nothing; it returns only
// after the batch is in the write-ahead log (fsynced when options.sync).
// Exact duplicates, by content_digest, are stored once: concurrent Puts of
// the same content are serialized by a lock stripe on its id, so exactly one
// stores it and every caller gets the same id. A new article gets the next
// document number, and its title and body are indexed for full-text Search
// (full_text.h): its postings are kept in memory with the other recent
// documents' until a segment of them is written out with one key a term
// (posting_codec.h); the same batch as the article records that its postings
// are not written yet, so a crash loses none: Open indexes them again. A
// duplicate adds nothing to the index. The same batch also writes the
// article's head (ARTICLE_VIEW_BASIC) under the same key in a family of its
// own, which a Scan of that view reads instead of the whole articles.
//
// An ArticleDb is safe for concurrent use by many threads without external
// synchronization. It owns the RocksDB instance and closes it on destruction.
//
// It holds the contract and delegates the work: column_families.h (the
// database and its families), layout_migration.h, stored_article.h (decoding
// and fixity), article_writer.h (Put), full_text_index.h (documents and
// segments), conjunctive_search.h and query_search.h with term_cursor.h (Search),
// article_count.h (Count),
// article_scan.h, near_duplicate_index.h (FindSimilar) and verify.h.
#ifndef STORE_ARTICLE_DB_H_
#define STORE_ARTICLE_DB_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/store.pb.h"
#include "common/article_rules.h"
#include "google/protobuf/repeated_field.h"
#include "store/article_count.h"
#include "store/article_writer.h"
#include "store/column_families.h"
#include "store/conjunctive_search.h"
#include "store/query_search.h"
#include "store/disk_space.h"
#include "store/full_text_index.h"
#include "store/near_duplicate_index.h"

namespace archive::store {

struct ArticleDbOptions {
  // fsync the write-ahead log before a Put returns. Without it an
  // acknowledged Put survives a process crash but not a machine crash.
  bool sync = true;
  // Shared by every column family's blocks.
  size_t block_cache_bytes = size_t{256} << 20;
  // Upper bound on all memtables together.
  size_t memtable_bytes = size_t{128} << 20;
  // A segment of postings is written out once it holds this many documents
  // or this many bytes: more means fewer keys and faster writes, but more
  // memory and more articles to index again when opening after a crash.
  uint64_t segment_documents = 4096;
  size_t segment_bytes = size_t{48} << 20;
  // Searches pass over blocks that cannot make their page (see Search).
  // Off only to measure what that saves (tests/bench/search_replay).
  bool search_block_bounds = true;
  // The largest article a Put takes (common/article_rules.h): at least what
  // ingest's --max_article_bytes lets through.
  size_t max_article_bytes = kDefaultMaxArticleBytes;
  // Puts are refused while fewer bytes than this are free on the volume
  // (store/disk_space.h); 0 turns the watermark off. A database opened with
  // less free is opened read-only.
  uint64_t min_free_disk_bytes = 0;
};

// What an operator watches of a store (store/store_metrics.h serves it).
struct StoreFigures {
  uint64_t articles = 0;
  uint64_t text_bytes = 0;
  // The volume, and whether Puts are taken (ArticleDb::WritesAllowed).
  uint64_t free_disk_bytes = 0;
  uint64_t min_free_disk_bytes = 0;
  bool writes_allowed = true;
  bool read_only = false;
  // RocksDB's, per column family.
  struct Family {
    std::string name;
    uint64_t sst_files = 0;
    uint64_t sst_bytes = 0;
    uint64_t memtable_bytes = 0;
    uint64_t pending_compaction_bytes = 0;
  };
  std::vector<Family> families;
  // RocksDB's, for the whole database.
  uint64_t block_cache_usage_bytes = 0;
  uint64_t block_cache_capacity_bytes = 0;
  bool write_stopped = false;
  uint64_t delayed_write_rate = 0;  // bytes/s while writes are slowed, else 0
  uint64_t background_errors = 0;
  // Postings held in memory until their segment is written out.
  FullTextIndex::InMemory postings;
};

class ArticleDb {
 public:
  // Opens (creating if missing) the database in `path`. Fails with a message
  // naming the path when it cannot: unreadable, locked by another process,
  // or damaged beyond what RocksDB recovers. On a volume with less than
  // options.min_free_disk_bytes free it opens read-only (RocksDB's recovery
  // at open writes, and could meet a full disk): every read works, Puts and
  // Deletes are RESOURCE_EXHAUSTED until the store is restarted with room.
  static absl::StatusOr<std::unique_ptr<ArticleDb>> Open(
      const std::string& path, const ArticleDbOptions& options);

  ArticleDb(const ArticleDb&) = delete;
  ArticleDb& operator=(const ArticleDb&) = delete;
  ~ArticleDb();

  // Stores a batch. Each article must satisfy ValidateStoredArticle
  // (common/article_rules.h) and each minhash be empty or a full signature;
  // if any is not, the result is INVALID_ARGUMENT naming
  // "items[i].article.<field>" (or "items[i].minhash") and nothing is
  // written. A new article's signature goes into the LSH band index, and its
  // terms into the postings, in the same batch. An item marked `copy` keeps
  // its sightings, and merges them into a stored article. Returns one result
  // per item, in order. RESOURCE_EXHAUSTED, writing nothing, while
  // WritesAllowed() is not OK.
  absl::StatusOr<std::vector<v1::PutResult>> Put(
      const google::protobuf::RepeatedPtrField<v1::PutItem>& items);

  // Removes the articles with `ids` that this store holds, with every index
  // entry of each, in one WriteBatch (fsynced when options.sync): how a
  // rebalance moves a copy off a store that does not own it. Returns how many
  // it held. INVALID_ARGUMENT naming "ids[i]" for a malformed id, and then
  // nothing is removed. Their postings stay in their segments, passed over,
  // and the terms' document frequencies keep counting them.
  absl::StatusOr<uint32_t> Delete(const google::protobuf::RepeatedPtrField<std::string>& ids);

  // OK when a Put may write now; RESOURCE_EXHAUSTED saying why not: the
  // volume is below options.min_free_disk_bytes (writes resume by
  // themselves once space is freed), or the database was opened read-only.
  absl::Status WritesAllowed() const;
  bool read_only() const { return database_->read_only(); }

  // The article with `id`: INVALID_ARGUMENT for a malformed id, NOT_FOUND
  // when absent, DATA_LOSS when its bytes fail the content_digest check.
  //
  // With `memory_only` it reads only memtables and the block cache, never
  // waiting on the disk, and fails with a status that NeedsDisk()
  // (rocksdb_status.h) recognizes when it would have to: for callers that
  // must not block, such as gRPC's callback threads.
  absl::StatusOr<v1::Article> Get(std::string_view id,
                                  bool memory_only = false) const;

  // One page of articles in publication order; see ScanRequest.
  absl::Status Scan(const v1::ScanRequest& request,
                    v1::ScanResponse* response) const;

  // For each query signature, the stored articles whose signatures resemble
  // it at least `min_resemblance`, found through the LSH band index.
  absl::Status FindSimilar(const v1::FindSimilarRequest& request,
                           v1::FindSimilarResponse* response) const;

  // This store's part of a full-text search: its best `limit` articles that
  // hold every term and phrase of `request` and pass its filters, ranked by
  // BM25 under `request.global()` when it counts any documents, else under
  // this store's own statistics; see SearchRequest and full_text.h.
  // INVALID_ARGUMENT naming the field for a malformed request, or for a
  // `global` without the document frequency of a term searched for;
  // DEADLINE_EXCEEDED when `deadline` passes first.
  //
  // Cost: the postings of the rarest term are read in document order (a
  // few bytes each, without positions unless a phrase needs them); at each,
  // every other term's postings step ahead to that document, or seek a
  // segment when it is far, and a term that lands past it moves the rarest
  // one ahead in turn. Filters and scores read the in-memory DocumentTable,
  // not RocksDB; a match that cannot enter the top `limit` costs no
  // allocation; then `limit` article reads. Once the page is full, a
  // stretch of documents where every term's block bound (posting_codec.h)
  // adds up below the page's worst hit is passed over unread: a query of
  // common terms reads a small part of their lists. Lists in memory and
  // segments written before block tables are read whole, which the
  // deadline bounds. A request with a `query` is searched by QuerySearch
  // (query_search.h), which visits every match; a request that counts its
  // matches passes over no stretch.
  absl::Status Search(const v1::SearchRequest& request,
                      v1::SearchResponse* response,
                      absl::Time deadline = absl::InfiniteFuture()) const;
  // This store's part of counting articles over time; see CountRequest and
  // article_count.h. INVALID_ARGUMENT naming the field for a malformed
  // request; DEADLINE_EXCEEDED when `deadline` passes first.
  absl::Status Count(const v1::CountRequest& request, v1::CountResponse* response,
                     absl::Time deadline = absl::InfiniteFuture()) const;

  // Stretches of documents searches have passed over by their block bounds,
  // since Open (for tests and monitoring).
  uint64_t search_stretches_skipped() const;

  // Totals, per-source summaries (unless `request.term_statistics_only()`),
  // and this store's term statistics: the documents indexed, their total
  // length, and the document frequency of each of `request.terms()` (0 for
  // a term it has never seen).
  // INVALID_ARGUMENT naming "terms[i]" for an empty term or one holding 0x00.
  absl::Status Stats(const v1::StatsRequest& request,
                     v1::StatsResponse* response) const;

  // The figures above, as of now; cheap enough for every scrape (one
  // property read per family, one pass over the sources' counters).
  absl::StatusOr<StoreFigures> Figures() const;

  // One page of a full check of the articles; see VerifyRequest.
  absl::Status Verify(const v1::VerifyRequest& request,
                      v1::VerifyResponse* response) const;

  // Writes the postings held in memory out as a segment, and the memtables
  // out to table files (for tests and maintenance).
  absl::Status Flush();

  // Writes the postings held in memory out, flushes the write-ahead log and
  // closes the database; later calls fail.
  // The destructor calls it when it has not been called.
  absl::Status Close();

 private:
  ArticleDb(const std::string& path, const ArticleDbOptions& options,
            std::unique_ptr<StoreDatabase> database);

  // Runs the migrations an older layout needs, loads the documents, and
  // indexes again those whose postings were not written out.
  absl::Status Load();

  const ArticleDbOptions options_;
  const DiskSpace disk_;
  // The units the work is delegated to, in the order they depend on each
  // other; each states its own thread safety.
  std::unique_ptr<StoreDatabase> database_;
  FullTextIndex index_;
  NearDuplicateIndex near_duplicates_;
  ArticleWriter writer_;
  ConjunctiveSearch search_;
  QuerySearch query_search_;
  ArticleCount count_;
};

}  // namespace archive::store

#endif  // STORE_ARTICLE_DB_H_
