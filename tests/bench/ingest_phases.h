// The systems the benchmark stores one corpus into, each behind one
// interface so that they can take turns on slices of it (interleaved rounds
// make their ratios robust to a machine whose other load comes and goes):
//  - raw RocksDB, the ceiling: PrepareArticle as ingest does it, the
//    near-duplicate lookup as ingest does it (ArticleDb::FindSimilar plus
//    the articles still on their way), and ArticleDb::Put in ingest's
//    batches, in this process: the store's own column families, keys and
//    WriteBatches, with no gRPC and no servers;
//  - the pipeline: a client streaming SubmitStream to ingest_server, which
//    prepares, looks up near duplicates and Puts to store_server;
//  - PostgreSQL, what a user might pick instead: batched INSERT ... ON
//    CONFLICT DO NOTHING into a table with a unique content digest and an
//    index on (source, published_at) (and, as a second table, the same with
//    a GIN-indexed tsvector of title and body: full-text search, as the
//    archive has), synchronous_commit as the store's --sync.
#ifndef TESTS_BENCH_INGEST_PHASES_H_
#define TESTS_BENCH_INGEST_PHASES_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "common/tls.h"
#include "tests/bench/results.h"

namespace archive::bench {

struct IngestPhaseOptions {
  // Articles in one Put, FindSimilar or INSERT: ingest's --max_batch.
  int batch = 64;
  // Threads writing at once in the raw and PostgreSQL phases.
  int writers = 2;
  // SubmitStream calls at once in the pipeline phase (archivectl uses one).
  int streams = 1;
  // fsync the write-ahead log before a batch is acknowledged.
  bool sync = true;
  double near_duplicate_resemblance = 0.8;
  // Longest one system may take over all its slices; past it, a slice
  // stops early and says so.
  absl::Duration time_limit = absl::Minutes(5);
};

// What one system did, summed over its slices.
struct IngestFigures {
  int64_t articles = 0;               // answered
  int64_t bytes = 0;                  // text bytes of those articles
  double seconds = 0;                 // wall time of its slices
  std::optional<double> cpu_seconds;  // of every process doing its work
  int64_t stored = 0;
  int64_t duplicates = 0;
  int64_t near_duplicates = 0;
  int64_t rejected = 0;
  bool cut_short = false;  // its time limit passed first

  // Adds a worker's counts (not its times).
  void Add(const IngestFigures& part) {
    articles += part.articles;
    bytes += part.bytes;
    stored += part.stored;
    duplicates += part.duplicates;
    near_duplicates += part.near_duplicates;
    rejected += part.rejected;
    cut_short = cut_short || part.cut_short;
  }
  double articles_per_s() const { return seconds > 0 ? articles / seconds : 0; }
  double mb_per_s() const { return seconds > 0 ? bytes / seconds / (1 << 20) : 0; }
};

class IngestTarget {
 public:
  virtual ~IngestTarget() = default;
  // Stores articles[begin, end) (begin a multiple of the batch), adding to
  // figures(). Slices must come in corpus order.
  absl::Status StoreSlice(const std::vector<v1::Article>& articles, int64_t begin,
                          int64_t end);
  const IngestFigures& figures() const { return figures_; }

 protected:
  explicit IngestTarget(const IngestPhaseOptions& options) : options_(options) {}
  // Stores the slice until `deadline`; adds the outcomes to `figures`.
  virtual absl::Status Store(const std::vector<v1::Article>& articles, int64_t begin,
                             int64_t end, absl::Time deadline,
                             IngestFigures* figures) = 0;
  // CPU seconds so far of the processes doing the work.
  virtual std::optional<double> CpuSeconds() = 0;

  const IngestPhaseOptions options_;

 private:
  IngestFigures figures_;
};

// CPU microseconds per article, from seconds of CPU; null without either.
std::optional<double> PerArticleUs(std::optional<double> cpu_seconds, int64_t articles);

// One system's figures as <prefix>_articles_per_s, <prefix>_mb_per_s,
// <prefix>_cpu_us_per_article, <prefix>_stored, ...
void RecordIngest(const std::string& prefix, const IngestFigures& figures,
                  Results* results);

// The same articles into each of `targets` in `rounds` interleaved rounds:
// each round gives every target the next slice (whole batches of `batch`),
// in an order that rotates from round to round, so that the machine's other
// load falls on all of them alike; then each one's figures under its name
// (RecordIngest). Stops at the first failure, its message naming the target.
absl::Status StoreInRounds(
    const std::vector<v1::Article>& articles, int rounds, int batch,
    const std::vector<std::pair<std::string, std::unique_ptr<IngestTarget>>>& targets,
    Results* results);

// ArticleDb in `db_path` (created), in this process.
absl::StatusOr<std::unique_ptr<IngestTarget>> OpenRawRocksDb(
    const std::string& db_path, const IngestPhaseOptions& options);

// ingest_server at `ingest_address`, called with `security`'s credentials
// and token; `server_pids` (ingest's, store's) are whose CPU counts, with
// this process's.
absl::StatusOr<std::unique_ptr<IngestTarget>> ConnectPipeline(
    const std::string& ingest_address, std::vector<pid_t> server_pids,
    const IngestPhaseOptions& options, const ClientSecurity& security = PlaintextClient());

// A new table `table` (dropping one of that name), with the GIN-indexed
// tsvector when `full_text`.
absl::StatusOr<std::unique_ptr<IngestTarget>> OpenPostgres(
    const std::string& conninfo, const std::string& table, bool full_text,
    const IngestPhaseOptions& options);

// Runs `store_batch(thread, first, last, figures)` on `threads` threads
// over the batches of [begin, end), until `deadline`; sums what they did.
// A thread stops at its first failure; the first of those is returned.
absl::Status ForEachBatch(
    int64_t begin, int64_t end, int batch, int threads, absl::Time deadline,
    IngestFigures* figures,
    const std::function<absl::Status(int, int64_t, int64_t, IngestFigures*)>&
        store_batch);

// The content digest and id an article is stored under by the systems that
// do not prepare it (PostgreSQL, the peers): its own, or for one as crawled,
// the SHA-256 of its title and body as they came and the id of that.
std::pair<std::string, std::string> StoredDigestAndId(const v1::Article& article);

// The columns of the PostgreSQL tables, and one article's values for them
// in text form, under StoredDigestAndId.
extern const char* const kPostgresColumns;
inline constexpr int kPostgresColumnCount = 11;
std::vector<std::string> PostgresRow(const v1::Article& article);
// The parameters of one multi-row INSERT of `articles`: their rows in id
// order, so that concurrent INSERTs take their unique keys in one order and
// cannot deadlock on each other's duplicates.
std::vector<std::string> PostgresBatchParams(
    const std::vector<const v1::Article*>& articles);
// CREATE TABLE `table` (...) with its indexes.
std::string PostgresCreateTable(const std::string& table, bool full_text);
// INSERT INTO `table` (kPostgresColumns) VALUES (...) x rows ON CONFLICT DO
// NOTHING, with $n parameters.
std::string PostgresInsert(const std::string& table, int rows);

}  // namespace archive::bench

#endif  // TESTS_BENCH_INGEST_PHASES_H_
