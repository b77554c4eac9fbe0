// Crash tests of the whole write path, as real processes: a driver submits
// distinct articles through ingest_server to two store_servers and records
// every acknowledgement, while the test kills a store (with --sync=true and
// with --sync=false) or the ingest server with SIGKILL at random moments and
// starts it again on the same address and database. Afterwards, read through
// query_server:
//  - every acknowledged article is there, title and body byte for byte;
//  - no article is stored twice: no id twice in the listing, and GetStats
//    counts exactly the distinct ids listed;
//  - submitting again what was not acknowledged is safe: STORED or
//    DUPLICATE with the same id, and what was acknowledged comes back
//    DUPLICATE; after that the archive holds every article sent, once;
//  - `archivectl verify` finds every article intact in both stores.
//
//   bazel test //tests/crash:crash_test                 (20 kills a scenario)
//   bazel-bin/tests/crash/crash_test --cycles=200 --seed=7
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/testing/server_process.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "store/store_client.h"
#include "tests/crash/archive_cluster.h"

ABSL_FLAG(int, cycles, 20,
          "SIGKILLs in each scenario (spread over the stores when stores are "
          "killed)");
ABSL_FLAG(uint64_t, seed, 20240613,
          "seed of the articles and of the moments of the kills");

namespace archive::reliability {
namespace {

constexpr char kSource[] = "crash.example";
constexpr char kArchivectl[] = "cli/archivectl";
// Unary Submits under way at once, besides one SubmitStream.
constexpr int kUnaryWriters = 6;
// Articles in one SubmitStream of the driver.
constexpr int kStreamChunk = 16;

bool IsAcknowledgement(const v1::SubmitResponse& response) {
  return response.outcome() == v1::OUTCOME_STORED ||
         response.outcome() == v1::OUTCOME_DUPLICATE;
}

// What the driver learnt of each article it numbered: acknowledged (with
// the id the archive gave) or not, and any answer the archive must never give
// to these articles (a rejection, a wrong id, a near duplicate).
class Ledger {
 public:
  void Acknowledge(int n, const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    acknowledged_[n] = id;
  }

  void Problem(std::string problem) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (problems_.size() < 20) problems_.push_back(std::move(problem));
  }

  int acknowledged_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(acknowledged_.size());
  }

  std::map<int, std::string> acknowledged() {
    std::lock_guard<std::mutex> lock(mutex_);
    return acknowledged_;
  }

  std::vector<std::string> problems() {
    std::lock_guard<std::mutex> lock(mutex_);
    return problems_;
  }

 private:
  std::mutex mutex_;
  std::map<int, std::string> acknowledged_;  // guarded by mutex_
  std::vector<std::string> problems_;        // guarded by mutex_
};

// Checks one answer about article `n`; records it if it acknowledges.
void Record(Ledger* ledger, int n, const v1::Article& sent,
            const v1::SubmitResponse& response) {
  if (!IsAcknowledgement(response)) {
    ledger->Problem(absl::StrCat("article ", n, ": ", response.ShortDebugString()));
  } else if (response.id() != sent.id()) {
    ledger->Problem(absl::StrCat("article ", n, " acknowledged as ", response.id(),
                                 ", not ", sent.id()));
  } else {
    ledger->Acknowledge(n, response.id());
  }
}

// Submits articles 0, 1, 2... of `seed` to ingest as fast as it answers:
// kUnaryWriters threads of unary Submits and one of SubmitStreams of
// kStreamChunk articles, each call with a deadline of a few seconds and
// waiting for the channel while ingest is down.
class TrafficDriver {
 public:
  TrafficDriver(const std::string& ingest_address, uint64_t seed, Ledger* ledger)
      : stub_(v1::Ingest::NewStub(FastReconnectChannel(ingest_address))),
        seed_(seed),
        ledger_(ledger) {}
  ~TrafficDriver() { Stop(); }

