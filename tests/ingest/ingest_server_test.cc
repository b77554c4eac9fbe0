// ingest_server as a real process in front of two real store_server
// processes, on free loopback ports: memory stays flat over a long stream,
// a store killed mid-stream never costs an acknowledged article, and the
// server starts, refuses bad flags and stops as an operator expects.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "common/health_client.h"
#include "common/testing/article_factory.h"
#include "common/testing/server_process.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/store_client.h"

namespace archive {
namespace {

using ::archive::testing::MakeTempDir;
using ::archive::testing::PickFreePort;
using ::archive::testing::ResidentBytes;
using ::archive::testing::ServerProcess;

// Relative to the runfiles root, the working directory of `bazel test`.
constexpr char kIngestServer[] = "ingest/ingest_server";
constexpr char kStoreServer[] = "store/store_server";
constexpr int64_t kJan2023 = 1'673'568'000;  // 2023-01-13T00:00:00Z
// IngestServiceOptions::max_stream_articles: a stream's unanswered articles.
constexpr int kStreamWindow = 256;

struct Running {
  std::unique_ptr<ServerProcess> process;
  std::string address;
};

// Waits until the server at `address` serves. Each try is short and on a new
// channel: a channel whose first connection was refused (the process was
// still starting) would wait out gRPC's reconnect backoff.
absl::Status WaitForServer(const std::string& address) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  absl::Status serving;
  do {
    serving = WaitUntilServing(address, absl::Milliseconds(200));
  } while (!serving.ok() && absl::Now() < give_up);
  return serving;
}

// Starts `binary` on a free port and waits until it serves. A port picked
// free may be taken before the server binds it (by a test running beside this
// one); the server then exits, whoever answers on the port is not it, and
// another port is tried.
Running Start(const char* binary, const std::vector<std::string>& args,
              const std::string& log) {
  Running running;
  absl::Status serving;
  for (int attempt = 0; attempt < 3; ++attempt) {
    running.address = absl::StrCat("127.0.0.1:", PickFreePort());
    std::vector<std::string> all_args = args;
    all_args.push_back("--listen=" + running.address);
    auto process = ServerProcess::Start(binary, all_args, log);
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return running;
    running.process = *std::move(process);
    serving = WaitForServer(running.address);
    if (serving.ok() && !running.process->Wait(absl::ZeroDuration()).ok()) {
      return running;
    }
  }
  ADD_FAILURE() << binary << " did not start: " << serving << "\n"
                << running.process->Log();
  running.process.reset();
  return running;
}

Running StartStore(const std::string& db, const std::string& log) {
  return Start(kStoreServer, {"--db=" + db, "--workers=4"}, log);
}

// An ingest_server in front of `stores`. A store that is down fails its
// articles after `store_timeout`.
Running StartIngest(const std::vector<Running*>& stores, const std::string& log,
                    const std::string& store_timeout = "--store_timeout=3s") {
  std::string list;
  for (const Running* store : stores) {
    absl::StrAppend(&list, list.empty() ? "" : ",", store->address);
  }
  return Start(kIngestServer, {"--stores=" + list, store_timeout}, log);
}

// A distinct story of some 300 pseudo-words (about 2 KB), already in the
// archive's normal form, with id and content_digest set.
v1::Article GeneratedArticle(int n) {
  const std::string body = archive::testing::GeneratedBody(n);
  return archive::testing::MakeArticle("generated.example",
                                       absl::StrCat("Streamed story ", n), body,
                                       kJan2023 + n);
}

// One SubmitStream of GeneratedArticle(first) .. GeneratedArticle(first +
// count - 1), written by one thread while this one reads, as a crawler does.
// `on_response` sees each response and its index as it arrives; `written`,
// when given, counts the articles written so far. With `max_unanswered`, the
// writer waits while that many articles are unanswered.
struct StreamResult {
  grpc::Status status;
  std::vector<v1::SubmitResponse> responses;
};

template <typename OnResponse>
StreamResult Stream(const std::string& ingest, int first, int count,
                    OnResponse on_response, std::atomic<int>* written = nullptr,
                    int max_unanswered = 0) {
  auto stub = v1::Ingest::NewStub(
      grpc::CreateChannel(ingest, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(240)));
  auto stream = stub->SubmitStream(&context);

  StreamResult result;
  std::atomic<int> answered{0};
  std::atomic<bool> reading{true};
  std::thread writer([&] {
    v1::SubmitRequest request;
    for (int i = 0; i < count; ++i) {
      while (max_unanswered > 0 && i - answered.load() >= max_unanswered &&
             reading.load()) {
        absl::SleepFor(absl::Milliseconds(1));
      }
      *request.mutable_article() = GeneratedArticle(first + i);
      if (!reading.load() || !stream->Write(request)) break;
      if (written != nullptr) written->fetch_add(1);
    }
    stream->WritesDone();
  });
  v1::SubmitResponse response;
  while (stream->Read(&response)) {
    on_response(static_cast<int>(result.responses.size()), response);
    result.responses.push_back(response);
    answered.fetch_add(1);
  }
  reading.store(false);
  writer.join();
  result.status = stream->Finish();
  return result;
}

bool Acknowledged(const v1::SubmitResponse& response) {
  return response.outcome() == v1::OUTCOME_STORED ||
         response.outcome() == v1::OUTCOME_DUPLICATE ||
         response.outcome() == v1::OUTCOME_NEAR_DUPLICATE;
}

uint64_t ArticleCount(const Running& store) {
  auto stats = store::StoreClient::Connect(store.address)
                   ->Stats(v1::StatsRequest(), absl::Now() + absl::Seconds(10));
  EXPECT_TRUE(stats.ok()) << stats.status();
  return stats.ok() ? stats->article_count() : 0;
}

TEST(IngestServerTest, TenThousandArticlesInFlatMemory) {
  constexpr int kArticles = 10'000;
  const std::string dir = MakeTempDir("flat_memory");
  Running store_a = StartStore(dir + "/a", dir + "/store_a.log");
  Running store_b = StartStore(dir + "/b", dir + "/store_b.log");
  ASSERT_TRUE(store_a.process != nullptr && store_b.process != nullptr);
  Running ingest = StartIngest({&store_a, &store_b}, dir + "/ingest.log",
                               "--store_timeout=30s");
  ASSERT_NE(ingest.process, nullptr);

  // The stores stand still at first: ingest answers nothing, so the client
  // can write only what ingest reads (its window of articles) plus what the
  // transports hold within the HTTP/2 stream window, and then its Write
  // blocks. gRPC sizes that window at twice the bandwidth-delay product it
  // measures (some 5 MiB here, 2,000 of these articles); an ingest that read
  // without bound would take the whole stream.
  store_a.process->Signal(SIGSTOP);
  store_b.process->Signal(SIGSTOP);
  std::atomic<int> written{0};
  int written_while_stalled = 0;
  std::thread stall([&] {
    // Until the writer has been blocked for a second.
    int last = -1;
    absl::Time last_change = absl::Now();
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
      const int now = written.load();
      if (now != last) {
        last = now;
        last_change = absl::Now();
      } else if (now > 0 && absl::Now() - last_change > absl::Seconds(1)) {
        break;
      }
    }
    written_while_stalled = written.load();
    store_a.process->Signal(SIGCONT);
    store_b.process->Signal(SIGCONT);
  });

