#include "tests/bench/ingest_phases.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "common/fingerprint.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "ingest/article_preparer.h"
#include "store/article_db.h"
#include "tests/bench/corpus.h"
#include "tests/bench/postgres_client.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {

std::optional<double> PerArticleUs(std::optional<double> cpu_seconds, int64_t articles) {
  if (!cpu_seconds.has_value() || articles == 0) return std::nullopt;
  return *cpu_seconds * 1e6 / articles;
}

void RecordIngest(const std::string& prefix, const IngestFigures& figures,
                  Results* results) {
  results->Set(prefix + "_articles_per_s", figures.articles_per_s());
  results->Set(prefix + "_mb_per_s", figures.mb_per_s());
  results->Set(prefix + "_seconds", figures.seconds);
  results->Set(prefix + "_cpu_us_per_article",
               PerArticleUs(figures.cpu_seconds, figures.articles));
  results->Set(prefix + "_articles_done", static_cast<double>(figures.articles));
  results->Set(prefix + "_stored", static_cast<double>(figures.stored));
  results->Set(prefix + "_duplicates", static_cast<double>(figures.duplicates));
  results->Set(prefix + "_near_duplicates", static_cast<double>(figures.near_duplicates));
  results->Set(prefix + "_rejected", static_cast<double>(figures.rejected));
  results->SetFlag(prefix + "_cut_short", figures.cut_short);
}

const char* const kPostgresColumns =
    "id, content_digest, source, url, title, body, captions, authors, language, "
    "published_at, crawled_at";

std::pair<std::string, std::string> StoredDigestAndId(const v1::Article& article) {
  std::string digest = article.content_digest();
  if (digest.empty()) digest = ContentDigest(article.title(), article.body());
  std::string id = article.id().empty() ? IdFromDigest(digest) : article.id();
  return {std::move(digest), std::move(id)};
}

std::vector<std::string> PostgresRow(const v1::Article& article) {
  auto [digest, id] = StoredDigestAndId(article);
  return {std::move(id),
          std::move(digest),
          article.source(),
          article.url(),
          article.title(),
          article.body(),
          PostgresTextArray({article.captions().begin(), article.captions().end()}),
          PostgresTextArray({article.authors().begin(), article.authors().end()}),
          article.language(),
          FormatTimestamp(article.published_at()),
          FormatTimestamp(article.crawled_at())};
}

std::vector<std::string> PostgresBatchParams(
    const std::vector<const v1::Article*>& articles) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(articles.size());
  for (const v1::Article* article : articles) rows.push_back(PostgresRow(*article));
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a[0] < b[0]; });
  std::vector<std::string> params;
  params.reserve(rows.size() * kPostgresColumnCount);
  for (std::vector<std::string>& row : rows) {
    for (std::string& value : row) params.push_back(std::move(value));
  }
  return params;
}

std::string PostgresCreateTable(const std::string& table, bool full_text) {
  std::string sql = absl::StrCat(
      "CREATE TABLE ", table,
      " (id text PRIMARY KEY, content_digest text NOT NULL UNIQUE, "
      "source text NOT NULL, url text, title text NOT NULL, body text NOT NULL, "
      "captions text[], authors text[], language text, "
      "published_at timestamptz NOT NULL, crawled_at timestamptz",
      full_text ? ", tsv tsvector GENERATED ALWAYS AS "
                  "(to_tsvector('simple', title || ' ' || body)) STORED"
                : "",
      "); CREATE INDEX ", table, "_by_source_time ON ", table, " (source, published_at)");
  if (full_text) {
    absl::StrAppend(&sql, "; CREATE INDEX ", table, "_text ON ", table,
                    " USING gin (tsv)");
  }
  return sql;
}

std::string PostgresInsert(const std::string& table, int rows) {
  std::string sql =
      absl::StrCat("INSERT INTO ", table, " (", kPostgresColumns, ") VALUES ");
  int parameter = 0;
  for (int row = 0; row < rows; ++row) {
    absl::StrAppend(&sql, row > 0 ? ", (" : "(");
    for (int column = 0; column < kPostgresColumnCount; ++column) {
      absl::StrAppend(&sql, column > 0 ? ", $" : "$", ++parameter);
    }
    absl::StrAppend(&sql, ")");
  }
  absl::StrAppend(&sql, " ON CONFLICT DO NOTHING");
  return sql;
}

