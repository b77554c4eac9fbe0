#include "tests/bench/query_phase.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/health_client.h"
#include "common/logging.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/tokenizer.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "ingest/article_preparer.h"
#include "store/article_db.h"
#include "store/store_client.h"
#include "tests/bench/fixed_rate.h"
#include "tests/bench/ingest_phases.h"
#include "tests/bench/peer_indexes.h"
#include "tests/bench/postgres_client.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {
namespace {

constexpr char kTable[] = "archive";
constexpr int kListPageSize = 100;
constexpr int kSearchPageSize = 10;
const absl::Duration kCallTimeout = absl::Seconds(10);

constexpr char kSelectColumns[] =
    "id, source, url, title, body, captions, authors, language, published_at, "
    "crawled_at";
// What ARTICLE_VIEW_BASIC returns of the same columns.
constexpr char kSelectHeadColumns[] =
    "id, source, url, title, authors, language, published_at, crawled_at";

// The queries each system gets, the same for both.
struct Workload {
  std::vector<std::string> get_ids;
  std::vector<std::pair<std::string, google::protobuf::Timestamp>> lists;  // source, end
  std::vector<std::string> searches;
};

Workload MakeWorkload(const Corpus& corpus, const std::vector<StoredArticle>& stored,
                      const QueryPhaseOptions& options) {
  const absl::Duration run = options.warmup + options.duration;
  const auto calls = [&](double rate) {
    return static_cast<size_t>(rate * absl::ToDoubleSeconds(run)) + options.workers + 1;
  };
  std::mt19937_64 random(corpus.options().seed);
  Workload workload;
  for (size_t i = 0; i < calls(options.get_rate); ++i) {
    workload.get_ids.push_back(stored[random() % stored.size()].id);
  }
  const int64_t span = absl::ToInt64Seconds(corpus.options().span);
  for (size_t i = 0; i < calls(options.list_rate); ++i) {
    const std::string& source = stored[random() % stored.size()].source;
    const absl::Time end =
        corpus.options().first_published + absl::Seconds(random() % span);
    workload.lists.emplace_back(source, ToProtoTimestamp(end));
  }
  for (size_t i = 0; i < calls(options.search_rate); ++i) {
    workload.searches.push_back(corpus.SearchWords(
        static_cast<int64_t>(i), 2, options.search_min_rank, options.search_max_rank));
  }
  return workload;
}

void Record(const std::string& prefix, const LatencySummary& summary, Results* results) {
  results->Set(prefix + "_p50_ms", summary.p50_ms);
  results->Set(prefix + "_p90_ms", summary.p90_ms);
  results->Set(prefix + "_p99_ms", summary.p99_ms);
  results->Set(prefix + "_max_ms", summary.max_ms);
  results->Set(prefix + "_calls", static_cast<double>(summary.calls));
  results->Set(prefix + "_errors", static_cast<double>(summary.errors));
  results->Set(prefix + "_achieved_per_s", summary.achieved_per_s);
  if (summary.errors > 0) {
    ARCHIVE_LOG(WARNING) << prefix << ": " << summary.errors
                         << " calls failed, the first: " << summary.first_error;
  }
}

// The CPU seconds so far of every process doing a system's calls; nullopt
// when not known.
using CpuClock = std::function<std::optional<double>()>;

using Call = std::function<absl::Status(int worker, int64_t i)>;

// Runs `call` at `rate` for the phase's warm-up and duration, with its
// workers, and records under `prefix` its latency, the mean of what each
// call added to `items` as <prefix>_mean_<per_call> (none when `per_call` is
// empty), and, with `cpu`, the CPU a call (warm-up calls counted too, as
// they used CPU in the same span).
void Measure(const std::string& prefix, double rate, const Call& call,
             const std::string& per_call, const std::atomic<int64_t>& items,
             const CpuClock& cpu, const QueryPhaseOptions& options, Results* results) {
  ARCHIVE_LOG(INFO) << "query phase: " << prefix << " at " << rate << "/s";
  const std::optional<double> cpu_before = cpu ? cpu() : std::nullopt;
  const LatencySummary summary =
      RunAtFixedRate(rate, options.warmup, options.duration, options.workers, call);
  const std::optional<double> cpu_after = cpu ? cpu() : std::nullopt;
  Record(prefix, summary, results);
  const double calls =
      summary.calls + static_cast<int64_t>(rate * absl::ToDoubleSeconds(options.warmup));
  if (cpu_before.has_value() && cpu_after.has_value() && calls > 0) {
    results->Set(prefix + "_cpu_ms_per_call", (*cpu_after - *cpu_before) * 1e3 / calls);
  }
  if (!per_call.empty()) {
    results->Set(absl::StrCat(prefix, "_mean_", per_call),
                 calls > 0 ? items / calls : 0.0);
  }
}

absl::Status ToAbsl(const grpc::Status& status) {
  return status.ok() ? absl::OkStatus()
                     : absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                    status.error_message());
}

