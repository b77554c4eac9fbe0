// Replication tests (docs/REPLICATION.md), as real processes on loopback:
// three or four store_servers, ingest_server and query_server with
// --replicas=2.
//  - A store SIGKILLed and its data folder deleted in the middle of a feed:
//    no Submit fails; every acknowledged article reads back byte for byte,
//    is found by search and is listed once, while the store is gone and
//    after an empty one took its place; re-crawls are DUPLICATE.
//  - A store SIGSTOPped: writes and reads go on within their deadlines.
//    `archivectl rebalance` then refills it, `verify --replicas` finds the
//    placement complete, and another store can be lost.
//  - A fourth store added to the list: re-crawls of what three stores hold
//    are DUPLICATE with the ids they had, new articles are stored, and every
//    article is listed once; after a rebalance each is on exactly two
//    stores, counted once, and re-crawls are still DUPLICATE.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "archive/v1/query.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "common/testing/server_process.h"
#include "store/store_client.h"
#include "tests/crash/archive_cluster.h"

namespace archive::reliability {
namespace {

constexpr char kSource[] = "replica.example";

ClusterOptions Replicated(int stores) {
  ClusterOptions options;
  options.stores = stores;
  options.ingest_flags = {"--replicas=2"};
  options.query_flags = {"--replicas=2"};
  return options;
}

// Submits articles n in [first, last) of `seed` from `threads` threads,
// each with `timeout`, and returns every answer by n (a failed Submit as
// its status message). `before(n)` runs before article n is sent.
struct Answers {
  std::mutex mutex;
  std::map<int, v1::SubmitResponse> responses;
  std::vector<std::string> failures;
};

void Feed(const std::string& ingest, uint64_t seed, int first, int last, int threads,
          absl::Duration timeout, Answers* answers,
          const std::function<void(int)>& before = nullptr,
          const std::string& url_suffix = "") {
  auto stub = v1::Ingest::NewStub(FastReconnectChannel(ingest));
  std::atomic<int> next{first};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int n = next++; n < last; n = next++) {
        if (before) before(n);
        v1::SubmitRequest request;
        *request.mutable_article() = DistinctArticle(kSource, seed, n);
        request.mutable_article()->set_url(
            absl::StrCat("https://replica.example/", n, url_suffix));
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
        v1::SubmitResponse response;
        const grpc::Status status = stub->Submit(&context, request, &response);
        std::lock_guard<std::mutex> lock(answers->mutex);
        if (status.ok()) {
          answers->responses[n] = response;
        } else if (answers->failures.size() < 20) {
          answers->failures.push_back(
              absl::StrCat("article ", n, ": ", status.error_code(), " ",
                           status.error_message()));
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
}

// Every article of seed `seed` in [0, count) is listed exactly once, byte for
// byte, and nothing else is.
void ExpectListedOnce(const std::string& query, uint64_t seed, int count) {
  absl::StatusOr<std::vector<v1::Article>> listed =
      ListEverything(query, kSource, absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::map<std::string, int> times;
  std::map<std::string, const v1::Article*> by_id;
  for (const v1::Article& article : *listed) {
    ++times[article.id()];
    by_id[article.id()] = &article;
  }
  EXPECT_EQ(listed->size(), static_cast<size_t>(count));
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id << " listed " << n << " times";
  int missing = 0;
  for (int n = 0; n < count; ++n) {
    const v1::Article sent = DistinctArticle(kSource, seed, n);
    auto found = by_id.find(sent.id());
    if (found == by_id.end()) {
      if (++missing <= 5) ADD_FAILURE() << "article " << n << " is not listed";
      continue;
    }
    EXPECT_EQ(found->second->title(), sent.title());
    EXPECT_EQ(found->second->body(), sent.body());
  }
  EXPECT_EQ(missing, 0);
}

// Every `step`-th article is read back whole by id, and found (once) by a
// search for a phrase of its body, each call within `timeout`.
void ExpectReadable(const std::string& query, uint64_t seed, int count, int step,
                    absl::Duration timeout) {
  auto stub = v1::Query::NewStub(FastReconnectChannel(query));
  for (int n = 0; n < count; n += step) {
    const v1::Article sent = DistinctArticle(kSource, seed, n);
    {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
      v1::GetArticleRequest request;
      request.set_id(sent.id());
      v1::Article got;
      const grpc::Status status = stub->GetArticle(&context, request, &got);
      ASSERT_TRUE(status.ok()) << "article " << n << ": " << status.error_message();
      EXPECT_EQ(got.body(), sent.body());
    }
    std::vector<std::string> words = absl::StrSplit(sent.body(), ' ');
    words.resize(5);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    v1::SearchArticlesRequest request;
    request.set_query(absl::StrCat("\"", absl::StrJoin(words, " "), "\""));
    request.set_page_size(20);
    v1::SearchArticlesResponse found;
    const grpc::Status status = stub->SearchArticles(&context, request, &found);
    ASSERT_TRUE(status.ok()) << "search for article " << n << ": "
                             << status.error_message();
    int hits_of_it = 0;
    std::set<std::string> ids;
    for (const v1::SearchHit& hit : found.hits()) {
      hits_of_it += hit.article().id() == sent.id();
      EXPECT_TRUE(ids.insert(hit.article().id()).second) << "a hit twice";
    }
    EXPECT_EQ(hits_of_it, 1) << "search for article " << n << ": " << request.query();
  }
}

constexpr char kArchivectl[] = "cli/archivectl";

// Runs archivectl with `args`; its exit status, and its output in *log.
int Archivectl(const std::string& dir, const std::string& name,
               const std::vector<std::string>& args, std::string* log) {
  auto process = testing::ServerProcess::Start(kArchivectl, args, dir + "/" + name + ".log");
  if (!process.ok()) {
    *log = process.status().ToString();
    return -1;
  }
  absl::StatusOr<int> code = (*process)->Wait(absl::Minutes(3));
  *log = (*process)->Log();
  return code.ok() ? *code : -1;
}

std::string StoresFlag(const std::vector<std::string>& stores) {
  return absl::StrCat("--stores=", absl::StrJoin(stores, ","));
}

TEST(ReplicationTest, LosingAStoreAndItsDiskFailsNoSubmitAndLosesNothing) {
  TestDir dir("replication_loss");
  auto cluster = ArchiveCluster::Start(dir.path(), Replicated(3));
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string ingest = (*cluster)->ingest().address();
  const std::string query = (*cluster)->query()->address();
  constexpr int kArticles = 600;
  constexpr int kKillAt = 200;

  // Store 1 dies, disk and all, a third of the way into the feed.
  Answers answers;
  std::once_flag killed;
  Feed(ingest, 1, 0, kArticles, 4, absl::Seconds(20), &answers, [&](int n) {
    if (n < kKillAt) return;
    std::call_once(killed, [&] {
      ASSERT_TRUE((*cluster)->store(1).Kill().ok());
      std::filesystem::remove_all(dir.path() + "/store1");
    });
  });
  EXPECT_TRUE(answers.failures.empty()) << absl::StrJoin(answers.failures, "\n");
  ASSERT_EQ(answers.responses.size(), static_cast<size_t>(kArticles));
  for (const auto& [n, response] : answers.responses) {
    EXPECT_EQ(response.outcome(), v1::OUTCOME_STORED) << "article " << n;
    EXPECT_EQ(response.id(), DistinctArticle(kSource, 1, n).id());
  }

  // With the store gone, every read is complete.
  ExpectListedOnce(query, 1, kArticles);
  ExpectReadable(query, 1, kArticles, 7, absl::Seconds(10));

  // An empty store in its place: still complete, and re-crawls are
  // DUPLICATE of the ids they had, wherever their copies are.
  ASSERT_TRUE((*cluster)->store(1).Start().ok());
  ExpectListedOnce(query, 1, kArticles);
  ExpectReadable(query, 1, kArticles, 11, absl::Seconds(10));
  Answers again;
  Feed(ingest, 1, 0, kArticles, 4, absl::Seconds(20), &again, nullptr, "?recrawl");
  EXPECT_TRUE(again.failures.empty()) << absl::StrJoin(again.failures, "\n");
  for (const auto& [n, response] : again.responses) {
    EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE) << "article " << n;
    EXPECT_EQ(response.duplicate_of(), DistinctArticle(kSource, 1, n).id());
  }
  ExpectListedOnce(query, 1, kArticles);

  // The placement is incomplete (the new store holds only what came since);
  // a rebalance refills it, and then another store can go.
  const std::vector<std::string> stores = (*cluster)->store_addresses();
  std::string log;
  EXPECT_EQ(Archivectl(dir.path(), "verify_before", {"verify", StoresFlag(stores),
                                                     "--replicas=2"}, &log), 1)
      << log;
  EXPECT_NE(log.find("under-replicated"), std::string::npos) << log;
  ASSERT_EQ(Archivectl(dir.path(), "rebalance",
                       {"rebalance", StoresFlag(stores), "--replicas=2"}, &log), 0)
      << log;
  EXPECT_NE(log.find(" 0 failed"), std::string::npos) << log;
  EXPECT_EQ(Archivectl(dir.path(), "verify_after", {"verify", StoresFlag(stores),
                                                    "--replicas=2"}, &log), 0)
      << log;
  EXPECT_NE(log.find(absl::StrCat("placement of ", kArticles,
                                  " articles, 2 replica(s) each: 0 under-replicated, "
                                  "0 misplaced")),
            std::string::npos) << log;
  // Run again, it finds nothing to do.
  ASSERT_EQ(Archivectl(dir.path(), "rebalance_again",
                       {"rebalance", StoresFlag(stores), "--replicas=2"}, &log), 0)
      << log;
  EXPECT_NE(log.find("0 copied, 0 merged, 0 removed, 0 failed"), std::string::npos) << log;

  ASSERT_TRUE((*cluster)->store(2).Kill().ok());
  ExpectListedOnce(query, 1, kArticles);
  ExpectReadable(query, 1, kArticles, 7, absl::Seconds(10));
}

TEST(ReplicationTest, AStoppedStoreHoldsUpNoWriteOrRead) {
  TestDir dir("replication_stopped");
  auto cluster = ArchiveCluster::Start(dir.path(), Replicated(3));
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string ingest = (*cluster)->ingest().address();
  const std::string query = (*cluster)->query()->address();

  Answers before;
  Feed(ingest, 2, 0, 100, 2, absl::Seconds(20), &before);
  ASSERT_TRUE(before.failures.empty()) << absl::StrJoin(before.failures, "\n");

  // A stopped process keeps its connections open and never answers.
  (*cluster)->store(0).Signal(SIGSTOP);
  Answers during;
  Feed(ingest, 2, 100, 200, 2, absl::Seconds(5), &during);
  EXPECT_TRUE(during.failures.empty()) << absl::StrJoin(during.failures, "\n");
  EXPECT_EQ(during.responses.size(), 100u);
  ExpectReadable(query, 2, 200, 13, absl::Seconds(5));
  ExpectListedOnce(query, 2, 200);
  (*cluster)->store(0).Signal(SIGCONT);
  ExpectListedOnce(query, 2, 200);
}

TEST(ReplicationTest, AnAddedStoreBreaksNoDedup) {
  TestDir dir("replication_grow");
  // Four stores, ingest and query over all four; a second ingest over the
  // first three is the archive before the fourth was added.
  auto cluster = ArchiveCluster::Start(dir.path(), Replicated(4));
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  std::vector<std::string> three = (*cluster)->store_addresses();
  three.pop_back();
  RestartableServer old_ingest(
      kIngestServer, {absl::StrCat("--stores=", absl::StrJoin(three, ",")), "--replicas=2"},
      dir.path() + "/old_ingest.log");
  ASSERT_TRUE(old_ingest.Start().ok());
  constexpr int kArticles = 300;

  Answers first;
  Feed(old_ingest.address(), 3, 0, kArticles, 4, absl::Seconds(20), &first);
  ASSERT_TRUE(first.failures.empty()) << absl::StrJoin(first.failures, "\n");

  // About half of these now rank the fourth store among their first two,
  // which holds none of them: the lookup finds their copies anyway.
  Answers recrawl;
  Feed((*cluster)->ingest().address(), 3, 0, kArticles, 4, absl::Seconds(20), &recrawl,
       nullptr, "?again");
  EXPECT_TRUE(recrawl.failures.empty()) << absl::StrJoin(recrawl.failures, "\n");
  ASSERT_EQ(recrawl.responses.size(), static_cast<size_t>(kArticles));
  for (const auto& [n, response] : recrawl.responses) {
    EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE) << "article " << n;
    EXPECT_EQ(response.duplicate_of(), first.responses[n].id());
  }

  // New articles go to their owners under four stores.
  Answers fresh;
  Feed((*cluster)->ingest().address(), 3, kArticles, kArticles + 100, 4,
       absl::Seconds(20), &fresh);
  EXPECT_TRUE(fresh.failures.empty()) << absl::StrJoin(fresh.failures, "\n");
  for (const auto& [n, response] : fresh.responses) {
    EXPECT_EQ(response.outcome(), v1::OUTCOME_STORED) << "article " << n;
  }
  ExpectListedOnce((*cluster)->query()->address(), 3, kArticles + 100);
  ExpectReadable((*cluster)->query()->address(), 3, kArticles + 100, 17, absl::Seconds(10));

  // A rebalance to the four stores moves a copy of about half of the first
  // articles to the new store, and removes it from the store it leaves,
  // while they are crawled again: every re-crawl stays DUPLICATE.
  const std::vector<std::string> four = (*cluster)->store_addresses();
  std::string log;
  Answers during;
  std::thread recrawl_during([&] {
    Feed((*cluster)->ingest().address(), 3, 0, kArticles, 2, absl::Seconds(20), &during,
         nullptr, "?during");
  });
  const int rebalanced = Archivectl(dir.path(), "rebalance",
                                    {"rebalance", StoresFlag(four), "--replicas=2"}, &log);
  recrawl_during.join();
  ASSERT_EQ(rebalanced, 0) << log;
  EXPECT_TRUE(during.failures.empty()) << absl::StrJoin(during.failures, "\n");
  for (const auto& [n, response] : during.responses) {
    EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE) << "article " << n;
    EXPECT_EQ(response.duplicate_of(), first.responses[n].id());
  }
  // A sighting that landed on a copy as the rebalance removed it leaves a
  // copy off its owners again; the next rebalance merges and removes it.
  ASSERT_EQ(Archivectl(dir.path(), "rebalance_after", {"rebalance", StoresFlag(four),
                                                       "--replicas=2"}, &log), 0)
      << log;
  EXPECT_EQ(Archivectl(dir.path(), "verify", {"verify", StoresFlag(four),
                                              "--replicas=2"}, &log), 0)
      << log;
  uint64_t held = 0;
  for (const std::string& address : four) {
    auto client = store::StoreClient::Connect(address);
    auto stats = client->Stats(v1::StatsRequest(), absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_GT(stats->article_count(), 0u) << address;
    held += stats->article_count();
  }
  EXPECT_EQ(held, 2u * (kArticles + 100)) << "each article on exactly two stores";

  // Re-crawls after the rebalance: DUPLICATE of the same ids.
  Answers after;
  Feed((*cluster)->ingest().address(), 3, 0, kArticles + 100, 4, absl::Seconds(20),
       &after, nullptr, "?third");
  EXPECT_TRUE(after.failures.empty()) << absl::StrJoin(after.failures, "\n");
  for (const auto& [n, response] : after.responses) {
    EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE) << "article " << n;
  }
  ExpectListedOnce((*cluster)->query()->address(), 3, kArticles + 100);
  // GetStats counts each article once when every copy is where it belongs.
  absl::StatusOr<v1::GetStatsResponse> stats =
      ArchiveStats((*cluster)->query()->address(), absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->article_count(), static_cast<uint64_t>(kArticles + 100));
}

}  // namespace
}  // namespace archive::reliability