absl::Status IngestTarget::StoreSlice(const std::vector<v1::Article>& articles,
                                      int64_t begin, int64_t end) {
  const absl::Duration left = options_.time_limit - absl::Seconds(figures_.seconds);
  if (left <= absl::ZeroDuration()) {
    figures_.cut_short = true;
    return absl::OkStatus();
  }
  const std::optional<double> cpu_before = CpuSeconds();
  const absl::Time started = absl::Now();
  IngestFigures slice;
  absl::Status status = Store(articles, begin, end, started + left, &slice);
  figures_.seconds += absl::ToDoubleSeconds(absl::Now() - started);
  const std::optional<double> cpu_after = CpuSeconds();
  if (cpu_before.has_value() && cpu_after.has_value()) {
    figures_.cpu_seconds = figures_.cpu_seconds.value_or(0) + *cpu_after - *cpu_before;
  }
  figures_.articles += slice.articles;
  figures_.bytes += slice.bytes;
  figures_.stored += slice.stored;
  figures_.duplicates += slice.duplicates;
  figures_.near_duplicates += slice.near_duplicates;
  figures_.rejected += slice.rejected;
  figures_.cut_short = figures_.cut_short || slice.cut_short;
  return status;
}

absl::Status ForEachBatch(
    int64_t begin, int64_t end, int batch, int threads, absl::Time deadline,
    IngestFigures* figures,
    const std::function<absl::Status(int, int64_t, int64_t, IngestFigures*)>&
        store_batch) {
  std::atomic<int64_t> next{begin};
  std::mutex mutex;
  absl::Status failure;  // guarded by mutex
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      IngestFigures mine;
      absl::Status status;
      while (status.ok()) {
        if (absl::Now() > deadline) {
          mine.cut_short = true;
          break;
        }
        const int64_t first = next.fetch_add(batch);
        if (first >= end) break;
        status = store_batch(t, first, std::min<int64_t>(end, first + batch), &mine);
      }
      std::lock_guard<std::mutex> lock(mutex);
      figures->Add(mine);
      if (failure.ok()) failure = status;
    });
  }
  for (std::thread& worker : workers) worker.join();
  return failure;
}

absl::Status StoreInRounds(
    const std::vector<v1::Article>& articles, int rounds, int batch,
    const std::vector<std::pair<std::string, std::unique_ptr<IngestTarget>>>& targets,
    Results* results) {
  const int64_t total = static_cast<int64_t>(articles.size());
  rounds = std::max(1, rounds);
  const int64_t slice = ((total + rounds - 1) / rounds + batch - 1) / batch * batch;
  for (int round = 0; round < rounds; ++round) {
    const int64_t begin = round * slice;
    const int64_t end = std::min(total, begin + slice);
    if (begin >= end) break;
    for (size_t k = 0; k < targets.size(); ++k) {
      const auto& [name, target] = targets[(round + k) % targets.size()];
      const absl::Status status = target->StoreSlice(articles, begin, end);
      if (!status.ok()) {
        RecordIngest(name, target->figures(), results);
        return absl::Status(status.code(), name + ": " + std::string(status.message()));
      }
    }
  }
  for (const auto& [name, target] : targets) {
    RecordIngest(name, target->figures(), results);
  }
  return absl::OkStatus();
}