  void Start() {
    for (int w = 0; w < kUnaryWriters; ++w) {
      threads_.emplace_back([this] { UnaryWriter(); });
    }
    threads_.emplace_back([this] { StreamWriter(); });
  }

  void Stop() {
    stop_.store(true);
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  // Articles numbered so far (sent or about to be).
  int numbered() const { return next_.load(); }

 private:
  void UnaryWriter() {
    while (!stop_.load()) {
      const int n = next_.fetch_add(1);
      const v1::Article article = DistinctArticle(kSource, seed_, n);
      v1::SubmitRequest request;
      *request.mutable_article() = article;
      v1::SubmitResponse response;
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
      context.set_wait_for_ready(true);
      const grpc::Status status = stub_->Submit(&context, request, &response);
      if (status.ok()) {
        Record(ledger_, n, article, response);
      } else if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        ledger_->Problem(absl::StrCat("article ", n, ": ", status.error_message()));
      } else {
        absl::SleepFor(absl::Milliseconds(10));  // not acknowledged
      }
    }
  }

  void StreamWriter() {
    while (!stop_.load()) {
      const int first = next_.fetch_add(kStreamChunk);
      std::vector<v1::Article> articles;
      for (int i = 0; i < kStreamChunk; ++i) {
        articles.push_back(DistinctArticle(kSource, seed_, first + i));
      }
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
      context.set_wait_for_ready(true);
      auto stream = stub_->SubmitStream(&context);
      // The chunk is well inside ingest's window of unanswered articles, so
      // writing it all before reading cannot block.
      v1::SubmitRequest request;
      for (const v1::Article& article : articles) {
        *request.mutable_article() = article;
        if (!stream->Write(request)) break;
      }
      stream->WritesDone();
      v1::SubmitResponse response;
      size_t answered = 0;
      while (answered < articles.size() && stream->Read(&response)) {
        Record(ledger_, first + static_cast<int>(answered), articles[answered],
               response);
        ++answered;
      }
      const grpc::Status status = stream->Finish();
      if (!status.ok()) absl::SleepFor(absl::Milliseconds(10));
    }
  }