// Creates the table the queries read, with every index they use.
absl::Status CreatePostgresTable(PostgresConnection& connection) {
  return connection
      .Execute(absl::StrCat(
          "DROP TABLE IF EXISTS ", kTable, "; CREATE TABLE ", kTable,
          " (id text PRIMARY KEY, content_digest text NOT NULL UNIQUE, "
          "source text NOT NULL, url text, title text NOT NULL, body text NOT NULL, "
          "captions text[], authors text[], language text, "
          "published_at timestamptz NOT NULL, crawled_at timestamptz, "
          "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || "
          "body)) "
          "STORED); CREATE INDEX ",
          kTable, "_by_source_time ON ", kTable, " (source, published_at); CREATE INDEX ",
          kTable, "_text ON ", kTable, " USING gin (tsv)"))
      .status();
}

// Where the query archive's copy in a peer is.
std::string PeerDir(const std::string& work_dir, PeerKind kind) {
  return absl::StrCat(work_dir, "/query_", PeerName(kind), "_db");
}

// A peer the loaders fill, one at a time.
struct LoadingPeer {
  PeerKind kind;
  std::unique_ptr<PeerWriter> writer;
  std::mutex mutex;
  double busy_seconds = 0;  // guarded by mutex
  int64_t stored = 0;       // guarded by mutex
};