namespace {

void CountOutcome(v1::Outcome outcome, IngestFigures* figures) {
  switch (outcome) {
    case v1::OUTCOME_STORED:
      ++figures->stored;
      break;
    case v1::OUTCOME_DUPLICATE:
      ++figures->duplicates;
      break;
    case v1::OUTCOME_NEAR_DUPLICATE:
      ++figures->near_duplicates;
      break;
    default:
      ++figures->rejected;
      break;
  }
}

// The articles past their near-duplicate lookup but not yet stored, as
// ingest's SubmitPipeline keeps them: batches register in corpus order, so
// every article is compared with every earlier one, stored or not.
class ArticlesOnTheWay {
 public:
  // Waits until every batch before `number` has registered, then returns,
  // for each of `items`, the most resembling article on the way (or of
  // `items` before it) at `threshold` or more, and adds `items`.
  std::vector<std::pair<std::string, double>> Register(
      int64_t number, const google::protobuf::RepeatedPtrField<v1::PutItem>& items,
      double threshold) {
    std::unique_lock<std::mutex> lock(mutex_);
    turn_.wait(lock, [&] { return number <= next_ || abandoned_; });
    std::vector<std::pair<std::string, double>> best(items.size());
    for (int j = 0; j < items.size(); ++j) {
      const std::string& id = items[j].article().id();
      for (const auto& [other_id, signature] : signatures_) {
        if (other_id == id) continue;
        const double resemblance = EstimateResemblance(items[j].minhash(), signature);
        if (resemblance >= threshold && resemblance > best[j].second) {
          best[j] = {other_id, resemblance};
        }
      }
      signatures_.emplace(id, std::vector<uint32_t>(items[j].minhash().begin(),
                                                    items[j].minhash().end()));
    }
    next_ = std::max(next_, number + 1);
    turn_.notify_all();
    return best;
  }

  void Forget(const google::protobuf::RepeatedPtrField<v1::PutItem>& items) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const v1::PutItem& item : items) signatures_.erase(item.article().id());
  }

  // The next slice starts at batch `number` (batches cut by a deadline
  // never register).
  void StartAt(int64_t number) {
    std::lock_guard<std::mutex> lock(mutex_);
    next_ = number;
    abandoned_ = false;
  }

  // A batch failed before registering: stop waiting for order.
  void Abandon() {
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_ = true;
    turn_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable turn_;
  int64_t next_ = 0;        // guarded by mutex_
  bool abandoned_ = false;  // guarded by mutex_
  std::unordered_map<std::string, std::vector<uint32_t>> signatures_;  // guarded
};

class RawRocksDb final : public IngestTarget {
 public:
  RawRocksDb(std::unique_ptr<store::ArticleDb> db, const IngestPhaseOptions& options)
      : IngestTarget(options), db_(std::move(db)) {}

  ~RawRocksDb() override { (void)db_->Close(); }

 protected:
  absl::Status Store(const std::vector<v1::Article>& articles, int64_t begin, int64_t end,
                     absl::Time deadline, IngestFigures* figures) override {
    on_the_way_.StartAt(begin / options_.batch);
    absl::Status status =
        ForEachBatch(begin, end, options_.batch, options_.writers, deadline, figures,
                     [&](int, int64_t first, int64_t last, IngestFigures* mine) {
                       absl::Status stored = StoreBatch(articles, first, last, mine);
                       if (!stored.ok()) on_the_way_.Abandon();
                       return stored;
                     });
    on_the_way_.Abandon();  // a batch cut by the deadline never registered
    return status;
  }

  std::optional<double> CpuSeconds() override { return ProcessCpuSeconds(); }

 private:
  absl::Status StoreBatch(const std::vector<v1::Article>& articles, int64_t first,
                          int64_t last, IngestFigures* figures) {
    const absl::Time now = absl::Now();
    google::protobuf::RepeatedPtrField<v1::PutItem> items;
    for (int64_t i = first; i < last; ++i) {
      ++figures->articles;
      figures->bytes += TextBytes(articles[i]);
      absl::StatusOr<ingest::PreparedArticle> prepared =
          ingest::PrepareArticle(articles[i], now, ingest::PreparerOptions());
      if (!prepared.ok()) {
        ++figures->rejected;
        continue;
      }
      v1::PutItem* item = items.Add();
      *item->mutable_article() = std::move(prepared->article);
      item->mutable_minhash()->Add(prepared->minhash.begin(), prepared->minhash.end());
    }
    const double threshold = options_.near_duplicate_resemblance;
    std::vector<std::pair<std::string, double>> best =
        on_the_way_.Register(first / options_.batch, items, threshold);

    // As SubmitPipeline: the stored article most like it (ties: the older),
    // unless one on the way resembles it more.
    v1::FindSimilarRequest request;
    request.set_min_resemblance(threshold);
    request.set_limit(3);
    for (const v1::PutItem& item : items) {
      *request.add_queries()->mutable_minhash() = item.minhash();
    }
    v1::FindSimilarResponse response;
    absl::Status status = db_->FindSimilar(request, &response);
    for (int j = 0; status.ok() && j < items.size(); ++j) {
      v1::Article* article = items[j].mutable_article();
      for (const v1::SimilarArticle& similar : response.results(j).articles()) {
        if (similar.id() == article->id()) continue;
        if (similar.resemblance() >= best[j].second)
          best[j] = {similar.id(), similar.resemblance()};
        break;  // most similar first, then oldest
      }
      if (!best[j].first.empty()) article->set_near_duplicate_of(best[j].first);
    }
    absl::StatusOr<std::vector<v1::PutResult>> results =
        status.ok() ? db_->Put(items) : status;
    on_the_way_.Forget(items);
    if (!results.ok()) return results.status();
    for (const v1::PutResult& result : *results) CountOutcome(result.outcome(), figures);
    return absl::OkStatus();
  }

