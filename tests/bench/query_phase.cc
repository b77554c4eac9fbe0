#include "tests/bench/query_phase.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
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
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "ingest/article_preparer.h"
#include "store/store_client.h"
#include "tests/bench/fixed_rate.h"
#include "tests/bench/ingest_phases.h"
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

// Loads the archive and PostgreSQL alike; the articles they hold.
absl::StatusOr<std::vector<StoredArticle>> Load(const Corpus& corpus,
                                                const std::string& store_address,
                                                const QueryPhaseOptions& options,
                                                Results* results) {
  std::unique_ptr<store::StoreClient> store = store::StoreClient::Connect(store_address);
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
        if (postgres) {
          std::vector<const v1::Article*> batch;
          for (const v1::PutItem& item : request.items())
            batch.push_back(&item.article());
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

using Call = std::function<absl::Status(int worker, int64_t i)>;

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

 private:
  PostgresCalls() = default;
  std::vector<std::unique_ptr<PostgresConnection>> connections_;
};

// Each kind of query at its rate, on the archive, on its store alone, and
// on PostgreSQL, kind after kind: the systems' runs of a kind are close in
// time.
absl::Status RunQueries(const std::string& query_address,
                        const std::string& store_address, const Workload& workload,
                        const QueryPhaseOptions& options, Results* results) {
  const ArchiveCalls archive(query_address);
  const StoreCalls store(store_address);
  std::unique_ptr<PostgresCalls> postgres;
  if (!options.postgres.empty()) {
    ASSIGN_OR_RETURN(postgres, PostgresCalls::Connect(options.postgres, options.workers));
  }
  // Each system's calls of a kind; nullptr for a kind it does not run.
  struct System {
    std::string prefix;
    std::function<Call(QueryKind, std::atomic<int64_t>*)> calls;
  };
  std::vector<System> systems = {
      {"", [&](QueryKind kind, std::atomic<int64_t>* items) {
         return archive.For(kind, workload, items);
       }},
      {"store_", [&](QueryKind kind, std::atomic<int64_t>* items) {
         return store.For(kind, workload, items);
       }}};
  if (postgres != nullptr) {
    systems.push_back({"postgres_", [&](QueryKind kind, std::atomic<int64_t>* items) {
                         return postgres->For(kind, workload, items);
                       }});
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
      const std::string prefix = system.prefix + kind.name;
      std::atomic<int64_t> items{0};
      const Call call = system.calls(kind.kind, &items);
      if (call == nullptr) continue;
      ARCHIVE_LOG(INFO) << "query phase: " << prefix << " at " << kind.rate << "/s";
      const LatencySummary summary = RunAtFixedRate(
          kind.rate, options.warmup, options.duration, options.workers, call);
      Record(prefix, summary, results);
      if (kind.per_call.empty()) continue;
      // Warm-up calls returned items too.
      const double calls =
          summary.calls +
          static_cast<int64_t>(kind.rate * absl::ToDoubleSeconds(options.warmup));
      results->Set(absl::StrCat(prefix, "_mean_", kind.per_call),
                   calls > 0 ? items / calls : 0.0);
    }
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
    ARCHIVE_LOG(INFO) << "reads: " << prefix << name << " at " << rate << "/s";
    Record(prefix + name,
           RunAtFixedRate(rate, options.warmup, options.duration, options.workers,
                          archive.For(kind, workload, &items)),
           results);
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
                   Load(corpus, store->address(), options, results));
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
  RETURN_IF_ERROR(
      RunQueries(query->address(), store->address(), workload, options, results));
  results->Set("query_store_peak_rss_mb", PeakRssMb(store->pid()));
  results->Set("query_server_peak_rss_mb", PeakRssMb(query->pid()));
  RETURN_IF_ERROR(query->Stop());
  RETURN_IF_ERROR(store->Stop());
  return absl::OkStatus();
}

}  // namespace archive::bench