// Loads the archive, PostgreSQL and the peers alike; the articles they hold.
absl::StatusOr<std::vector<StoredArticle>> Load(const Corpus& corpus,
                                                const std::string& store_address,
                                                const std::string& work_dir,
                                                const QueryPhaseOptions& options,
                                                Results* results) {
  std::unique_ptr<store::StoreClient> store = store::StoreClient::Connect(store_address);
  std::vector<std::unique_ptr<LoadingPeer>> peers;
  if (options.peers) {
    PeerWriterOptions writer_options;
    writer_options.durable = false;
    for (const PeerKind kind : kPeerKinds) {
      auto peer = std::make_unique<LoadingPeer>();
      peer->kind = kind;
      ASSIGN_OR_RETURN(peer->writer,
                       OpenPeerWriter(kind, PeerDir(work_dir, kind), writer_options));
      peers.push_back(std::move(peer));
    }
  }
  const bool postgres = !options.postgres.empty();
  std::vector<std::unique_ptr<PostgresConnection>> connections;
  if (postgres) {
    for (int l = 0; l < options.loaders; ++l) {
      ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> connection,
                       PostgresConnection::Connect(options.postgres));
      if (l == 0) RETURN_IF_ERROR(CreatePostgresTable(*connection));
      RETURN_IF_ERROR(connection->Execute("SET synchronous_commit = off").status());
      RETURN_IF_ERROR(
          connection->Prepare("insert_batch", PostgresInsert(kTable, options.batch)));
      connections.push_back(std::move(connection));
    }
  }

  const absl::Time started = absl::Now();
  const absl::Time deadline = started + options.load_time;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> submitted{0};
  std::mutex mutex;
  std::vector<StoredArticle> stored;  // guarded by mutex
  absl::Status failure;               // guarded by mutex
  double store_seconds = 0;           // guarded by mutex
  double postgres_seconds = 0;        // guarded by mutex
  std::vector<std::thread> loaders;
  for (int l = 0; l < options.loaders; ++l) {
    loaders.emplace_back([&, l] {
      std::vector<StoredArticle> mine;
      double in_store = 0, in_postgres = 0;
      absl::Status status;
      while (status.ok() && absl::Now() < deadline) {
        const int64_t begin = next.fetch_add(options.batch);
        if (begin >= options.max_articles) break;
        const int64_t end =
            std::min<int64_t>(options.max_articles, begin + options.batch);
        const absl::Time now = absl::Now();
        v1::PutRequest request;
        for (int64_t i = begin; i < end; ++i) {
          absl::StatusOr<ingest::PreparedArticle> prepared =
              ingest::PrepareArticle(corpus.Article(i), now, ingest::PreparerOptions());
          if (!prepared.ok()) {
            status = prepared.status();
            break;
          }
          v1::PutItem* item = request.add_items();
          *item->mutable_article() = std::move(prepared->article);
          item->mutable_minhash()->Add(prepared->minhash.begin(),
                                       prepared->minhash.end());
        }
        if (!status.ok()) break;
        absl::Time mark = absl::Now();
        absl::StatusOr<v1::PutResponse> put =
            store->Put(request, mark + absl::Minutes(1));
        in_store += absl::ToDoubleSeconds(absl::Now() - mark);
        if (!put.ok()) {
          status = put.status();
          break;
        }
        for (int j = 0; j < put->results_size(); ++j) {
          if (put->results(j).outcome() != v1::OUTCOME_DUPLICATE) {
            mine.push_back({put->results(j).id(), request.items(j).article().source()});
          }
        }
        std::vector<const v1::Article*> batch;
        for (const v1::PutItem& item : request.items()) batch.push_back(&item.article());
        if (postgres) {
          const std::vector<std::string> params = PostgresBatchParams(batch);
          mark = absl::Now();
          const int rows = static_cast<int>(end - begin);
          absl::StatusOr<PostgresResult> inserted =
              rows == options.batch
                  ? connections[l]->ExecutePrepared("insert_batch", params)
                  : connections[l]->Execute(PostgresInsert(kTable, rows), params);
          in_postgres += absl::ToDoubleSeconds(absl::Now() - mark);
          status = inserted.status();
        }
        // Each loader starts with another peer, so that they can overlap.
        for (size_t k = 0; status.ok() && k < peers.size(); ++k) {
          LoadingPeer& peer = *peers[(l + k) % peers.size()];
          std::lock_guard<std::mutex> lock(peer.mutex);
          mark = absl::Now();
          const absl::StatusOr<int64_t> added = peer.writer->AddBatch(batch);
          peer.busy_seconds += absl::ToDoubleSeconds(absl::Now() - mark);
          if (added.ok()) {
            peer.stored += *added;
          } else {
            status = added.status();
          }
        }
        if (!status.ok()) break;
        submitted += end - begin;
      }
      std::lock_guard<std::mutex> lock(mutex);
      stored.insert(stored.end(), mine.begin(), mine.end());
      store_seconds += in_store;
      postgres_seconds += in_postgres;
      if (failure.ok()) failure = status;
    });
  }
  for (std::thread& loader : loaders) loader.join();
  RETURN_IF_ERROR(failure);
  for (const std::unique_ptr<LoadingPeer>& peer : peers) {
    const std::string name = PeerName(peer->kind);
    const absl::Time mark = absl::Now();
    RETURN_IF_ERROR(peer->writer->Close());
    results->Set(absl::StrCat("query_load_", name, "_busy_s"),
                 peer->busy_seconds + absl::ToDoubleSeconds(absl::Now() - mark));
    results->Set(absl::StrCat("query_", name, "_stored"),
                 static_cast<double>(peer->stored));
    results->Set(absl::StrCat("query_", name, "_db_mb"),
                 DirectoryMb(PeerDir(work_dir, peer->kind)));
  }
  if (stored.empty()) return absl::FailedPreconditionError("no article was loaded");
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  results->Set("query_archive_articles", static_cast<double>(submitted.load()));
  results->Set("query_archive_stored", static_cast<double>(stored.size()));
  results->Set("query_load_s", seconds);
  results->Set("query_load_articles_per_s", submitted / seconds);
  // Summed over the loaders: where the load's time went.
  results->Set("query_load_store_busy_s", store_seconds);
  results->Set("query_load_postgres_busy_s",
               postgres ? std::optional<double>(postgres_seconds) : std::nullopt);
  return stored;
}