  std::unique_ptr<store::ArticleDb> db_;
  ArticlesOnTheWay on_the_way_;
};

class Pipeline final : public IngestTarget {
 public:
  Pipeline(std::unique_ptr<v1::Ingest::Stub> stub, ClientSecurity security,
           std::vector<pid_t> server_pids, const IngestPhaseOptions& options)
      : IngestTarget(options),
        stub_(std::move(stub)),
        security_(std::move(security)),
        server_pids_(std::move(server_pids)) {}

 protected:
  absl::Status Store(const std::vector<v1::Article>& articles, int64_t begin, int64_t end,
                     absl::Time deadline, IngestFigures* figures) override {
    std::mutex mutex;
    absl::Status failure;
    std::vector<std::thread> streams;
    for (int s = 0; s < options_.streams; ++s) {
      streams.emplace_back([&, s] {
        IngestFigures mine;
        absl::Status status = Stream(articles, begin, end, s, deadline, &mine);
        std::lock_guard<std::mutex> lock(mutex);
        figures->Add(mine);
        if (failure.ok()) failure = status;
      });
    }
    for (std::thread& stream : streams) stream.join();
    return failure;
  }

  std::optional<double> CpuSeconds() override {
    const std::optional<double> servers = bench::CpuSeconds(server_pids_);
    if (!servers.has_value()) return std::nullopt;
    return ProcessCpuSeconds() + *servers;
  }

 private:
  // One SubmitStream, as archivectl feed makes it: a thread sends while
  // this one reads the answers. Stream s of n carries batches s, s + n, ...
  absl::Status Stream(const std::vector<v1::Article>& articles, int64_t begin,
                      int64_t end, int s, absl::Time deadline, IngestFigures* figures) {
    grpc::ClientContext context;
    security_.Prepare(&context);
    std::unique_ptr<grpc::ClientReaderWriter<v1::SubmitRequest, v1::SubmitResponse>>
        stream = stub_->SubmitStream(&context);
    int64_t sent_bytes = 0;
    bool cut_short = false;
    std::thread sender([&] {
      v1::SubmitRequest request;
      const int64_t step = static_cast<int64_t>(options_.streams) * options_.batch;
      for (int64_t first = begin + s * options_.batch; first < end; first += step) {
        if (absl::Now() > deadline) {
          cut_short = true;
          break;
        }
        for (int64_t i = first; i < std::min(end, first + options_.batch); ++i) {
          *request.mutable_article() = articles[i];
          if (!stream->Write(request)) break;
          sent_bytes += TextBytes(articles[i]);
        }
      }
      stream->WritesDone();
    });
    v1::SubmitResponse response;
    while (stream->Read(&response)) {
      ++figures->articles;
      CountOutcome(response.outcome(), figures);
    }
    sender.join();
    figures->bytes += sent_bytes;
    figures->cut_short = cut_short;
    const grpc::Status status = stream->Finish();
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("SubmitStream: ", status.error_message()));
    }
    return absl::OkStatus();
  }

  std::unique_ptr<v1::Ingest::Stub> stub_;
  const ClientSecurity security_;
  const std::vector<pid_t> server_pids_;
};