  int64_t rss_after_warmup = 0;
  const absl::Time start = absl::Now();
  StreamResult result = Stream(
      ingest.address, 0, kArticles,
      [&](int index, const v1::SubmitResponse&) {
        if (index == 999) {
          rss_after_warmup = ResidentBytes(ingest.process->pid());
          EXPECT_GE(rss_after_warmup, 0) << "no VmRSS for the ingest server";
        }
      },
      &written);
  const int64_t rss_at_end = ResidentBytes(ingest.process->pid());
  EXPECT_GE(rss_at_end, 0) << "no VmRSS for the ingest server";
  const absl::Duration took = absl::Now() - start;
  stall.join();

  const size_t article_bytes = GeneratedArticle(0).ByteSizeLong();
  EXPECT_GE(written_while_stalled, kStreamWindow);
  EXPECT_LE(written_while_stalled * article_bytes,
            kStreamWindow * article_bytes + (size_t{16} << 20))
      << written_while_stalled << " articles of " << article_bytes
      << " bytes went into a stream ingest could not answer";
  ASSERT_TRUE(result.status.ok()) << result.status.error_message() << "\n"
                                  << ingest.process->Log();
  ASSERT_EQ(result.responses.size(), static_cast<size_t>(kArticles));
  int stored = 0;
  int in_order = 0;
  for (int i = 0; i < kArticles; ++i) {
    stored += result.responses[i].outcome() == v1::OUTCOME_STORED;
    in_order += result.responses[i].id() == GeneratedArticle(i).id();
  }
  EXPECT_EQ(stored, kArticles);
  EXPECT_EQ(in_order, kArticles);
  const uint64_t count_a = ArticleCount(store_a);
  const uint64_t count_b = ArticleCount(store_b);
  EXPECT_EQ(count_a + count_b, static_cast<uint64_t>(kArticles));
  EXPECT_GT(count_a, 0u);
  EXPECT_GT(count_b, 0u);