// kPing: a call that does no work (a health check; PostgreSQL's SELECT 1),
// at the gets' rate: what one round trip to the server costs on this
// machine, the floor under every other kind.
// kListBasic, kSearchBasic: the lists and searches again, in
// ARTICLE_VIEW_BASIC (no text), as archivectl asks for them.
enum class QueryKind { kPing, kGet, kList, kListBasic, kSearch, kSearchBasic };

// A health check of the server on `channel` as a whole.
absl::Status Ping(const std::shared_ptr<grpc::Channel>& channel) {
  ASSIGN_OR_RETURN(const ServingStatus serving,
                   CheckHealth(channel, "", absl::Now() + kCallTimeout));
  return serving == ServingStatus::kServing
             ? absl::OkStatus()
             : absl::UnavailableError("the server is not serving");
}

v1::ArticleView ViewOf(QueryKind kind) {
  return kind == QueryKind::kListBasic || kind == QueryKind::kSearchBasic
             ? v1::ARTICLE_VIEW_BASIC
             : v1::ARTICLE_VIEW_FULL;
}

// The archive's calls, through query_server, with `security`'s credentials
// and token. Adds to `*items` the articles (or hits) each call returned.
class ArchiveCalls {
 public:
  explicit ArchiveCalls(const std::string& query_address,
                        ClientSecurity security = PlaintextClient())
      : security_(std::move(security)) {
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(64 << 20);
    channel_ =
        grpc::CreateCustomChannel(query_address, security_.credentials, arguments);
    stub_ = v1::Query::NewStub(channel_);
  }

  Call For(QueryKind kind, const Workload& workload, std::atomic<int64_t>* items) const {
    v1::Query::Stub* stub = stub_.get();
    // A call's context: its deadline, and the token.
    const auto prepare = [security = &security_](grpc::ClientContext* context) {
      context->set_deadline(std::chrono::system_clock::now() +
                            absl::ToChronoSeconds(kCallTimeout));
      security->Prepare(context);
    };
    switch (kind) {
      case QueryKind::kPing:
        return [channel = channel_](int, int64_t) { return Ping(channel); };
      case QueryKind::kGet:
        return [stub, prepare, items, &workload](int, int64_t i) {
          grpc::ClientContext context;
          prepare(&context);
          v1::GetArticleRequest request;
          request.set_id(workload.get_ids[i % workload.get_ids.size()]);
          v1::Article article;
          const grpc::Status status = stub->GetArticle(&context, request, &article);
          *items += status.ok();
          return ToAbsl(status);
        };
      case QueryKind::kList:
      case QueryKind::kListBasic:
        return [stub, prepare, items, &workload, view = ViewOf(kind)](int, int64_t i) {
          grpc::ClientContext context;
          prepare(&context);
          const auto& [source, end] = workload.lists[i % workload.lists.size()];
          v1::ListArticlesRequest request;
          request.set_source(source);
          *request.mutable_end_time() = end;
          request.set_page_size(kListPageSize);
          request.set_view(view);
          v1::ListArticlesResponse response;
          const grpc::Status status = stub->ListArticles(&context, request, &response);
          *items += response.articles_size();
          return ToAbsl(status);
        };
      case QueryKind::kSearch:
      case QueryKind::kSearchBasic:
        return [stub, prepare, items, &workload, view = ViewOf(kind)](int, int64_t i) {
          grpc::ClientContext context;
          prepare(&context);
          v1::SearchArticlesRequest request;
          request.set_query(workload.searches[i % workload.searches.size()]);
          request.set_page_size(kSearchPageSize);
          request.set_view(view);
          v1::SearchArticlesResponse response;
          const grpc::Status status = stub->SearchArticles(&context, request, &response);
          *items += response.hits_size();
          return ToAbsl(status);
        };
    }
    return nullptr;
  }

