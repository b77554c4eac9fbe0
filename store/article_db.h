// ArticleDb: one store's articles and indexes in one RocksDB database.
//
// Every Put is one WriteBatch that writes the article together with all of
// its index entries, so an index never points at nothing; it returns only
// after the batch is in the write-ahead log (fsynced when options.sync).
// Exact duplicates, by content_digest, are stored once: concurrent Puts of
// the same content are serialized by a lock stripe on its id, so exactly one
// stores it and every caller gets the same id. A new article's title and body
// are indexed for full-text Search in the same batch (full_text.h); a
// duplicate adds nothing to the index.
//
// An ArticleDb is safe for concurrent use by many threads without external
// synchronization. It owns the RocksDB instance and closes it on destruction.
#ifndef STORE_ARTICLE_DB_H_
#define STORE_ARTICLE_DB_H_

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/store.pb.h"
#include "google/protobuf/repeated_field.h"
#include "rocksdb/db.h"
#include "store/full_text.h"

namespace archive::store {

struct ArticleDbOptions {
  // fsync the write-ahead log before a Put returns. Without it an
  // acknowledged Put survives a process crash but not a machine crash.
  bool sync = true;
  // Shared by every column family's blocks.
  size_t block_cache_bytes = size_t{256} << 20;
  // Upper bound on all memtables together.
  size_t memtable_bytes = size_t{128} << 20;
};

class ArticleDb {
 public:
  // Opens (creating if missing) the database in `path`. Fails with a message
  // naming the path when it cannot: unreadable, locked by another process,
  // or damaged beyond what RocksDB recovers.
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
  // terms into the postings, in the same batch. Returns one result per item,
  // in order.
  absl::StatusOr<std::vector<v1::PutResult>> Put(
      const google::protobuf::RepeatedPtrField<v1::PutItem>& items);

  // The article with `id`: INVALID_ARGUMENT for a malformed id, NOT_FOUND
  // when absent, DATA_LOSS when its bytes fail the content_digest check.
  absl::StatusOr<v1::Article> Get(std::string_view id) const;

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
  // Cost: the postings of the rarest term within the time range are read in
  // order; at each, every other term's postings step or seek to that article,
  // and a term that lands past it moves the rarest one ahead in turn. So at
  // most df(rarest) * (terms - 1) seeks, each O(log n), plus an
  // O(log limit) heap offer a match and `limit` article reads. There is no
  // early exit by score: a query of common terms alone reads their lists
  // whole, which the deadline bounds.
  absl::Status Search(const v1::SearchRequest& request,
                      v1::SearchResponse* response,
                      absl::Time deadline = absl::InfiniteFuture()) const;

  // Totals, per-source summaries, and this store's term statistics: the
  // documents indexed, their total length, and the document frequency of
  // each of `request.terms()` (0 for a term it has never seen).
  // INVALID_ARGUMENT naming "terms[i]" for an empty term or one holding 0x00.
  absl::Status Stats(const v1::StatsRequest& request,
                     v1::StatsResponse* response) const;

  // One page of a full check of the articles; see VerifyRequest.
  absl::Status Verify(const v1::VerifyRequest& request,
                      v1::VerifyResponse* response) const;

  // Writes the memtables out to table files (for tests and maintenance).
  absl::Status Flush();

  // Flushes the write-ahead log and closes the database; later calls fail.
  // The destructor calls it when it has not been called.
  absl::Status Close();

 private:
  // Column families, in the order they are opened.
  enum Family {
    kDefault,
    kArticles,
    kById,
    kByTime,
    kByUrl,
    kSourceStats,
    kMinHash,
    kLshBands,
    kPostings,
    kTermStats,
  };
  static constexpr int kFamilyCount = 10;
  static constexpr size_t kLockStripes = 256;

  ArticleDb(const ArticleDbOptions& options, std::unique_ptr<rocksdb::DB> db,
            std::vector<rocksdb::ColumnFamilyHandle*> families);

  rocksdb::ColumnFamilyHandle* family(Family f) const { return families_[f]; }

  // Reads and checks the article stored under `key` of the articles family.
  absl::StatusOr<v1::Article> ReadArticle(std::string_view key) const;

  // This store's collection statistics and the document frequency of each
  // of `terms`, as of `read_options`' snapshot.
  absl::StatusOr<v1::TermStatistics> LocalTermStatistics(
      const std::vector<std::string>& terms,
      const rocksdb::ReadOptions& read_options) const;

  const ArticleDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  // Serializes the check-then-write of Puts whose ids share a stripe.
  mutable std::array<std::mutex, kLockStripes> put_stripes_;
};

}  // namespace archive::store

#endif  // STORE_ARTICLE_DB_H_
