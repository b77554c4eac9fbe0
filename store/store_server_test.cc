// store_server as a real process: durability across SIGKILL, graceful
// shutdown on SIGTERM, and clear failures at start-up.
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/health_client.h"
#include "common/testing/article_factory.h"
#include "common/testing/server_process.h"
#include "gtest/gtest.h"
#include "store/store_client.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;
using ::archive::testing::MakeTempDir;
using ::archive::testing::PickFreePort;
using ::archive::testing::ServerProcess;

constexpr char kBinary[] = "store/store_server";

struct RunningStore {
  std::unique_ptr<ServerProcess> process;
  std::string address;
};

RunningStore StartStore(const std::string& db, const std::string& log,
                        std::vector<std::string> extra = {}) {
  RunningStore store;
  store.address = absl::StrCat("127.0.0.1:", PickFreePort());
  std::vector<std::string> args = {"--listen=" + store.address, "--db=" + db};
  args.insert(args.end(), extra.begin(), extra.end());
  auto process = ServerProcess::Start(kBinary, args, log);
  EXPECT_TRUE(process.ok()) << process.status();
  store.process = *std::move(process);
  absl::Status healthy = WaitUntilServing(store.address, absl::Seconds(30));
  EXPECT_TRUE(healthy.ok()) << healthy << "\n" << store.process->Log();
  return store;
}

// Every acknowledged article survives SIGKILL, with --sync=true (the default)
// and with --sync=false (the WAL is in the OS page cache when Put returns).
class DurabilityTest : public ::testing::TestWithParam<bool> {};

TEST_P(DurabilityTest, AcknowledgedPutsSurviveSigkill) {
  const bool sync = GetParam();
  const std::string dir = MakeTempDir("durability");
  const std::string db = dir + "/db";
  std::map<std::string, std::string> acknowledged;  // id -> body
  std::mutex mutex;
  int serial = 0;

  for (int cycle = 0; cycle < 3; ++cycle) {
    // Segments of 50 documents: some postings are written out, some are
    // in memory, when the process dies.
    RunningStore store = StartStore(
        db, dir + "/store.log",
        {absl::StrCat("--sync=", sync), "--segment_documents=50"});
    auto client = StoreClient::Connect(store.address);

    // Writers keep putting small batches until the process dies under them.
    std::atomic<bool> stop{false};
    std::atomic<int> acked_this_cycle{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        while (!stop.load()) {
          v1::PutRequest request;
          std::vector<v1::Article> batch;
          {
            std::lock_guard<std::mutex> lock(mutex);
            for (int i = 0; i < 5; ++i) {
              const int n = serial++;
              batch.push_back(MakeArticle("durable.com", "T",
                                          absl::StrCat("Body ", n, " w", w),
                                          kJan2023 + n));
            }
          }
          for (const v1::Article& a : batch) *request.add_items()->mutable_article() = a;
          auto put = client->Put(request, absl::Now() + absl::Seconds(10));
          if (!put.ok()) continue;  // the process died: not acknowledged
          std::lock_guard<std::mutex> lock(mutex);
          for (const v1::Article& a : batch) acknowledged[a.id()] = a.body();
          acked_this_cycle.fetch_add(1);
        }
      });
    }
    while (acked_this_cycle.load() < 20 + 10 * cycle) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    store.process->Signal(SIGKILL);
    auto code = store.process->Wait(absl::Seconds(10));
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 128 + SIGKILL);
    stop.store(true);
    for (std::thread& writer : writers) writer.join();
  }

  RunningStore store = StartStore(db, dir + "/store.log");
  auto client = StoreClient::Connect(store.address);
  ASSERT_GT(acknowledged.size(), 100u);
  for (const auto& [id, body] : acknowledged) {
    auto got = client->Get(id, absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(got.ok()) << id << ": " << got.status();
    EXPECT_EQ(got->body(), body);
    // And searchable: its serial number is a term of its own.
    v1::SearchRequest search;
    search.add_terms(body.substr(5, body.find(' ', 5) - 5));
    search.add_terms("body");
    auto found = client->Search(search, absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(found->hits_size(), 1) << body;
    EXPECT_EQ(found->hits(0).article().id(), id);
  }
  auto stats = client->Stats(v1::StatsRequest(), absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(stats.ok());
  // Unacknowledged batches may have landed too, but none twice.
  EXPECT_GE(stats->article_count(), acknowledged.size());
}

INSTANTIATE_TEST_SUITE_P(SyncOnAndOff, DurabilityTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Sync" : "NoSync";
                         });

TEST(StoreServerTest, SigtermDrainsAndClosesCleanly) {
  const std::string dir = MakeTempDir("sigterm");
  RunningStore store = StartStore(dir + "/db", dir + "/store.log");
  auto client = StoreClient::Connect(store.address);
  v1::Article article = MakeArticle("a.com", "T", "Kept", kJan2023);
  v1::PutRequest request;
  *request.add_items()->mutable_article() = article;
  ASSERT_TRUE(client->Put(request, absl::Now() + absl::Seconds(10)).ok());

  store.process->Signal(SIGTERM);
  auto code = store.process->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << store.process->Log();
  EXPECT_NE(store.process->Log().find("database closed cleanly"),
            std::string::npos);

  RunningStore again = StartStore(dir + "/db", dir + "/store2.log");
  auto got = StoreClient::Connect(again.address)
                 ->Get(article.id(), absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body(), "Kept");
}

// Starts store_server with `args`, which it must refuse: exit status `code`
// and `message` in its log.
void ExpectRefused(const std::vector<std::string>& args, const std::string& log,
                   int code, const std::string& message) {
  auto process = ServerProcess::Start(kBinary, args, log);
  ASSERT_TRUE(process.ok());
  auto exit_code = (*process)->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok());
  EXPECT_EQ(*exit_code, code);
  EXPECT_NE((*process)->Log().find(message), std::string::npos) << (*process)->Log();
}

std::string AnyListenFlag() {
  return "--listen=127.0.0.1:" + std::to_string(PickFreePort());
}

TEST(StoreServerTest, ANonPositiveSegmentSizeIsAUsageError) {
  const std::string dir = MakeTempDir("segment_flag");
  ExpectRefused({AnyListenFlag(), "--db=" + dir + "/db", "--segment_documents=0"},
                dir + "/store.log", 2, "--segment_documents must be positive, not 0");
}

TEST(StoreServerTest, ANonPositiveBlockCacheIsAUsageError) {
  const std::string dir = MakeTempDir("cache_flag");
  ExpectRefused({AnyListenFlag(), "--db=" + dir + "/db", "--block_cache_mb=-1"},
                dir + "/store.log", 2, "--block_cache_mb must be positive, not -1");
}

TEST(StoreServerTest, UnopenableDatabaseExitsWithAClearMessage) {
  const std::string dir = MakeTempDir("unopenable");
  ExpectRefused({AnyListenFlag(), "--db=/proc/archive-no-such-dir/db"},
                dir + "/store.log", 1,
                "cannot open database at /proc/archive-no-such-dir/db");
}

TEST(StoreServerTest, ADatabaseInUseIsRefused) {
  const std::string dir = MakeTempDir("locked");
  RunningStore first = StartStore(dir + "/db", dir + "/first.log");
  ExpectRefused({AnyListenFlag(), "--db=" + dir + "/db"}, dir + "/second.log", 1,
                "lock");
}

TEST(StoreServerTest, MissingDbFlagIsAUsageError) {
  const std::string dir = MakeTempDir("usage");
  ExpectRefused({}, dir + "/store.log", 2, "--db");
}

}  // namespace
}  // namespace archive::store