 private:
  const ClientSecurity security_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

// The gets and lists straight to store_server: one loopback hop instead of
// the archive's two, so that the query server's hop shows in the same run.
class StoreCalls {
 public:
  explicit StoreCalls(const std::string& store_address)
      : client_(store::StoreClient::Connect(store_address)),
        health_channel_(
            grpc::CreateChannel(store_address, grpc::InsecureChannelCredentials())) {}

  // nullptr for searches: a store ranks under the statistics of every store,
  // which the query server gathers.
  Call For(QueryKind kind, const Workload& workload, std::atomic<int64_t>* items) const {
    store::StoreClient* client = client_.get();
    switch (kind) {
      case QueryKind::kPing:
        return [channel = health_channel_](int, int64_t) { return Ping(channel); };
      case QueryKind::kGet:
        return [client, items, &workload](int, int64_t i) {
          const absl::StatusOr<v1::Article> article = client->Get(
              workload.get_ids[i % workload.get_ids.size()], absl::Now() + kCallTimeout);
          *items += article.ok();
          return article.status();
        };
      case QueryKind::kList:
      case QueryKind::kListBasic:
        return [client, items, &workload, view = ViewOf(kind)](int, int64_t i) {
          const auto& [source, end] = workload.lists[i % workload.lists.size()];
          v1::ScanRequest request;
          request.set_source(source);
          *request.mutable_end_time() = end;
          request.set_page_size(kListPageSize);
          request.set_view(view);
          const absl::StatusOr<v1::ScanResponse> page =
              client->Scan(request, absl::Now() + kCallTimeout);
          if (page.ok()) *items += page->articles_size();
          return page.status();
        };
      case QueryKind::kSearch:
      case QueryKind::kSearchBasic:
        return nullptr;
    }
    return nullptr;
  }

 private:
  std::unique_ptr<store::StoreClient> client_;
  std::shared_ptr<grpc::Channel> health_channel_;
};

// The same queries on PostgreSQL, one connection a worker.
class PostgresCalls {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresCalls>> Connect(
      const std::string& conninfo, int workers) {
    auto calls = std::unique_ptr<PostgresCalls>(new PostgresCalls);
    for (int w = 0; w < workers; ++w) {
      ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> connection,
                       PostgresConnection::Connect(conninfo));
      if (w == 0) {
        ASSIGN_OR_RETURN(const PostgresResult backend,
                         connection->Execute("SELECT pg_backend_pid()"));
        calls->server_pid_ = ParentPid(static_cast<pid_t>(std::stol(backend.first_value)));
      }
      RETURN_IF_ERROR(connection->Prepare("ping", "SELECT 1"));
      RETURN_IF_ERROR(connection->Prepare(
          "get",
          absl::StrCat("SELECT ", kSelectColumns, " FROM ", kTable, " WHERE id = $1")));
      for (const auto& [name, columns] : {std::pair("list", kSelectColumns),
                                          std::pair("list_basic", kSelectHeadColumns)}) {
        RETURN_IF_ERROR(connection->Prepare(
            name, absl::StrCat("SELECT ", columns, " FROM ", kTable,
                               " WHERE source = $1 AND published_at < $2 "
                               "ORDER BY published_at DESC LIMIT ",
                               kListPageSize)));
      }
      RETURN_IF_ERROR(connection->Prepare(
          "search", absl::StrCat("SELECT ", kSelectColumns,
                                 ", ts_rank(tsv, q) AS score FROM ", kTable,
                                 ", plainto_tsquery('simple', $1) q WHERE tsv @@ q "
                                 "ORDER BY score DESC, published_at DESC LIMIT ",
                                 kSearchPageSize)));
      calls->connections_.push_back(std::move(connection));
    }
    return calls;
  }

