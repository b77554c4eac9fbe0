// The query phase: an archive as large as fits in the time given, read at a
// fixed offered rate through query_server, and the same reads of the same
// articles in PostgreSQL.
//
// Loading: `loaders` threads take the corpus in ingest's batches, prepare
// each article as ingest does (PrepareArticle), Put the batch to a
// store_server (--sync=false: this builds an archive to read, it measures
// no writes) and insert the same prepared articles into PostgreSQL (a table
// with a primary key on id, the unique digest, an index on (source,
// published_at) and a GIN index on a stored tsvector of title and body,
// synchronous_commit off), until `max_articles` or `load_time` runs out. So
// both hold the same articles, under the same ids.
//
// Then, once the store's compactions have settled and PostgreSQL has been
// vacuumed and analyzed, each kind of query runs at its fixed rate for
// `duration` (after `warmup`) against the archive and right after against
// PostgreSQL (kind after kind, so that the two runs of a kind see the same
// machine), each system idle while the other is measured:
//  - ping: a call that does no work (a gRPC health check of query_server,
//    and of store_server; SELECT 1): the floor of one round trip;
//  - get: GetArticle of a random stored id / SELECT by primary key;
//  - list: ListArticles of a random article's source before a random time,
//    a page of 100 / the same range through the (source, published_at)
//    index, LIMIT 100;
//  - search: SearchArticles of two words, top 10 / plainto_tsquery('simple')
//    over the GIN index, ranked by ts_rank, LIMIT 10;
//  - list_basic, search_basic: the same lists and searches in
//    ARTICLE_VIEW_BASIC (no text), as archivectl asks for them / the lists
//    selecting every column but body and captions (PostgreSQL's search is
//    not run again: its cost is ranking, not bytes).
// Every other answer carries whole articles on both sides. The CPU a call,
// of the driver and every server doing the work, over the whole run of a
// kind (<prefix>_cpu_ms_per_call), where the servers are on this machine.
//
// With `peers`, the searches once more, in this process, after the servers
// stopped (see QueryPhaseOptions::peers): the same words, the same top 10,
// each hit with its text.
#ifndef TESTS_BENCH_QUERY_PHASE_H_
#define TESTS_BENCH_QUERY_PHASE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "common/tls.h"
#include "tests/bench/archive_servers.h"
#include "tests/bench/corpus.h"
#include "tests/bench/results.h"

namespace archive::bench {

struct QueryPhaseOptions {
  int64_t max_articles = 1'000'000;
  absl::Duration load_time = absl::Minutes(10);
  int loaders = 2;
  int batch = 64;
  double get_rate = 200;  // calls per second
  double list_rate = 50;
  double search_rate = 20;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(15);
  int workers = 8;  // calls under way at most, per system
  // Vocabulary ranks search words are drawn from (log-uniformly).
  size_t search_min_rank = 50;
  size_t search_max_rank = 20'000;
  // libpq conninfo; empty to leave PostgreSQL out.
  std::string postgres;
  // The peers (peer_indexes.h): the loaders index every batch into Xapian
  // and SQLite FTS5 too (not durable: this builds an archive to read), and
  // once the servers have stopped, the searches run again in this process,
  // each system alone at the search rate: the store's ArticleDb on the
  // database store_server had (rocksdb_search_*), then each peer
  // (xapian_search_*, sqlite_fts_search_*).
  bool peers = false;
};

// Adds the phase's figures to `results`: query_archive_articles, get_p50_ms,
// get_p99_ms, ..., postgres_search_p99_ms, query_store_peak_rss_mb, ...
absl::Status RunQueryPhase(const Corpus& corpus, const ArchiveBinaries& binaries,
                           const std::string& work_dir, const QueryPhaseOptions& options,
                           Results* results);

// What a stored article is asked by.
struct StoredArticle {
  std::string id;
  std::string source;
};

// The articles a pipeline stored (or found stored) from `articles`, as
// reads ask for them: their ids are their content's, as ingest computes
// them.
std::vector<StoredArticle> StoredArticles(const std::vector<v1::Article>& articles);

// The archive's GetArticle, ListArticles (whole articles) and
// SearchArticles through query_server at `query_address`, each at its rate
// of `options` for its duration (after its warm-up), asking for `stored`
// articles as the query phase does, every call with `security`'s
// credentials and token; figures under `prefix`: <prefix>get_p99_ms,
// <prefix>list_p99_ms, <prefix>search_p99_ms, ... (the replication phase's
// reads with every store up and with one down; the TLS phase's with TLS
// and without).
absl::Status MeasureArchiveReads(const Corpus& corpus, const std::string& query_address,
                                 const std::vector<StoredArticle>& stored,
                                 const QueryPhaseOptions& options,
                                 const std::string& prefix, Results* results,
                                 const ClientSecurity& security = PlaintextClient());

}  // namespace archive::bench

#endif  // TESTS_BENCH_QUERY_PHASE_H_
