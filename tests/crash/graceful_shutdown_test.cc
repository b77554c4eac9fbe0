// SIGTERM while calls are under way, for each of the three servers as a
// real process: the server stops serving new calls at once (health
// NOT_SERVING, or the port refuses), lets the calls under way finish
// successfully, and exits 0 with its closing log line; the store's database
// then reopens with everything it acknowledged.
//
// Calls are held "under way" for real: ingest's and query's by stopping
// (SIGSTOP) the store they wait on until after the SIGTERM, the store's by
// queueing heavy Puts behind its one worker thread.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/health_client.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/store_client.h"
#include "tests/crash/archive_cluster.h"

namespace archive::reliability {
namespace {

// Polls `address` until a health check says NOT_SERVING or the call is
// refused (UNAVAILABLE); false if it still says SERVING after `limit`.
bool StopsServingWithin(const std::string& address, absl::Duration limit) {
  const absl::Time give_up = absl::Now() + limit;
  while (absl::Now() < give_up) {
    auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    absl::StatusOr<ServingStatus> status =
        CheckHealth(channel, "", absl::Now() + absl::Milliseconds(500));
    if (status.ok() ? *status == ServingStatus::kNotServing
                    : status.status().code() == absl::StatusCode::kUnavailable) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return false;
}

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// How a call that reaches a server after its drain began is refused:
// UNAVAILABLE when the listener turns it away, CANCELLED when gRPC had
// already read the call and the shutdown drops it unstarted. Which of the
// two is a race inside gRPC.
bool RefusedAtShutdown(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED;
}
bool RefusedAtShutdown(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kCancelled;
}

TEST(GracefulShutdownTest, StoreFinishesQueuedPutsAndClosesItsDatabase) {
  constexpr int kPuts = 12;
  constexpr int kArticlesPerPut = 80;
  const TestDir test_dir("store_sigterm");
  const std::string& dir = test_dir.path();
  // One worker: the Puts wait in its queue, admitted but not done.
  RestartableServer store(kStoreServer, {"--db=" + dir + "/db", "--workers=1"},
                          dir + "/store.log");
  ASSERT_TRUE(store.Start().ok());
  auto client = store::StoreClient::Connect(store.address());

  std::vector<std::vector<v1::Article>> batches(kPuts);
  for (int p = 0; p < kPuts; ++p) {
    for (int i = 0; i < kArticlesPerPut; ++i) {
      batches[p].push_back(
          DistinctArticle("shutdown.example", 1, p * kArticlesPerPut + i, 150));
    }
  }
  std::vector<absl::Status> results(kPuts);
  std::vector<absl::Time> finished(kPuts);
  std::atomic<int> done{0};
  std::vector<std::thread> callers;
  for (int p = 0; p < kPuts; ++p) {
    callers.emplace_back([&, p] {
      v1::PutRequest request;
      for (const v1::Article& article : batches[p]) {
        *request.add_items()->mutable_article() = article;
      }
      results[p] = client->Put(request, absl::Now() + absl::Seconds(60)).status();
      finished[p] = absl::Now();
      done.fetch_add(1);
    });
  }
  while (done.load() == 0) absl::SleepFor(absl::Milliseconds(1));

  store.Signal(SIGTERM);
  EXPECT_TRUE(StopsServingWithin(store.address(), absl::Seconds(2)));
  const absl::Time not_serving = absl::Now();
  // A new call is refused, not queued behind the drain.
  v1::PutRequest late;
  *late.add_items()->mutable_article() = DistinctArticle("shutdown.example", 2, 0);
  auto refused = store::StoreClient::Connect(store.address())
                     ->Put(late, absl::Now() + absl::Seconds(5));
  EXPECT_TRUE(RefusedAtShutdown(refused.status().code())) << refused.status();

  for (std::thread& caller : callers) caller.join();
  int after = 0;
  for (int p = 0; p < kPuts; ++p) {
    EXPECT_TRUE(results[p].ok()) << "Put " << p << ": " << results[p];
    after += finished[p] > not_serving;
  }
  EXPECT_GT(after, 0) << "no Put was still under way when the store stopped serving";
  absl::StatusOr<int> code = store.Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << store.Log();
  EXPECT_NE(store.Log().find("database closed cleanly"), std::string::npos)
      << store.Log();

  ASSERT_TRUE(store.Start().ok());
  auto reopened = store::StoreClient::Connect(store.address());
  for (const auto& batch : batches) {
    for (const v1::Article& sent : batch) {
      absl::StatusOr<v1::Article> got = reopened->Get(sent.id(), Soon());
      ASSERT_TRUE(got.ok()) << sent.id() << ": " << got.status();
      EXPECT_EQ(got->body(), sent.body());
    }
  }
  std::printf("%d of %d Puts finished after the store stopped serving\n", after, kPuts);
}

TEST(GracefulShutdownTest, IngestFinishesSubmitsUnderWay) {
  const TestDir test_dir("ingest_sigterm");
  const std::string& dir = test_dir.path();
  ClusterOptions options;
  options.stores = 1;
  options.store_flags = {"--workers=2"};
  options.start_query = false;
  auto cluster = ArchiveCluster::Start(dir, options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  RestartableServer& store = (*cluster)->store(0);
  RestartableServer& ingest = (*cluster)->ingest();

  // The store stands still: every Submit waits for it inside ingest.
  store.Signal(SIGSTOP);
  auto stub = v1::Ingest::NewStub(
      grpc::CreateChannel(ingest.address(), grpc::InsecureChannelCredentials()));
  constexpr int kUnary = 4;
  constexpr int kStreamed = 5;
  std::vector<v1::Article> articles;
  for (int n = 0; n < kUnary + kStreamed; ++n) {
    articles.push_back(DistinctArticle("shutdown.example", 3, n));
  }
  std::vector<grpc::Status> unary_status(kUnary);
  std::vector<v1::SubmitResponse> unary_response(kUnary);
  std::vector<std::thread> callers;
  for (int i = 0; i < kUnary; ++i) {
    callers.emplace_back([&, i] {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      v1::SubmitRequest request;
      *request.mutable_article() = articles[i];
      unary_status[i] = stub->Submit(&context, request, &unary_response[i]);
    });
  }
  grpc::Status stream_status;
  std::vector<v1::SubmitResponse> stream_responses;
  callers.emplace_back([&] {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    auto stream = stub->SubmitStream(&context);
    v1::SubmitRequest request;
    for (int i = kUnary; i < kUnary + kStreamed; ++i) {
      *request.mutable_article() = articles[i];
      stream->Write(request);
    }
    stream->WritesDone();
    v1::SubmitResponse response;
    while (stream->Read(&response)) stream_responses.push_back(response);
    stream_status = stream->Finish();
  });
  absl::SleepFor(absl::Milliseconds(700));  // the calls reach ingest

  ingest.Signal(SIGTERM);
  EXPECT_TRUE(StopsServingWithin(ingest.address(), absl::Seconds(2)));
  {
    auto fresh = v1::Ingest::NewStub(
        grpc::CreateChannel(ingest.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    v1::SubmitRequest request;
    *request.mutable_article() = DistinctArticle("shutdown.example", 4, 0);
    v1::SubmitResponse response;
    const grpc::Status late = fresh->Submit(&context, request, &response);
    EXPECT_TRUE(RefusedAtShutdown(late.error_code())) << late.error_message();
  }
  // Still draining: the calls under way wait for the store.
  EXPECT_EQ(ingest.Wait(absl::Milliseconds(200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  store.Signal(SIGCONT);

  for (std::thread& caller : callers) caller.join();
  for (int i = 0; i < kUnary; ++i) {
    ASSERT_TRUE(unary_status[i].ok()) << i << ": " << unary_status[i].error_message();
    EXPECT_EQ(unary_response[i].outcome(), v1::OUTCOME_STORED);
    EXPECT_EQ(unary_response[i].id(), articles[i].id());
  }
  ASSERT_TRUE(stream_status.ok()) << stream_status.error_message();
  ASSERT_EQ(stream_responses.size(), static_cast<size_t>(kStreamed));
  for (int i = 0; i < kStreamed; ++i) {
    EXPECT_EQ(stream_responses[i].outcome(), v1::OUTCOME_STORED);
    EXPECT_EQ(stream_responses[i].id(), articles[kUnary + i].id());
  }
  absl::StatusOr<int> code = ingest.Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << ingest.Log();
  EXPECT_NE(ingest.Log().find("ingest_server stopped cleanly"), std::string::npos)
      << ingest.Log();
  auto client = store::StoreClient::Connect(store.address());
  for (const v1::Article& sent : articles) {
    absl::StatusOr<v1::Article> got = client->Get(sent.id(), Soon());
    ASSERT_TRUE(got.ok()) << sent.id() << ": " << got.status();
    EXPECT_EQ(got->body(), sent.body());
  }
}

TEST(GracefulShutdownTest, QueryFinishesReadsUnderWay) {
  const TestDir test_dir("query_sigterm");
  const std::string& dir = test_dir.path();
  ClusterOptions options;
  options.stores = 1;
  options.store_flags = {"--workers=2"};
  auto cluster = ArchiveCluster::Start(dir, options);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  RestartableServer& store = (*cluster)->store(0);
  RestartableServer& query = *(*cluster)->query();

  constexpr int kArticles = 30;
  std::vector<v1::Article> articles;
  v1::PutRequest put;
  for (int n = 0; n < kArticles; ++n) {
    articles.push_back(DistinctArticle("shutdown.example", 5, n));
    *put.add_items()->mutable_article() = articles.back();
  }
  ASSERT_TRUE(store::StoreClient::Connect(store.address())->Put(put, Soon()).ok());

  // The store stands still: every read waits for it inside query.
  store.Signal(SIGSTOP);
  auto stub = v1::Query::NewStub(
      grpc::CreateChannel(query.address(), grpc::InsecureChannelCredentials()));
  constexpr int kLists = 3;
  std::vector<grpc::Status> list_status(kLists);
  std::vector<v1::ListArticlesResponse> lists(kLists);
  grpc::Status get_status;
  v1::Article got;
  grpc::Status stats_status;
  v1::GetStatsResponse stats;
  std::vector<std::thread> callers;
  auto context_for = [](grpc::ClientContext* context) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  };
  for (int i = 0; i < kLists; ++i) {
    callers.emplace_back([&, i] {
      grpc::ClientContext context;
      context_for(&context);
      v1::ListArticlesRequest request;
      request.set_page_size(kArticles);
      request.set_oldest_first(true);
      list_status[i] = stub->ListArticles(&context, request, &lists[i]);
    });
  }
  callers.emplace_back([&] {
    grpc::ClientContext context;
    context_for(&context);
    v1::GetArticleRequest request;
    request.set_id(articles[7].id());
    get_status = stub->GetArticle(&context, request, &got);
  });
  callers.emplace_back([&] {
    grpc::ClientContext context;
    context_for(&context);
    stats_status = stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  });
  absl::SleepFor(absl::Milliseconds(700));  // the calls reach query

  query.Signal(SIGTERM);
  EXPECT_TRUE(StopsServingWithin(query.address(), absl::Seconds(2)));
  {
    auto fresh = v1::Query::NewStub(
        grpc::CreateChannel(query.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    v1::GetStatsResponse response;
    const grpc::Status late = fresh->GetStats(&context, v1::GetStatsRequest(), &response);
    EXPECT_TRUE(RefusedAtShutdown(late.error_code())) << late.error_message();
  }
  EXPECT_EQ(query.Wait(absl::Milliseconds(200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  store.Signal(SIGCONT);

  for (std::thread& caller : callers) caller.join();
  for (int i = 0; i < kLists; ++i) {
    ASSERT_TRUE(list_status[i].ok()) << list_status[i].error_message();
    ASSERT_EQ(lists[i].articles_size(), kArticles);
    for (int n = 0; n < kArticles; ++n) {
      EXPECT_EQ(lists[i].articles(n).id(), articles[n].id());
      EXPECT_EQ(lists[i].articles(n).body(), articles[n].body());
    }
  }
  ASSERT_TRUE(get_status.ok()) << get_status.error_message();
  EXPECT_EQ(got.body(), articles[7].body());
  ASSERT_TRUE(stats_status.ok()) << stats_status.error_message();
  EXPECT_EQ(stats.article_count(), static_cast<uint64_t>(kArticles));
  absl::StatusOr<int> code = query.Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << query.Log();
  EXPECT_NE(query.Log().find("query_server stopped cleanly"), std::string::npos)
      << query.Log();
}

}  // namespace
}  // namespace archive::reliability