  ASSERT_GT(rss_after_warmup, 0);
  EXPECT_LT(rss_at_end - rss_after_warmup, int64_t{64} << 20)
      << "VmRSS went from " << (rss_after_warmup >> 20) << " MiB to "
      << (rss_at_end >> 20) << " MiB";
  std::printf("%d articles in %s, %.0f a second; ingest VmRSS %lld -> %lld MiB; "
              "%d written while the stores stood still\n",
              kArticles, absl::FormatDuration(took).c_str(),
              kArticles / absl::ToDoubleSeconds(took),
              static_cast<long long>(rss_after_warmup >> 20),
              static_cast<long long>(rss_at_end >> 20), written_while_stalled);
}

TEST(IngestServerTest, AStoreKilledMidStreamCostsNoAcknowledgedArticle) {
  constexpr int kArticles = 3000;
  const std::string dir = MakeTempDir("killed_store");
  Running store_a = StartStore(dir + "/a", dir + "/store_a.log");
  Running store_b = StartStore(dir + "/b", dir + "/store_b.log");
  ASSERT_TRUE(store_a.process != nullptr && store_b.process != nullptr);
  Running ingest = StartIngest({&store_a, &store_b}, dir + "/ingest.log");
  ASSERT_NE(ingest.process, nullptr);

  // A crawler that keeps at most 64 articles unanswered: each waits for a
  // store well within --store_timeout even on a loaded machine, so the only
  // failures are the dead store's.
  StreamResult result = Stream(
      ingest.address, 50'000, kArticles,
      [&](int index, const v1::SubmitResponse&) {
        if (index == 300) store_b.process->Signal(SIGKILL);
      },
      nullptr, 64);

  // Articles for the dead store fail after --store_timeout, and the stream
  // ends there: every response sent before is true.
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << result.status.error_message();
  EXPECT_LT(result.responses.size(), static_cast<size_t>(kArticles));
  ASSERT_GT(result.responses.size(), 300u);
  auto code = store_b.process->Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 128 + SIGKILL);

  Running store_b_again = StartStore(dir + "/b", dir + "/store_b_again.log");
  ASSERT_NE(store_b_again.process, nullptr);
  auto client_a = store::StoreClient::Connect(store_a.address);
  auto client_b = store::StoreClient::Connect(store_b_again.address);
  int acknowledged = 0;
  for (size_t i = 0; i < result.responses.size(); ++i) {
    const v1::SubmitResponse& response = result.responses[i];
    ASSERT_TRUE(Acknowledged(response))
        << "article " << i << ": " << response.ShortDebugString();
    const v1::Article sent = GeneratedArticle(50'000 + static_cast<int>(i));
    ASSERT_EQ(response.id(), sent.id()) << "response " << i << " out of order";
    ++acknowledged;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    auto stored = client_a->Get(response.id(), deadline);
    if (stored.status().code() == absl::StatusCode::kNotFound) {
      stored = client_b->Get(response.id(), deadline);
    }
    ASSERT_TRUE(stored.ok()) << "acknowledged article " << i << " " << response.id()
                             << " is lost: " << stored.status();
    EXPECT_EQ(stored->body(), sent.body());
  }
  EXPECT_GT(acknowledged, 300);
}

TEST(IngestServerTest, BadStoreListsAreUsageErrors) {
  const std::string dir = MakeTempDir("bad_stores");
  for (const std::string& stores :
       {std::string(""), std::string("127.0.0.1"), std::string("127.0.0.1:50052,,x:1"),
        std::string("127.0.0.1:99999"), std::string("a:1,a:1")}) {
    SCOPED_TRACE("--stores=" + stores);
    const std::string log = absl::StrCat(dir, "/ingest_", PickFreePort(), ".log");
    auto process = ServerProcess::Start(
        kIngestServer,
        {absl::StrCat("--listen=127.0.0.1:", PickFreePort()), "--stores=" + stores},
        log);
    ASSERT_TRUE(process.ok()) << process.status();
    auto code = (*process)->Wait(absl::Seconds(30));
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 2) << (*process)->Log();
    EXPECT_NE((*process)->Log().find("--stores"), std::string::npos)
        << (*process)->Log();
  }
}

TEST(IngestServerTest, SigtermStopsCleanly) {
  const std::string dir = MakeTempDir("sigterm");
  Running store = StartStore(dir + "/db", dir + "/store.log");
  ASSERT_NE(store.process, nullptr);
  Running ingest = StartIngest({&store}, dir + "/ingest.log");
  ASSERT_NE(ingest.process, nullptr);
  StreamResult result = Stream(ingest.address, 90'000, 10, [](int, const auto&) {});
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  ASSERT_EQ(result.responses.size(), 10u);

  ingest.process->Signal(SIGTERM);
  auto code = ingest.process->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << ingest.process->Log();
  EXPECT_NE(ingest.process->Log().find("stopped cleanly"), std::string::npos)
      << ingest.process->Log();
}

}  // namespace
}  // namespace archive