  Call For(QueryKind kind, const Workload& workload, std::atomic<int64_t>* items) const {
    const std::vector<std::unique_ptr<PostgresConnection>>* connections = &connections_;
    const auto run = [connections, items](int w, const char* name,
                                          const std::vector<std::string>& params) {
      absl::StatusOr<PostgresResult> result =
          (*connections)[w]->ExecutePrepared(name, params);
      if (result.ok()) *items += result->rows;
      return result.status();
    };
    switch (kind) {
      case QueryKind::kPing:
        return [run](int w, int64_t) { return run(w, "ping", {}); };
      case QueryKind::kGet:
        return [run, &workload](int w, int64_t i) {
          return run(w, "get", {workload.get_ids[i % workload.get_ids.size()]});
        };
      case QueryKind::kList:
      case QueryKind::kListBasic:
        return [run, &workload, name = kind == QueryKind::kList ? "list" : "list_basic"](
                   int w, int64_t i) {
          const auto& [source, end] = workload.lists[i % workload.lists.size()];
          return run(w, name, {source, FormatTimestamp(end)});
        };
      case QueryKind::kSearch:
        return [run, &workload](int w, int64_t i) {
          return run(w, "search", {workload.searches[i % workload.searches.size()]});
        };
      case QueryKind::kSearchBasic:
        // Its cost is ranking, not bytes, and a run takes a minute or more.
        return nullptr;
    }
    return nullptr;
  }

  // The postmaster, whose family does the work, when it is on this machine.
  std::optional<pid_t> server_pid() const { return server_pid_; }

 private:
  PostgresCalls() = default;
  std::vector<std::unique_ptr<PostgresConnection>> connections_;
  std::optional<pid_t> server_pid_;
};

// Each kind of query at its rate, on the archive, on its store alone, and
// on PostgreSQL, kind after kind: the systems' runs of a kind are close in
// time.
absl::Status RunQueries(const ArchiveServer& query, const ArchiveServer& store,
                        const Workload& workload, const QueryPhaseOptions& options,
                        Results* results) {
  const ArchiveCalls archive(query.address());
  const StoreCalls store_calls(store.address());
  std::unique_ptr<PostgresCalls> postgres;
  if (!options.postgres.empty()) {
    ASSIGN_OR_RETURN(postgres, PostgresCalls::Connect(options.postgres, options.workers));
  }
  // The driver's CPU and the servers'.
  const auto cpu_with = [](std::function<std::optional<double>()> servers) -> CpuClock {
    return [servers = std::move(servers)]() -> std::optional<double> {
      const std::optional<double> theirs = servers();
      if (!theirs.has_value()) return std::nullopt;
      return ProcessCpuSeconds() + *theirs;
    };
  };
  // Each system's calls of a kind; nullptr for a kind it does not run.
  struct System {
    std::string prefix;
    std::function<Call(QueryKind, std::atomic<int64_t>*)> calls;
    CpuClock cpu;
  };
  std::vector<System> systems = {
      {"",
       [&](QueryKind kind, std::atomic<int64_t>* items) {
         return archive.For(kind, workload, items);
       },
       cpu_with([pids = std::vector<pid_t>{query.pid(), store.pid()}] {
         return CpuSeconds(pids);
       })},
      {"store_",
       [&](QueryKind kind, std::atomic<int64_t>* items) {
         return store_calls.For(kind, workload, items);
       },
       cpu_with([pid = store.pid()] { return CpuSeconds(pid); })}};
  if (postgres != nullptr) {
    const std::optional<pid_t> server = postgres->server_pid();
    systems.push_back({"postgres_",
                       [&](QueryKind kind, std::atomic<int64_t>* items) {
                         return postgres->For(kind, workload, items);
                       },
                       server.has_value() ? cpu_with([pid = *server] {
                         return FamilyCpuSeconds(pid);
                       })
                                          : CpuClock()});
  }
  struct Kind {
    QueryKind kind;
    std::string name;
    double rate;
    std::string per_call;  // what each call returns, counted; "" for nothing
  };
  for (const Kind& kind :
       {Kind{QueryKind::kPing, "ping", options.get_rate, ""},
        Kind{QueryKind::kGet, "get", options.get_rate, "articles"},
        Kind{QueryKind::kList, "list", options.list_rate, "articles"},
        Kind{QueryKind::kListBasic, "list_basic", options.list_rate, "articles"},
        Kind{QueryKind::kSearch, "search", options.search_rate, "hits"},
        Kind{QueryKind::kSearchBasic, "search_basic", options.search_rate, "hits"}}) {
    for (const System& system : systems) {
      std::atomic<int64_t> items{0};
      const Call call = system.calls(kind.kind, &items);
      if (call == nullptr) continue;
      Measure(system.prefix + kind.name, kind.rate, call, kind.per_call, items,
              system.cpu, options, results);
    }
  }
  return absl::OkStatus();
}