class Postgres final : public IngestTarget {
 public:
  Postgres(std::vector<std::unique_ptr<PostgresConnection>> connections,
           std::string table, std::optional<pid_t> server_pid,
           const IngestPhaseOptions& options)
      : IngestTarget(options),
        connections_(std::move(connections)),
        table_(std::move(table)),
        server_pid_(server_pid) {}

 protected:
  absl::Status Store(const std::vector<v1::Article>& articles, int64_t begin, int64_t end,
                     absl::Time deadline, IngestFigures* figures) override {
    return ForEachBatch(
        begin, end, options_.batch, options_.writers, deadline, figures,
        [&](int connection, int64_t first, int64_t last,
            IngestFigures* mine) -> absl::Status {
          std::vector<const v1::Article*> batch;
          for (int64_t i = first; i < last; ++i) {
            ++mine->articles;
            mine->bytes += TextBytes(articles[i]);
            batch.push_back(&articles[i]);
          }
          const std::vector<std::string> params = PostgresBatchParams(batch);
          PostgresConnection& to = *connections_[connection];
          ASSIGN_OR_RETURN(
              const PostgresResult result,
              last - first == options_.batch
                  ? to.ExecutePrepared("insert_batch", params)
                  : to.Execute(PostgresInsert(table_, static_cast<int>(last - first)),
                               params));
          mine->stored += result.affected;
          mine->duplicates += (last - first) - result.affected;
          return absl::OkStatus();
        });
  }

  std::optional<double> CpuSeconds() override {
    if (!server_pid_.has_value()) return std::nullopt;
    return FamilyCpuSeconds(*server_pid_);
  }

 private:
  std::vector<std::unique_ptr<PostgresConnection>> connections_;
  const std::string table_;
  const std::optional<pid_t> server_pid_;  // the postmaster, when local
};

}  // namespace

absl::StatusOr<std::unique_ptr<IngestTarget>> OpenRawRocksDb(
    const std::string& db_path, const IngestPhaseOptions& options) {
  store::ArticleDbOptions db_options;
  db_options.sync = options.sync;
  ASSIGN_OR_RETURN(std::unique_ptr<store::ArticleDb> db,
                   store::ArticleDb::Open(db_path, db_options));
  return std::unique_ptr<IngestTarget>(new RawRocksDb(std::move(db), options));
}

absl::StatusOr<std::unique_ptr<IngestTarget>> ConnectPipeline(
    const std::string& ingest_address, std::vector<pid_t> server_pids,
    const IngestPhaseOptions& options, const ClientSecurity& security) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(16 << 20);
  auto channel =
      grpc::CreateCustomChannel(ingest_address, security.credentials, arguments);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(10))) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach ingest at ", ingest_address));
  }
  return std::unique_ptr<IngestTarget>(new Pipeline(
      v1::Ingest::NewStub(channel), security, std::move(server_pids), options));
}

absl::StatusOr<std::unique_ptr<IngestTarget>> OpenPostgres(
    const std::string& conninfo, const std::string& table, bool full_text,
    const IngestPhaseOptions& options) {
  std::vector<std::unique_ptr<PostgresConnection>> connections;
  std::optional<pid_t> server_pid;
  for (int w = 0; w < options.writers; ++w) {
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> connection,
                     PostgresConnection::Connect(conninfo));
    if (w == 0) {
      RETURN_IF_ERROR(connection
                          ->Execute(absl::StrCat("DROP TABLE IF EXISTS ", table, "; ",
                                                 PostgresCreateTable(table, full_text),
                                                 "; CHECKPOINT"))
                          .status());
      ASSIGN_OR_RETURN(const PostgresResult backend,
                       connection->Execute("SELECT pg_backend_pid()"));
      server_pid = ParentPid(static_cast<pid_t>(std::stol(backend.first_value)));
    }
    RETURN_IF_ERROR(connection
                        ->Execute(absl::StrCat("SET synchronous_commit = ",
                                               options.sync ? "on" : "off"))
                        .status());
    RETURN_IF_ERROR(
        connection->Prepare("insert_batch", PostgresInsert(table, options.batch)));
    connections.push_back(std::move(connection));
  }
  return std::unique_ptr<IngestTarget>(
      new Postgres(std::move(connections), table, server_pid, options));
}

}  // namespace archive::bench