  const std::unique_ptr<v1::Ingest::Stub> stub_;
  const uint64_t seed_;
  Ledger* const ledger_;
  std::atomic<int> next_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Submits `articles` in one SubmitStream (a thread writes while this one
// reads) and returns the responses; an error if the stream failed.
absl::StatusOr<std::vector<v1::SubmitResponse>> SubmitAll(
    const std::string& ingest_address, const std::vector<v1::Article>& articles) {
  auto stub = v1::Ingest::NewStub(FastReconnectChannel(ingest_address));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
  context.set_wait_for_ready(true);
  auto stream = stub->SubmitStream(&context);
  std::thread writer([&] {
    v1::SubmitRequest request;
    for (const v1::Article& article : articles) {
      *request.mutable_article() = article;
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  std::vector<v1::SubmitResponse> responses;
  v1::SubmitResponse response;
  while (stream->Read(&response)) responses.push_back(response);
  writer.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return responses;
}

// The articles the archive lists for kSource, by id; fails the test on an id
// listed twice.
std::map<std::string, v1::Article> ListedOnce(const std::string& query_address) {
  std::map<std::string, v1::Article> by_id;
  absl::StatusOr<std::vector<v1::Article>> listed =
      ListEverything(query_address, kSource, absl::Now() + absl::Seconds(60));
  EXPECT_TRUE(listed.ok()) << listed.status();
  if (!listed.ok()) return by_id;
  int twice = 0;
  for (v1::Article& article : *listed) {
    const std::string id = article.id();
    if (!by_id.emplace(id, std::move(article)).second && ++twice <= 10) {
      ADD_FAILURE() << "article " << id << " is listed twice";
    }
  }
  EXPECT_EQ(twice, 0) << "ids listed more than once";
  return by_id;
}

uint64_t CountedArticles(const std::string& query_address) {
  absl::StatusOr<v1::GetStatsResponse> stats =
      ArchiveStats(query_address, absl::Now() + absl::Seconds(60));
  EXPECT_TRUE(stats.ok()) << stats.status();
  return stats.ok() ? stats->article_count() : 0;
}

// What the tests check once the kills are over and every server is up.
// With `replicas`, the archive's copies are made exact first (a rebalance:
// a Put that a kill cut short may have left a third copy, or a stand-in),
// and verify checks their placement too.
void VerifyArchive(ArchiveCluster& cluster, uint64_t seed, int numbered,
                   Ledger& ledger, int replicas = 1) {
  for (const std::string& problem : ledger.problems()) ADD_FAILURE() << problem;
  const std::string query = cluster.query()->address();
  const std::map<int, std::string> acknowledged = ledger.acknowledged();
  ASSERT_GT(acknowledged.size(), 0u);
  const std::string stores = "--stores=" + absl::StrJoin(cluster.store_addresses(), ",");
  auto rebalance = [&](const std::string& name) {
    if (replicas == 1) return;
    auto process = testing::ServerProcess::Start(
        kArchivectl, {"rebalance", stores, absl::StrCat("--replicas=", replicas)},
        cluster.dir() + "/" + name + ".log");
    ASSERT_TRUE(process.ok()) << process.status();
    absl::StatusOr<int> code = (*process)->Wait(absl::Minutes(2));
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0) << (*process)->Log();
  };
  rebalance("rebalance");

  // 1. Every acknowledged article, byte for byte; nothing twice; the
  // archive's count is that of the distinct ids.
  std::map<std::string, v1::Article> listed = ListedOnce(query);
  int lost = 0;
  for (const auto& [n, id] : acknowledged) {
    const v1::Article sent = DistinctArticle(kSource, seed, n);
    auto found = listed.find(id);
    if (found == listed.end()) {
      if (++lost <= 10) ADD_FAILURE() << "acknowledged article " << n << " " << id << " is lost";
      continue;
    }
    EXPECT_EQ(found->second.title(), sent.title()) << id;
    EXPECT_EQ(found->second.body(), sent.body()) << id;
  }
  ASSERT_EQ(lost, 0) << "of " << acknowledged.size() << " acknowledged articles";
  EXPECT_EQ(CountedArticles(query), listed.size());
  std::set<std::string> numbered_ids;
  std::vector<v1::Article> unacknowledged;
  for (int n = 0; n < numbered; ++n) {
    v1::Article article = DistinctArticle(kSource, seed, n);
    numbered_ids.insert(article.id());
    if (acknowledged.count(n) == 0) unacknowledged.push_back(std::move(article));
  }
  for (const auto& [id, article] : listed) {
    EXPECT_EQ(numbered_ids.count(id), 1u) << "the archive holds " << id
                                          << ", which was never sent";
  }

  // 2. GetArticle of a sample, through the query server's other path.
  auto stub = v1::Query::NewStub(FastReconnectChannel(query));
  std::mt19937_64 random(seed);
  std::vector<std::pair<int, std::string>> sample(acknowledged.begin(),
                                                  acknowledged.end());
  std::shuffle(sample.begin(), sample.end(), random);
  sample.resize(std::min<size_t>(sample.size(), 100));
  for (const auto& [n, id] : sample) {
    v1::GetArticleRequest request;
    request.set_id(id);
    v1::Article got;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    const grpc::Status status = stub->GetArticle(&context, request, &got);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    const v1::Article sent = DistinctArticle(kSource, seed, n);
    EXPECT_EQ(got.title(), sent.title());
    EXPECT_EQ(got.body(), sent.body());
  }

  // 3. Submitting again is safe: what was not acknowledged is STORED or
  // DUPLICATE (it reached its store before the crash) with its id, and an
  // acknowledged article is a DUPLICATE of itself.
  std::vector<v1::Article> again = unacknowledged;
  for (const auto& [n, id] : sample) again.push_back(DistinctArticle(kSource, seed, n));
  // Ingest may still be waiting out its reconnect backoff to a store that
  // restarted last: a failed stream is sent again whole (which is the very
  // idempotence this checks).
  absl::StatusOr<std::vector<v1::SubmitResponse>> responses;
  for (int attempt = 0; attempt < 5; ++attempt) {
    responses = SubmitAll(cluster.ingest().address(), again);
    if (responses.ok() || (responses.status().code() != absl::StatusCode::kUnavailable &&
                           responses.status().code() !=
                               absl::StatusCode::kDeadlineExceeded)) {
      break;
    }
    absl::SleepFor(absl::Seconds(1));
  }
  ASSERT_TRUE(responses.ok()) << responses.status();
  ASSERT_EQ(responses->size(), again.size());
  int stored_before = 0;
  for (size_t i = 0; i < again.size(); ++i) {
    const v1::SubmitResponse& response = (*responses)[i];
    EXPECT_EQ(response.id(), again[i].id()) << i;
    if (i < unacknowledged.size()) {
      EXPECT_TRUE(IsAcknowledgement(response)) << response.ShortDebugString();
      stored_before += response.outcome() == v1::OUTCOME_DUPLICATE;
    } else {
      EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE) << response.ShortDebugString();
    }
  }

  // 4. Now the archive holds every article sent, each once.
  rebalance("rebalance_again");
  listed = ListedOnce(query);
  EXPECT_EQ(listed.size(), numbered_ids.size());
  EXPECT_EQ(CountedArticles(query), numbered_ids.size());
  for (const std::string& id : numbered_ids) {
    EXPECT_EQ(listed.count(id), 1u) << id << " is missing after it was submitted again";
  }
  // 5. archivectl verify finds every article intact against its digest,
  // key and id index, after all the kills.
  const std::string verify_log = cluster.dir() + "/verify.log";
  auto verify = testing::ServerProcess::Start(
      kArchivectl, {"verify", stores, absl::StrCat("--replicas=", replicas)}, verify_log);
  ASSERT_TRUE(verify.ok()) << verify.status();
  absl::StatusOr<int> verified = (*verify)->Wait(absl::Minutes(2));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(*verified, 0) << (*verify)->Log();
  EXPECT_NE((*verify)->Log().find(absl::StrCat(
                "checked ", numbered_ids.size() * replicas, " articles in ",
                cluster.store_count(), " stores: 0 damaged")),
            std::string::npos)
      << (*verify)->Log();

  std::printf("%d articles numbered: %zu acknowledged, %zu not (%d of them had "
              "reached a store anyway)\n",
              numbered, acknowledged.size(), unacknowledged.size(), stored_before);
}

// Waits (at most `limit`) until `progress` exceeds `baseline`.
template <typename Progress>
bool WaitForProgress(Progress progress, int64_t baseline, absl::Duration limit) {
  const absl::Time give_up = absl::Now() + limit;
  while (absl::Now() < give_up) {
    if (progress() > baseline) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

class StoreCrashTest : public ::testing::TestWithParam<bool> {};

TEST_P(StoreCrashTest, AcknowledgedArticlesSurviveStoreSigkills) {
  const bool sync = GetParam();
  const int cycles = absl::GetFlag(FLAGS_cycles);
  const uint64_t seed = absl::GetFlag(FLAGS_seed) + (sync ? 1 : 2);
  TestDir dir(sync ? "store_kill_sync" : "store_kill_nosync");
  ClusterOptions options;
  options.store_flags = {absl::StrCat("--sync=", sync ? "true" : "false"),
                         "--workers=2", "--block_cache_mb=8"};
  options.ingest_flags = {"--store_timeout=2s", "--max_batch=8"};
  options.query_flags = {"--store_timeout=5s"};
  auto cluster = ArchiveCluster::Start(dir.path(), options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();

  Ledger ledger;
  TrafficDriver driver((*cluster)->ingest().address(), seed, &ledger);
  const absl::Time start = absl::Now();
  driver.Start();

  // Each store is killed by its own thread, at a random moment after ingest
  // is writing to it again, so the two stores' kills overlap at times.
  std::vector<std::thread> killers;
  std::vector<absl::Status> failures((*cluster)->store_count());
  std::atomic<int> kills{0};
  for (int s = 0; s < (*cluster)->store_count(); ++s) {
    killers.emplace_back([&, s] {
      RestartableServer& store = (*cluster)->store(s);
      std::mt19937_64 random(seed * 31 + s);
      std::uniform_int_distribution<int> traffic_ms(0, 300);
      const int my_cycles = cycles / 2 + (s < cycles % 2 ? 1 : 0);
      for (int c = 0; c < my_cycles && failures[s].ok(); ++c) {
        store::StoreClient client(
            v1::Store::NewStub(FastReconnectChannel(store.address())));
        auto count = [&]() -> int64_t {
          auto stats = client.Stats(v1::StatsRequest(), absl::Now() + absl::Seconds(1));
          return stats.ok() ? static_cast<int64_t>(stats->article_count()) : -1;
        };
        // Ingest reconnects after its own backoff; the kill should find
        // Puts under way.
        WaitForProgress(count, count(), absl::Seconds(10));
        absl::SleepFor(absl::Milliseconds(traffic_ms(random)));
        failures[s] = store.Kill();
        if (failures[s].ok()) failures[s] = store.Start();
        kills.fetch_add(1);
      }
    });
  }
  for (std::thread& killer : killers) killer.join();
  for (const absl::Status& failure : failures) ASSERT_TRUE(failure.ok()) << failure;
  // The last acknowledgements must survive a crash too.
  WaitForProgress([&] { return ledger.acknowledged_count(); },
                  ledger.acknowledged_count(), absl::Seconds(5));
  driver.Stop();
  for (int s = 0; s < (*cluster)->store_count(); ++s) {
    ASSERT_TRUE((*cluster)->store(s).Kill().ok());
    ASSERT_TRUE((*cluster)->store(s).Start().ok());
  }
  const absl::Duration killing = absl::Now() - start;

  VerifyArchive(**cluster, seed, driver.numbered(), ledger);
  std::printf("--sync=%s: %d store SIGKILLs (+%d at the end) in %s; whole test %s\n",
              sync ? "true" : "false", kills.load(), (*cluster)->store_count(),
              absl::FormatDuration(killing).c_str(),
              absl::FormatDuration(absl::Now() - start).c_str());
}

// Three stores, two replicas: a store killed at random moments, one at a
// time, each back before the next goes. No Submit needs to fail then, and
// the archive loses nothing acknowledged and stores nothing twice.
TEST(ReplicatedStoreCrashTest, AcknowledgedArticlesSurviveStoreSigkills) {
  const int cycles = absl::GetFlag(FLAGS_cycles);
  const uint64_t seed = absl::GetFlag(FLAGS_seed) + 3;
  TestDir dir("replicated_store_kill");
  ClusterOptions options;
  options.stores = 3;
  options.store_flags = {"--workers=2", "--block_cache_mb=8"};
  options.ingest_flags = {"--replicas=2", "--store_timeout=2s", "--max_batch=8"};
  options.query_flags = {"--replicas=2", "--store_timeout=5s"};
  auto cluster = ArchiveCluster::Start(dir.path(), options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();

  Ledger ledger;
  TrafficDriver driver((*cluster)->ingest().address(), seed, &ledger);
  const absl::Time start = absl::Now();
  driver.Start();
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> which(0, (*cluster)->store_count() - 1);
  std::uniform_int_distribution<int> traffic_ms(50, 300);
  for (int c = 0; c < cycles; ++c) {
    const int before = ledger.acknowledged_count();
    WaitForProgress([&] { return ledger.acknowledged_count(); }, before + 20,
                    absl::Seconds(10));
    absl::SleepFor(absl::Milliseconds(traffic_ms(random)));
    RestartableServer& store = (*cluster)->store(which(random));
    ASSERT_TRUE(store.Kill().ok());
    absl::SleepFor(absl::Milliseconds(traffic_ms(random)));
    ASSERT_TRUE(store.Start().ok());
  }
  WaitForProgress([&] { return ledger.acknowledged_count(); },
                  ledger.acknowledged_count(), absl::Seconds(5));
  driver.Stop();
  const absl::Duration killing = absl::Now() - start;
  VerifyArchive(**cluster, seed, driver.numbered(), ledger, /*replicas=*/2);
  std::printf("--replicas=2: %d store SIGKILLs in %s; whole test %s\n", cycles,
              absl::FormatDuration(killing).c_str(),
              absl::FormatDuration(absl::Now() - start).c_str());
}

INSTANTIATE_TEST_SUITE_P(SyncOnAndOff, StoreCrashTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Sync" : "NoSync";
                         });

TEST(IngestCrashTest, AcknowledgedArticlesSurviveIngestSigkills) {
  const int cycles = absl::GetFlag(FLAGS_cycles);
  const uint64_t seed = absl::GetFlag(FLAGS_seed) + 3;
  TestDir dir("ingest_kill");
  ClusterOptions options;
  options.store_flags = {"--workers=2", "--block_cache_mb=8"};
  options.ingest_flags = {"--store_timeout=2s", "--max_batch=8"};
  auto cluster = ArchiveCluster::Start(dir.path(), options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  RestartableServer& ingest = (*cluster)->ingest();

  Ledger ledger;
  TrafficDriver driver(ingest.address(), seed, &ledger);
  const absl::Time start = absl::Now();
  driver.Start();
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> traffic_ms(0, 300);
  for (int c = 0; c < cycles; ++c) {
    WaitForProgress([&] { return ledger.acknowledged_count(); },
                    ledger.acknowledged_count(), absl::Seconds(10));
    absl::SleepFor(absl::Milliseconds(traffic_ms(random)));
    ASSERT_TRUE(ingest.Kill().ok()) << "cycle " << c;
    ASSERT_TRUE(ingest.Start().ok()) << "cycle " << c;
  }
  WaitForProgress([&] { return ledger.acknowledged_count(); },
                  ledger.acknowledged_count(), absl::Seconds(5));
  driver.Stop();
  const absl::Duration killing = absl::Now() - start;

  VerifyArchive(**cluster, seed, driver.numbered(), ledger);
  std::printf("%d ingest SIGKILLs in %s; whole test %s\n", cycles,
              absl::FormatDuration(killing).c_str(),
              absl::FormatDuration(absl::Now() - start).c_str());
}

// A server restarted on its address must be the only one there: were two
// processes to share a port (gRPC's default SO_REUSEPORT), ingest's Puts
// would be split between them and the articles acknowledged by the other
// one missing from this one.
TEST(RestartTest, ASecondServerOnAnAddressInUseIsRefused) {
  TestDir dir("second_server");
  RestartableServer store(kStoreServer, {"--db=" + dir.path() + "/first"},
                          dir.path() + "/first.log");
  ASSERT_TRUE(store.Start().ok());
  const std::vector<std::pair<const char*, std::string>> intruders = {
      {kStoreServer, "--db=" + dir.path() + "/second"},
      {kIngestServer, "--stores=" + store.address()},
      {kQueryServer, "--stores=" + store.address()}};
  for (size_t i = 0; i < intruders.size(); ++i) {
    const auto& [binary, flag] = intruders[i];
    SCOPED_TRACE(binary);
    auto second = testing::ServerProcess::Start(
        binary, {flag, "--listen=" + store.address()},
        absl::StrCat(dir.path(), "/second_", i, ".log"));
    ASSERT_TRUE(second.ok()) << second.status();
    absl::StatusOr<int> code = (*second)->Wait(absl::Seconds(30));
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 1) << (*second)->Log();
    EXPECT_NE((*second)->Log().find("cannot listen on " + store.address()),
              std::string::npos)
        << (*second)->Log();
  }
}

}  // namespace
}  // namespace archive::reliability