// The query phase's searches again, in this process, after the servers
// have stopped, one system at a time at the search rate: the store's
// ArticleDb on `db` (its own search, no gRPC: the terms as the query server
// splits them, top 10, whole articles, no snippets), then each peer's copy
// (loaded by Load). Each search runs wholly on the thread that calls it: its
// CPU is that thread's during the call (RocksDB's background work, which a
// reopened database does for a while, is not the searches').
absl::Status RunInProcessSearches(const std::string& db, const std::string& work_dir,
                                  const Workload& workload,
                                  const QueryPhaseOptions& options, Results* results) {
  // Nanoseconds: a search of a small archive may take under a microsecond.
  std::atomic<int64_t> cpu_ns{0};  // of the calls so far
  const CpuClock cpu = [&cpu_ns] { return std::optional<double>(cpu_ns / 1e9); };
  const auto counting_cpu = [&cpu_ns](Call call) -> Call {
    return [&cpu_ns, call = std::move(call)](int worker, int64_t i) {
      const double before = ThreadCpuSeconds();
      const absl::Status status = call(worker, i);
      cpu_ns += static_cast<int64_t>((ThreadCpuSeconds() - before) * 1e9);
      return status;
    };
  };
  const std::vector<std::string>& searches = workload.searches;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<store::ArticleDb> archive,
                     store::ArticleDb::Open(db, store::ArticleDbOptions()));
    // Opening indexes again what store_server left in its memory segment,
    // and RocksDB may compact: let that settle, as for the server.
    WaitUntilQuiet(::getpid(), 0.05, absl::Minutes(1));
    std::vector<v1::SearchRequest> requests(searches.size());
    for (size_t i = 0; i < searches.size(); ++i) {
      for (const std::string& term : Tokenize(searches[i])) requests[i].add_terms(term);
      requests[i].set_limit(kSearchPageSize);
    }
    std::atomic<int64_t> hits{0};
    Measure(
        "rocksdb_search", options.search_rate, counting_cpu([&](int, int64_t i) {
          v1::SearchResponse response;
          const absl::Status status =
              archive->Search(requests[i % requests.size()], &response);
          hits += response.hits_size();
          return status;
        }),
        "hits", hits, cpu, options, results);
    RETURN_IF_ERROR(archive->Close());
  }
  for (const PeerKind kind : kPeerKinds) {
    std::vector<std::unique_ptr<PeerSearcher>> searchers;  // one a worker
    for (int w = 0; w < options.workers; ++w) {
      ASSIGN_OR_RETURN(std::unique_ptr<PeerSearcher> searcher,
                       OpenPeerSearcher(kind, PeerDir(work_dir, kind)));
      searchers.push_back(std::move(searcher));
    }
    std::atomic<int64_t> hits{0};
    Measure(
        absl::StrCat(PeerName(kind), "_search"), options.search_rate,
        counting_cpu([&](int w, int64_t i) {
          const absl::StatusOr<std::vector<PeerHit>> found =
              searchers[w]->Search(searches[i % searches.size()], kSearchPageSize);
          if (found.ok()) hits += static_cast<int64_t>(found->size());
          return found.status();
        }),
        "hits", hits, cpu, options, results);
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<StoredArticle> StoredArticles(const std::vector<v1::Article>& articles) {
  std::vector<StoredArticle> stored;
  const absl::Time now = absl::Now();
  for (const v1::Article& article : articles) {
    absl::StatusOr<ingest::PreparedArticle> prepared =
        ingest::PrepareArticle(article, now, ingest::PreparerOptions());
    if (prepared.ok()) stored.push_back({prepared->article.id(), article.source()});
  }
  return stored;
}

absl::Status MeasureArchiveReads(const Corpus& corpus, const std::string& query_address,
                                 const std::vector<StoredArticle>& stored,
                                 const QueryPhaseOptions& options,
                                 const std::string& prefix, Results* results,
                                 const ClientSecurity& security) {
  if (stored.empty()) return absl::FailedPreconditionError("no article to read");
  const Workload workload = MakeWorkload(corpus, stored, options);
  const ArchiveCalls archive(query_address, security);
  for (const auto& [kind, name, rate] :
       {std::tuple(QueryKind::kGet, "get", options.get_rate),
        std::tuple(QueryKind::kList, "list", options.list_rate),
        std::tuple(QueryKind::kSearch, "search", options.search_rate)}) {
    std::atomic<int64_t> items{0};
    Measure(prefix + name, rate, archive.For(kind, workload, &items), "", items,
            CpuClock(), options, results);
  }
  return absl::OkStatus();
}

absl::Status RunQueryPhase(const Corpus& corpus, const ArchiveBinaries& binaries,
                           const std::string& work_dir, const QueryPhaseOptions& options,
                           Results* results) {
  const std::string db = work_dir + "/query_store_db";
  ASSIGN_OR_RETURN(std::unique_ptr<ArchiveServer> store,
                   ArchiveServer::Start(binaries.store(), {"--db=" + db, "--sync=false"},
                                        work_dir + "/query_store.log"));
  ASSIGN_OR_RETURN(
      std::unique_ptr<ArchiveServer> query,
      ArchiveServer::Start(binaries.query(), {"--stores=" + store->address()},
                           work_dir + "/query_server.log"));

  ARCHIVE_LOG(INFO) << "query phase: loading up to " << options.max_articles
                    << " articles for at most " << options.load_time;
  ASSIGN_OR_RETURN(const std::vector<StoredArticle> stored,
                   Load(corpus, store->address(), work_dir, options, results));
  ARCHIVE_LOG(INFO) << "query phase: loaded " << stored.size()
                    << " distinct articles; letting compactions settle";
  WaitUntilQuiet(store->pid(), 0.05, absl::Minutes(1));
  results->Set("query_store_db_mb", DirectoryMb(db));
  if (!options.postgres.empty()) {
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> connection,
                     PostgresConnection::Connect(options.postgres));
    RETURN_IF_ERROR(
        connection->Execute(absl::StrCat("VACUUM ANALYZE ", kTable)).status());
    ASSIGN_OR_RETURN(PostgresResult size,
                     connection->Execute(
                         absl::StrCat("SELECT pg_total_relation_size('", kTable, "')")));
    results->Set("postgres_archive_db_mb",
                 std::strtod(size.first_value.c_str(), nullptr) / (1 << 20));
  }

  const Workload workload = MakeWorkload(corpus, stored, options);
  results->Set("get_rate", options.get_rate);
  results->Set("list_rate", options.list_rate);
  results->Set("search_rate", options.search_rate);
  results->Set("query_seconds", absl::ToDoubleSeconds(options.duration));
  RETURN_IF_ERROR(RunQueries(*query, *store, workload, options, results));
  results->Set("query_store_peak_rss_mb", PeakRssMb(store->pid()));
  results->Set("query_server_peak_rss_mb", PeakRssMb(query->pid()));
  RETURN_IF_ERROR(query->Stop());
  RETURN_IF_ERROR(store->Stop());
  if (options.peers) {
    RETURN_IF_ERROR(RunInProcessSearches(db, work_dir, workload, options, results));
  }
  return absl::OkStatus();
}

}  // namespace archive::bench
