// Deadlines and load shedding, with the servers as real processes:
//  - a stalled store (SIGSTOP) costs a caller of ingest no more than its
//    deadline (plus a second), for unary Submit and for SubmitStream, and
//    ingest's own --store_timeout bounds a caller that set a long deadline;
//    many such calls leave ingest with no pile-up of threads;
//  - unary Submits beyond ingest's --max_unary_in_flight, and Puts beyond a
//    store's --workers plus --max_queued, are refused at once with
//    RESOURCE_EXHAUSTED, while what was admitted completes, with bounded
//    latency and memory, and stays durable (read back after a SIGKILL);
//    what was refused left nothing behind.
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "archive/v1/store.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/store_client.h"
#include "tests/crash/archive_cluster.h"

namespace archive::reliability {
namespace {

using ::archive::testing::ResidentBytes;
using ::archive::testing::ThreadCount;

constexpr char kSource[] = "overload.example";

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// How one call of a flood ended.
struct CallResult {
  grpc::Status status;
  absl::Duration latency;
};

// Starts every call at once through `start(context, index, on_done)` (which
// issues an asynchronous call on gRPC's callback API) with `deadline` from
// now, and waits for all of them.
std::vector<CallResult> Flood(
    int calls, absl::Duration deadline,
    const std::function<void(grpc::ClientContext*, int,
                             std::function<void(grpc::Status)>)>& start) {
  std::vector<CallResult> results(calls);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::mutex mutex;
  std::condition_variable all_done;
  int remaining = calls;
  const absl::Time started = absl::Now();
  for (int i = 0; i < calls; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(absl::ToChronoTime(started + deadline));
  }
  for (int i = 0; i < calls; ++i) {
    start(contexts[i].get(), i, [&, i](grpc::Status status) {
      std::lock_guard<std::mutex> lock(mutex);
      results[i] = {std::move(status), absl::Now() - started};
      if (--remaining == 0) all_done.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mutex);
  all_done.wait(lock, [&] { return remaining == 0; });
  return results;
}

// `count` Submits of articles first, first + 1... of `seed`, all at once.
std::vector<CallResult> FloodSubmits(v1::Ingest::Stub* stub, uint64_t seed, int first,
                                     int count, absl::Duration deadline,
                                     std::vector<v1::SubmitResponse>* responses) {
  std::vector<v1::SubmitRequest> requests(count);
  responses->assign(count, v1::SubmitResponse());
  for (int i = 0; i < count; ++i) {
    *requests[i].mutable_article() = DistinctArticle(kSource, seed, first + i);
  }
  return Flood(count, deadline, [&](grpc::ClientContext* context, int i,
                                    std::function<void(grpc::Status)> done) {
    stub->async()->Submit(context, &requests[i], &(*responses)[i], std::move(done));
  });
}

bool DeadlineOrUnavailable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

// One SubmitStream of `count` articles with `deadline`: its final status,
// how long it took, and how many responses said STORED.
struct StreamRun {
  grpc::Status status;
  absl::Duration took;
  int stored = 0;
};

StreamRun StreamArticles(v1::Ingest::Stub* stub, uint64_t seed, int first, int count,
                         absl::Duration deadline) {
  StreamRun run;
  const absl::Time start = absl::Now();
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(start + deadline));
  auto stream = stub->SubmitStream(&context);
  v1::SubmitRequest request;
  for (int i = 0; i < count; ++i) {
    *request.mutable_article() = DistinctArticle(kSource, seed, first + i);
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  v1::SubmitResponse response;
  while (stream->Read(&response)) run.stored += response.outcome() == v1::OUTCOME_STORED;
  run.status = stream->Finish();
  run.took = absl::Now() - start;
  return run;
}

std::unique_ptr<v1::Ingest::Stub> IngestStub(const std::string& address) {
  return v1::Ingest::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

TEST(DeadlineTest, AStalledStoreCostsCallersNoMoreThanTheirDeadline) {
  const TestDir test_dir("stalled_store");
  const std::string& dir = test_dir.path();
  ClusterOptions options;
  options.stores = 1;
  options.store_flags = {"--workers=2", "--block_cache_mb=8"};
  options.ingest_flags = {"--store_timeout=30s"};
  options.start_query = false;
  auto cluster = ArchiveCluster::Start(dir, options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  RestartableServer& store = (*cluster)->store(0);
  RestartableServer& ingest = (*cluster)->ingest();
  // A second ingest whose own bound on waiting for a store is a second.
  RestartableServer impatient(
      kIngestServer, {"--stores=" + store.address(), "--store_timeout=1s"},
      dir + "/impatient_ingest.log");
  ASSERT_TRUE(impatient.Start().ok());
  auto stub = IngestStub(ingest.address());
  auto impatient_stub = IngestStub(impatient.address());
  // Warm both up, so that their threads and connections exist before counting.
  std::vector<v1::SubmitResponse> responses;
  for (v1::Ingest::Stub* warm : {stub.get(), impatient_stub.get()}) {
    for (const CallResult& result :
         FloodSubmits(warm, 1, warm == stub.get() ? 0 : 100, 20, absl::Seconds(10),
                      &responses)) {
      ASSERT_TRUE(result.status.ok()) << result.status.error_message();
    }
  }
  const int threads_before = ThreadCount(ingest.pid());

  store.Signal(SIGSTOP);
  constexpr absl::Duration kDeadline = absl::Milliseconds(1500);
  constexpr absl::Duration kMargin = absl::Seconds(1);
  constexpr int kRounds = 4;
  constexpr int kCallsPerRound = 25;
  std::vector<int> threads_after_round;
  int next = 1000;
  for (int round = 0; round < kRounds; ++round) {
    StreamRun stream;
    std::thread streamer(
        [&, first = next] { stream = StreamArticles(stub.get(), 2, first, 10, kDeadline); });
    next += 10;
    for (const CallResult& result :
         FloodSubmits(stub.get(), 2, next, kCallsPerRound, kDeadline, &responses)) {
      EXPECT_TRUE(DeadlineOrUnavailable(result.status))
          << result.status.error_code() << ": " << result.status.error_message();
      EXPECT_LE(result.latency, kDeadline + kMargin);
    }
    next += kCallsPerRound;
    streamer.join();
    EXPECT_TRUE(DeadlineOrUnavailable(stream.status))
        << stream.status.error_code() << ": " << stream.status.error_message();
    EXPECT_LE(stream.took, kDeadline + kMargin);
    EXPECT_EQ(stream.stored, 0);
    threads_after_round.push_back(ThreadCount(ingest.pid()));
  }

  // The caller set a long deadline: ingest's --store_timeout answers first.
  {
    StreamRun stream;
    std::thread streamer([&, first = next] {
      stream = StreamArticles(impatient_stub.get(), 2, first, 10, absl::Seconds(30));
    });
    next += 10;
    std::vector<CallResult> results =
        FloodSubmits(impatient_stub.get(), 2, next, 10, absl::Seconds(30), &responses);
    next += 10;
    for (const CallResult& result : results) {
      EXPECT_TRUE(DeadlineOrUnavailable(result.status))
          << result.status.error_code() << ": " << result.status.error_message();
      EXPECT_LE(result.latency, absl::Seconds(1) + kMargin);
    }
    streamer.join();
    EXPECT_TRUE(DeadlineOrUnavailable(stream.status))
        << stream.status.error_code() << ": " << stream.status.error_message();
    EXPECT_LE(stream.took, absl::Seconds(1) + kMargin);
  }
  const int threads_after = ThreadCount(ingest.pid());
  store.Signal(SIGCONT);

  std::printf("ingest threads: %d before, after each round of %d stalled calls:",
              threads_before, kCallsPerRound + 10);
  for (int count : threads_after_round) std::printf(" %d", count);
  std::printf("; %d at the end\n", threads_after);
  EXPECT_LE(threads_after, threads_before + 8);
  EXPECT_LE(threads_after_round.back(), threads_after_round.front() + 2)
      << "ingest's threads grow with the number of stalled calls";

  // Once the store is back, ingest serves promptly: nothing piled up.
  const absl::Time start = absl::Now();
  std::vector<CallResult> results =
      FloodSubmits(stub.get(), 3, 0, 10, absl::Seconds(10), &responses);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].status.ok()) << results[i].status.error_message();
    EXPECT_EQ(responses[i].outcome(), v1::OUTCOME_STORED);
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(DeadlineTest, AStalledStoreDoesNotHoldUpTheOthers) {
  const TestDir test_dir("one_stalled_store");
  const std::string& dir = test_dir.path();
  ClusterOptions options;
  options.store_flags = {"--workers=2", "--block_cache_mb=8"};
  options.ingest_flags = {"--store_timeout=30s"};
  options.start_query = false;
  auto cluster = ArchiveCluster::Start(dir, options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto stub = IngestStub((*cluster)->ingest().address());
  std::vector<v1::SubmitResponse> responses;
  for (const CallResult& result :
       FloodSubmits(stub.get(), 9, 0, 20, absl::Seconds(10), &responses)) {
    ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  }

  // Store 1 hangs; about half of the articles belong to store 0, which is
  // fine: they are stored within the callers' deadline.
  (*cluster)->store(1).Signal(SIGSTOP);
  constexpr absl::Duration kDeadline = absl::Seconds(3);
  std::vector<CallResult> results =
      FloodSubmits(stub.get(), 9, 100, 40, kDeadline, &responses);
  (*cluster)->store(1).Signal(SIGCONT);
  int stored = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_LE(results[i].latency, kDeadline + absl::Seconds(1));
    if (results[i].status.ok()) {
      EXPECT_EQ(responses[i].outcome(), v1::OUTCOME_STORED);
      ++stored;
    } else {
      EXPECT_TRUE(DeadlineOrUnavailable(results[i].status))
          << results[i].status.error_code() << ": " << results[i].status.error_message();
    }
  }
  std::printf("%d of %zu Submits stored while the other store hung\n", stored,
              results.size());
  EXPECT_GE(stored, 8);
}

TEST(OverloadTest, IngestShedsUnarySubmitsBeyondItsLimit) {
  constexpr int kLimit = 8;
  const TestDir test_dir("ingest_flood");
  const std::string& dir = test_dir.path();
  ClusterOptions options;
  options.stores = 1;
  options.store_flags = {"--workers=2", "--block_cache_mb=8"};
  options.ingest_flags = {absl::StrCat("--max_unary_in_flight=", kLimit),
                          "--store_timeout=30s"};
  options.start_query = false;
  auto cluster = ArchiveCluster::Start(dir, options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  RestartableServer& store = (*cluster)->store(0);
  RestartableServer& ingest = (*cluster)->ingest();
  auto stub = IngestStub(ingest.address());
  std::vector<v1::Article> acknowledged;

  // 1. The limit taken by Submits waiting on a stalled store: every other
  // Submit is refused at once.
  std::vector<v1::SubmitResponse> responses;
  FloodSubmits(stub.get(), 4, 0, 2, absl::Seconds(10), &responses);  // warm up
  const int64_t rss_before = ResidentBytes(ingest.pid());
  store.Signal(SIGSTOP);
  std::vector<v1::SubmitResponse> held_responses;
  std::vector<CallResult> held;
  std::thread holder([&] {
    held = FloodSubmits(stub.get(), 5, 0, kLimit, absl::Seconds(30), &held_responses);
  });
  absl::SleepFor(absl::Seconds(1));  // the held Submits reach ingest
  std::vector<CallResult> refused =
      FloodSubmits(stub.get(), 5, kLimit, 100, absl::Seconds(30), &responses);
  for (const CallResult& result : refused) {
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << result.status.error_message();
    EXPECT_LT(result.latency, absl::Seconds(1));
  }
  store.Signal(SIGCONT);
  holder.join();
  for (int i = 0; i < kLimit; ++i) {
    ASSERT_TRUE(held[i].status.ok()) << held[i].status.error_message();
    EXPECT_EQ(held_responses[i].outcome(), v1::OUTCOME_STORED);
    EXPECT_LT(held[i].latency, absl::Seconds(10));
    acknowledged.push_back(DistinctArticle(kSource, 5, i));
  }

  // 2. A flood of many times the limit against a working store: the excess
  // is refused fast, the rest is stored, in bounded time and memory.
  constexpr int kFlood = 400;
  std::vector<CallResult> flood =
      FloodSubmits(stub.get(), 6, 0, kFlood, absl::Seconds(20), &responses);
  const int64_t rss_after = ResidentBytes(ingest.pid());
  int stored = 0;
  int shed = 0;
  absl::Duration slowest_stored;
  absl::Duration slowest_shed;
  for (int i = 0; i < kFlood; ++i) {
    const grpc::Status& status = flood[i].status;
    if (status.ok()) {
      EXPECT_EQ(responses[i].outcome(), v1::OUTCOME_STORED);
      acknowledged.push_back(DistinctArticle(kSource, 6, i));
      ++stored;
      slowest_stored = std::max(slowest_stored, flood[i].latency);
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
          << status.error_message();
      ++shed;
      slowest_shed = std::max(slowest_shed, flood[i].latency);
    }
  }
  std::printf("flood of %d Submits at a limit of %d: %d stored (slowest %s), %d "
              "refused (slowest %s); ingest VmRSS %lld -> %lld MiB\n",
              kFlood, kLimit, stored, absl::FormatDuration(slowest_stored).c_str(),
              shed, absl::FormatDuration(slowest_shed).c_str(),
              static_cast<long long>(rss_before >> 20),
              static_cast<long long>(rss_after >> 20));
  EXPECT_GT(stored, 0);
  EXPECT_LT(slowest_stored, absl::Seconds(15));
  EXPECT_LT(slowest_shed, absl::Seconds(5));
  EXPECT_LT(rss_after - rss_before, int64_t{64} << 20);

  // 3. Everything acknowledged survives a crash of its store.
  ASSERT_TRUE(store.Kill().ok());
  ASSERT_TRUE(store.Start().ok());
  auto client = store::StoreClient::Connect(store.address());
  for (const v1::Article& sent : acknowledged) {
    absl::StatusOr<v1::Article> got = client->Get(sent.id(), Soon());
    ASSERT_TRUE(got.ok()) << sent.id() << ": " << got.status();
    EXPECT_EQ(got->title(), sent.title());
    EXPECT_EQ(got->body(), sent.body());
  }
}

TEST(OverloadTest, StoreShedsPutsBeyondItsQueue) {
  constexpr int kPuts = 40;
  constexpr int kArticlesPerPut = 40;
  const TestDir test_dir("store_flood");
  const std::string& dir = test_dir.path();
  RestartableServer store(kStoreServer,
                          {"--db=" + dir + "/db", "--workers=1", "--max_queued=2",
                           "--block_cache_mb=8"},
                          dir + "/store.log");
  ASSERT_TRUE(store.Start().ok());
  auto stub = v1::Store::NewStub(
      grpc::CreateChannel(store.address(), grpc::InsecureChannelCredentials()));
  std::vector<v1::PutRequest> requests(kPuts);
  std::vector<v1::PutResponse> responses(kPuts);
  for (int p = 0; p < kPuts; ++p) {
    for (int i = 0; i < kArticlesPerPut; ++i) {
      *requests[p].add_items()->mutable_article() =
          DistinctArticle(kSource, 7, p * kArticlesPerPut + i, 150);
    }
  }
  // Warm up (connection, RocksDB) with a Put of its own.
  v1::PutRequest warm;
  *warm.add_items()->mutable_article() = DistinctArticle(kSource, 8, 0);
  ASSERT_TRUE(store::StoreClient::Connect(store.address())->Put(warm, Soon()).ok());
  const int64_t rss_before = ResidentBytes(store.pid());

  std::vector<CallResult> results =
      Flood(kPuts, absl::Seconds(30),
            [&](grpc::ClientContext* context, int p, std::function<void(grpc::Status)> done) {
              stub->async()->Put(context, &requests[p], &responses[p], std::move(done));
            });
  const int64_t rss_after = ResidentBytes(store.pid());
  std::vector<int> admitted;
  std::vector<int> shed;
  absl::Duration slowest_admitted;
  absl::Duration slowest_shed;
  for (int p = 0; p < kPuts; ++p) {
    if (results[p].status.ok()) {
      ASSERT_EQ(responses[p].results_size(), kArticlesPerPut);
      admitted.push_back(p);
      slowest_admitted = std::max(slowest_admitted, results[p].latency);
    } else {
      EXPECT_EQ(results[p].status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
          << results[p].status.error_message();
      shed.push_back(p);
      slowest_shed = std::max(slowest_shed, results[p].latency);
    }
  }
  std::printf("flood of %d Puts at 1 worker + 2 queued: %zu admitted (slowest %s), "
              "%zu refused (slowest %s); store VmRSS %lld -> %lld MiB\n",
              kPuts, admitted.size(), absl::FormatDuration(slowest_admitted).c_str(),
              shed.size(), absl::FormatDuration(slowest_shed).c_str(),
              static_cast<long long>(rss_before >> 20),
              static_cast<long long>(rss_after >> 20));
  EXPECT_GE(admitted.size(), 1u);
  EXPECT_GE(shed.size(), 1u);
  EXPECT_LT(slowest_admitted, absl::Seconds(20));
  EXPECT_LT(slowest_shed, absl::Seconds(2));
  EXPECT_LT(rss_after - rss_before, int64_t{128} << 20);

  // What was admitted survives a crash; what was refused left nothing.
  ASSERT_TRUE(store.Kill().ok());
  ASSERT_TRUE(store.Start().ok());
  auto client = store::StoreClient::Connect(store.address());
  for (int p : admitted) {
    for (const v1::PutItem& item : requests[p].items()) {
      absl::StatusOr<v1::Article> got = client->Get(item.article().id(), Soon());
      ASSERT_TRUE(got.ok()) << item.article().id() << ": " << got.status();
      EXPECT_EQ(got->body(), item.article().body());
    }
  }
  for (int p : shed) {
    for (const v1::PutItem& item : requests[p].items()) {
      EXPECT_EQ(client->Get(item.article().id(), Soon()).status().code(),
                absl::StatusCode::kNotFound);
    }
  }
  auto stats = client->Stats(v1::StatsRequest(), Soon());
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->article_count(), 1 + admitted.size() * kArticlesPerPut);
}

}  // namespace
}  // namespace archive::reliability
