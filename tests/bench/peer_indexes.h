// The archive's peers in the benchmark: two full-text search engines a user
// could embed instead, each in this process, indexing the same articles'
// title and body and answering the same two-word searches, top 10 by BM25:
//  - Xapian 1.4 (glass backend): one document an article, its terms made by
//    a TermGenerator with no stemmer and no stopper, title then body (a
//    position gap between them, so no phrase spans both), the serialized
//    Article as its data and a unique "Q<id>" term; searched through a
//    QueryParser whose default operator is AND, with Enquire's default
//    BM25Weight;
//  - SQLite 3.40's FTS5: the PostgreSQL tables' columns (ingest_phases.h)
//    in a table with a unique id, and an external-content FTS5 table of its
//    title and body with the `unicode61` tokenizer; searched by MATCH of
//    the words, each quoted, joined by AND, ORDER BY rank (FTS5's bm25())
//    LIMIT 10.
// Both keep an article whose id is already present as it was, as the
// store and PostgreSQL's ON CONFLICT DO NOTHING do.
//
// Errors are absl::Status: Xapian's exceptions are caught here. A writer or
// a searcher is for one thread at a time; searchers of one index may run
// in as many threads as there are searchers, once its writer has closed.
#ifndef TESTS_BENCH_PEER_INDEXES_H_
#define TESTS_BENCH_PEER_INDEXES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/v1/article.pb.h"
#include "tests/bench/ingest_phases.h"

namespace archive::bench {

enum class PeerKind { kXapian, kSqliteFts };
inline constexpr PeerKind kPeerKinds[] = {PeerKind::kXapian, PeerKind::kSqliteFts};

// "xapian", "sqlite_fts": the prefix of the peer's figures.
const char* PeerName(PeerKind kind);

struct PeerWriterOptions {
  // Every AddBatch is on disk when it returns, as the store's --sync makes
  // a Put: Xapian's commit() fsyncs its tables; SQLite runs in WAL mode
  // with synchronous=FULL, which fsyncs the WAL at every commit (one fsync
  // a batch, where the rollback journal would take several; NORMAL in WAL
  // mode may lose the last commits at a power cut). Without it, for an
  // index built only to be read: Xapian opens with DB_NO_SYNC, SQLite uses
  // synchronous=NORMAL. Either way each batch is one commit: Xapian took
  // more time an article committing every 1,000 articles, or only at its
  // own threshold of 10,000, than every 64 (docs/BENCHMARKS.md).
  bool durable = true;
};

// Builds a new index in the folder `dir` (replacing whatever is there).
class PeerWriter {
 public:
  virtual ~PeerWriter() = default;
  // Indexes the articles under StoredDigestAndId's id, in one transaction
  // (SQLite) or one commit (Xapian); returns how many were not already
  // there.
  virtual absl::StatusOr<int64_t> AddBatch(
      const std::vector<const v1::Article*>& articles) = 0;
  // Commits what is pending and closes the index; AddBatch may not follow.
  virtual absl::Status Close() = 0;
};

absl::StatusOr<std::unique_ptr<PeerWriter>> OpenPeerWriter(
    PeerKind kind, const std::string& dir, const PeerWriterOptions& options);

struct PeerHit {
  // What the peer keeps of the article: Xapian the whole of it; SQLite its
  // id, source, url, language, title and body.
  v1::Article article;
  // Higher is better (FTS5's bm25() is negated).
  double score = 0;
};

// Reads an index that a PeerWriter built and closed.
class PeerSearcher {
 public:
  virtual ~PeerSearcher() = default;
  // The best `limit` articles holding every word of `words` (words split by
  // spaces and tokenized by the peer, as its own query syntax does), best
  // first, with their stored text.
  virtual absl::StatusOr<std::vector<PeerHit>> Search(const std::string& words,
                                                      int limit) = 0;
};

absl::StatusOr<std::unique_ptr<PeerSearcher>> OpenPeerSearcher(PeerKind kind,
                                                               const std::string& dir);

// A peer as a system of the write phases: its batches of `options.batch`
// articles, one thread (each engine takes one writer at a time), durable
// when `options.sync`; the CPU counted is that thread's inside AddBatch.
absl::StatusOr<std::unique_ptr<IngestTarget>> OpenPeerTarget(
    PeerKind kind, const std::string& dir, const IngestPhaseOptions& options);

}  // namespace archive::bench

#endif  // TESTS_BENCH_PEER_INDEXES_H_
