// archive.v1.Query through a real grpc::Server, over three real store_server
// processes (each its own RocksDB in a temporary directory) on free loopback
// ports: paging, merging, ranking with global statistics, page tokens, and a
// store that stops or hangs.
//
// The stores run as processes rather than in-process StoreServices because
// //store keeps ArticleDb and StoreService private to its package; the
// articles still go straight into a chosen store through StoreClient::Put.
#include "query/query_service.h"

#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/query.grpc.pb.h"
#include "archive/v1/store.grpc.pb.h"
#include "common/grpc_server.h"
#include "common/health_client.h"
#include "common/rendezvous.h"
#include "common/snippet.h"
#include "common/time_buckets.h"
#include "common/testing/article_factory.h"
#include "common/testing/server_process.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/search_query.h"
#include "store/store_client.h"
#include "store/test_queries.h"

namespace archive::query {
namespace {

using ::archive::testing::GeneratedBody;
using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;
using ::archive::testing::MakeTempDir;
using ::archive::testing::PickFreePort;
using ::archive::testing::ServerProcess;

// Relative to the runfiles root, the working directory of `bazel test`.
constexpr char kStoreServer[] = "store/store_server";

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  time.set_nanos(nanos);
  return time;
}

using Position = std::tuple<int64_t, int32_t, std::string>;

Position PositionOf(const v1::Article& article) {
  return {article.published_at().seconds(), article.published_at().nanos(),
          article.id()};
}

std::vector<std::string> Ids(const std::vector<v1::Article>& articles) {
  std::vector<std::string> ids;
  for (const v1::Article& article : articles) ids.push_back(article.id());
  return ids;
}

std::vector<std::string> HitIds(const std::vector<v1::SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const v1::SearchHit& hit : hits) ids.push_back(hit.article().id());
  return ids;
}

// What ListArticles should return: `corpus` filtered as `request` asks, in
// its order.
std::vector<std::string> ExpectedList(const std::vector<v1::Article>& corpus,
                                      const v1::ListArticlesRequest& request) {
  std::vector<v1::Article> kept;
  for (const v1::Article& article : corpus) {
    const auto time = std::make_pair(article.published_at().seconds(),
                                     article.published_at().nanos());
    if (!request.source().empty() && article.source() != request.source()) continue;
    if (request.has_start_time() &&
        time < std::make_pair(request.start_time().seconds(),
                              request.start_time().nanos())) {
      continue;
    }
    if (request.has_end_time() &&
        time >= std::make_pair(request.end_time().seconds(),
                               request.end_time().nanos())) {
      continue;
    }
    kept.push_back(article);
  }
  std::sort(kept.begin(), kept.end(), [&](const v1::Article& a, const v1::Article& b) {
    return request.oldest_first() ? PositionOf(a) < PositionOf(b)
                                  : PositionOf(b) < PositionOf(a);
  });
  return Ids(kept);
}

// A store_server process and a client to it.
struct StoreProcess {
  std::string address;
  std::unique_ptr<ServerProcess> process;
  std::unique_ptr<store::StoreClient> client;
};

// Stores, and a QueryService over them on its own grpc::Server reached
// through an archive.v1.Query stub.
class Archive {
 public:
  ~Archive() {
    if (query_server_ != nullptr) query_server_->Shutdown(absl::Seconds(1));
  }

  // Starts `store_count` stores (together, then waits for each) and the
  // query service. Call inside ASSERT_NO_FATAL_FAILURE.
  void Start(int store_count, int replicas = 1) {
    const std::string dir = MakeTempDir("query_service");
    for (int s = 0; s < store_count; ++s) {
      StoreProcess& store = stores_.emplace_back();
      store.address = absl::StrCat("127.0.0.1:", PickFreePort());
      auto process = ServerProcess::Start(
          kStoreServer,
          {"--listen=" + store.address, absl::StrCat("--db=", dir, "/db", s),
           "--sync=false", "--workers=4", "--block_cache_mb=16",
           // Room for the 1.1 MB articles of the byte-budget test.
           "--max_article_bytes=2097152"},
          absl::StrCat(dir, "/store", s, ".log"));
      ASSERT_TRUE(process.ok()) << process.status();
      store.process = *std::move(process);
    }
    for (StoreProcess& store : stores_) {
      // Short tries on fresh channels: a channel refused while the process
      // was starting would wait out gRPC's reconnect backoff.
      const absl::Time give_up = absl::Now() + absl::Seconds(30);
      absl::Status serving;
      do {
        serving = WaitUntilServing(store.address, absl::Milliseconds(200));
      } while (!serving.ok() && absl::Now() < give_up);
      ASSERT_TRUE(serving.ok()) << serving << "\n" << store.process->Log();
      store.client = store::StoreClient::Connect(store.address);
    }

    std::vector<std::string> addresses;
    for (const StoreProcess& store : stores_) addresses.push_back(store.address);
    QueryServiceOptions service_options;
    service_options.replicas = replicas;
    service_ = std::make_unique<QueryService>(store::ConnectStores(addresses), service_options);
    GrpcServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.service_names = {v1::Query::service_full_name()};
    auto server = GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    query_server_ = *std::move(server);
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(256 << 20);
    stub_ = v1::Query::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", query_server_->port()),
        grpc::InsecureChannelCredentials(), arguments));
  }

  // Puts `articles` into store `s`, each one new.
  void Put(size_t s, const std::vector<v1::Article>& articles) {
    v1::PutRequest request;
    for (const v1::Article& article : articles) {
      *request.add_items()->mutable_article() = article;
    }
    auto put = stores_.at(s).client->Put(request, Soon());
    ASSERT_TRUE(put.ok()) << put.status();
    for (const v1::PutResult& result : put->results()) {
      ASSERT_EQ(result.outcome(), v1::OUTCOME_STORED) << result.id();
    }
  }

  grpc::Status List(const v1::ListArticlesRequest& request,
                    v1::ListArticlesResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    return stub_->ListArticles(&context, request, response);
  }

  grpc::Status Search(const v1::SearchArticlesRequest& request,
                      v1::SearchArticlesResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    return stub_->SearchArticles(&context, request, response);
  }

  grpc::Status Get(const std::string& id, v1::Article* article) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    v1::GetArticleRequest request;
    request.set_id(id);
    return stub_->GetArticle(&context, request, article);
  }

  // Every page of `request`, following next_page_token to the last.
  std::vector<v1::Article> ListAll(v1::ListArticlesRequest request) {
    std::vector<v1::Article> all;
    for (int pages = 0; pages < 10'000; ++pages) {
      v1::ListArticlesResponse response;
      grpc::Status status = List(request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(response.articles_size(), request.page_size());
      for (v1::Article& article : *response.mutable_articles()) {
        all.push_back(std::move(article));
      }
      if (response.next_page_token().empty()) break;
      EXPECT_GT(response.articles_size(), 0) << "an empty page before the last";
      request.set_page_token(response.next_page_token());
    }
    return all;
  }

  std::vector<v1::SearchHit> SearchAll(v1::SearchArticlesRequest request) {
    std::vector<v1::SearchHit> all;
    for (int pages = 0; pages < 10'000; ++pages) {
      v1::SearchArticlesResponse response;
      grpc::Status status = Search(request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      EXPECT_LE(response.hits_size(), request.page_size());
      for (v1::SearchHit& hit : *response.mutable_hits()) all.push_back(std::move(hit));
      if (response.next_page_token().empty()) break;
      EXPECT_GT(response.hits_size(), 0) << "an empty page before the last";
      request.set_page_token(response.next_page_token());
    }
    return all;
  }

  grpc::Status Count(const v1::CountArticlesRequest& request,
                     v1::CountArticlesResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    return stub_->CountArticles(&context, request, response);
  }

  std::vector<std::string> addresses() const {
    std::vector<std::string> addresses;
    for (const StoreProcess& store : stores_) addresses.push_back(store.address);
    return addresses;
  }

  v1::Query::Stub& query() { return *stub_; }
  QueryService& service() { return *service_; }
  StoreProcess& store(size_t s) { return stores_.at(s); }
  size_t store_count() const { return stores_.size(); }

 private:
  std::vector<StoreProcess> stores_;
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<GrpcServer> query_server_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(archive_.Start(3)); }

  // Puts each article into the store `store_of(i)` names, and remembers it.
  template <typename StoreOf>
  void PutSpread(const std::vector<v1::Article>& articles, StoreOf store_of) {
    std::vector<std::vector<v1::Article>> by_store(archive_.store_count());
    for (size_t i = 0; i < articles.size(); ++i) {
      by_store[store_of(i) % by_store.size()].push_back(articles[i]);
    }
    for (size_t s = 0; s < by_store.size(); ++s) {
      if (by_store[s].empty()) continue;
      ASSERT_NO_FATAL_FAILURE(archive_.Put(s, by_store[s]));
    }
    corpus_.insert(corpus_.end(), articles.begin(), articles.end());
  }

  // 66 small articles of three sources, one a prefix of another, four at
  // each publication time, spread unevenly over the stores (so that some
  // equal times meet in one store), and two a nanosecond before a whole
  // second.
  void PutListCorpus() {
    const std::vector<std::string> sources = {"a.com", "a.com.au", "b.org"};
    std::vector<v1::Article> articles;
    for (int i = 0; i < 64; ++i) {
      articles.push_back(MakeArticle(sources[i % 3], absl::StrCat("Article ", i),
                                     absl::StrCat("Body of article number ", i),
                                     kJan2023 + (i / 4) * 3600));
    }
    for (int64_t hour : {4, 12}) {
      v1::Article edge = MakeArticle("a.com", absl::StrCat("Edge before hour ", hour),
                                     "Published a nanosecond before the hour",
                                     kJan2023 + hour * 3600 - 1);
      edge.mutable_published_at()->set_nanos(999'999'999);
      articles.push_back(edge);
    }
    PutSpread(articles, [](size_t i) { return (i * 7 + i / 5) % 3; });
  }

  Archive archive_;
  std::vector<v1::Article> corpus_;
};

TEST_F(QueryServiceTest, ListPagesEveryArticleOnceInOrder) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  for (const std::string source : {"", "a.com", "a.com.au"}) {
    for (bool oldest_first : {false, true}) {
      for (int page_size : {1, 7, 50}) {
        SCOPED_TRACE(absl::StrCat("source \"", source, "\", oldest_first ",
                                  oldest_first, ", page_size ", page_size));
        v1::ListArticlesRequest request;
        request.set_source(source);
        request.set_oldest_first(oldest_first);
        request.set_page_size(page_size);
        const std::vector<std::string> expected = ExpectedList(corpus_, request);
        ASSERT_FALSE(expected.empty());
        EXPECT_EQ(Ids(archive_.ListAll(request)), expected);
      }
    }
  }
}

// What ARTICLE_VIEW_BASIC should leave of `article`, spelled out here
// rather than taken from the code under test.
v1::Article WithoutText(v1::Article article) {
  article.clear_body();
  article.clear_captions();
  article.clear_sightings();
  return article;
}

TEST_F(QueryServiceTest, ListBasicViewMergesTheSameArticlesWithoutTheirText) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  for (const std::string source : {"", "a.com"}) {
    SCOPED_TRACE(absl::StrCat("source \"", source, "\""));
    v1::ListArticlesRequest full;
    full.set_source(source);
    full.set_page_size(7);
    v1::ListArticlesRequest basic = full;
    basic.set_view(v1::ARTICLE_VIEW_BASIC);
    const std::vector<v1::Article> whole = archive_.ListAll(full);
    const std::vector<v1::Article> heads = archive_.ListAll(basic);
    EXPECT_EQ(Ids(heads), ExpectedList(corpus_, full));
    ASSERT_EQ(heads.size(), whole.size());
    for (size_t i = 0; i < heads.size(); ++i) {
      EXPECT_FALSE(whole[i].body().empty());
      EXPECT_EQ(heads[i].SerializeAsString(), WithoutText(whole[i]).SerializeAsString());
    }
    // A token of one view serves the other.
    v1::ListArticlesResponse first;
    ASSERT_TRUE(archive_.List(basic, &first).ok());
    full.set_page_token(first.next_page_token());
    v1::ListArticlesResponse second;
    ASSERT_TRUE(archive_.List(full, &second).ok());
    ASSERT_GT(second.articles_size(), 0);
    EXPECT_EQ(second.articles(0).id(), whole[7].id());
  }

  v1::ListArticlesRequest unknown;
  unknown.set_view(static_cast<v1::ArticleView>(9));
  v1::ListArticlesResponse response;
  const grpc::Status status = archive_.List(unknown, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("view"), std::string::npos)
      << status.error_message();
}

TEST_F(QueryServiceTest, ListTimeRangesAreHalfOpen) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  // Four articles are published exactly at each whole hour, and one a
  // nanosecond before hours 4 and 12.
  const google::protobuf::Timestamp start = At(kJan2023 + 4 * 3600);
  const google::protobuf::Timestamp end = At(kJan2023 + 12 * 3600);
  struct Range {
    const char* name;
    bool has_start, has_end;
  };
  for (const Range& range : {Range{"both", true, true}, Range{"start only", true, false},
                             Range{"end only", false, true}}) {
    for (const std::string source : {"", "a.com"}) {
      for (bool oldest_first : {false, true}) {
        SCOPED_TRACE(absl::StrCat(range.name, ", source \"", source,
                                  "\", oldest_first ", oldest_first));
        v1::ListArticlesRequest request;
        request.set_source(source);
        request.set_oldest_first(oldest_first);
        request.set_page_size(7);
        if (range.has_start) *request.mutable_start_time() = start;
        if (range.has_end) *request.mutable_end_time() = end;
        const std::vector<std::string> expected = ExpectedList(corpus_, request);
        const std::vector<v1::Article> listed = archive_.ListAll(request);
        EXPECT_EQ(Ids(listed), expected);
        for (const v1::Article& article : listed) {
          if (range.has_start) {
            EXPECT_GE(article.published_at().seconds(), start.seconds());
          }
          if (range.has_end) {
            EXPECT_LT(article.published_at().seconds(), end.seconds());
          }
        }
      }
    }
  }
  // Spelled out: the articles exactly at start are in, those exactly at end
  // out, and the one a nanosecond before end in.
  v1::ListArticlesRequest request;
  *request.mutable_start_time() = start;
  *request.mutable_end_time() = end;
  request.set_page_size(1000);
  const std::vector<v1::Article> listed = archive_.ListAll(request);
  int at_start = 0, at_end = 0, just_before_end = 0;
  for (const v1::Article& article : listed) {
    const auto& t = article.published_at();
    if (t.seconds() == start.seconds() && t.nanos() == 0) ++at_start;
    if (t.seconds() == end.seconds()) ++at_end;
    if (t.seconds() == end.seconds() - 1 && t.nanos() == 999'999'999) ++just_before_end;
  }
  EXPECT_EQ(at_start, 4);
  EXPECT_EQ(at_end, 0);
  EXPECT_EQ(just_before_end, 1);
  // An empty range is no error, and holds nothing.
  *request.mutable_end_time() = start;
  EXPECT_TRUE(archive_.ListAll(request).empty());
}

TEST_F(QueryServiceTest, ListTokensStayValidWhileArticlesAreAdded) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  int added = 0;
  for (bool oldest_first : {false, true}) {
    SCOPED_TRACE(absl::StrCat("oldest_first ", oldest_first));
    const std::vector<v1::Article> before = corpus_;
    v1::ListArticlesRequest request;
    request.set_oldest_first(oldest_first);
    request.set_page_size(10);
    v1::ListArticlesResponse first;
    ASSERT_TRUE(archive_.List(request, &first).ok());
    ASSERT_EQ(first.articles_size(), 10);
    ASSERT_FALSE(first.next_page_token().empty());
    const v1::Article& cursor = *first.articles().rbegin();

    // New articles on both sides of the cursor, and at its very time, in
    // every store.
    std::vector<v1::Article> more;
    for (int i = 0; i < 6; ++i, ++added) {
      for (int64_t when : {kJan2023 - 86'400 + i, kJan2023 + 30 * 86'400 + i,
                           cursor.published_at().seconds()}) {
        more.push_back(MakeArticle(i % 2 == 0 ? "a.com" : "b.org",
                                   absl::StrCat("Late arrival ", added, " at ", when),
                                   absl::StrCat("Added while paging, ", added, " ", when),
                                   when));
      }
    }
    ASSERT_NO_FATAL_FAILURE(PutSpread(more, [](size_t i) { return i; }));

    std::vector<v1::Article> seen(first.articles().begin(), first.articles().end());
    request.set_page_token(first.next_page_token());
    for (v1::Article& article : archive_.ListAll(request)) seen.push_back(std::move(article));

    std::map<std::string, int> times_seen;
    for (const v1::Article& article : seen) ++times_seen[article.id()];
    for (const v1::Article& article : before) {
      EXPECT_EQ(times_seen[article.id()], 1) << article.title();
    }
    for (size_t i = 1; i < seen.size(); ++i) {
      const Position a = PositionOf(seen[i - 1]), b = PositionOf(seen[i]);
      EXPECT_TRUE(oldest_first ? a < b : b < a)
          << "out of order at " << i << ": " << seen[i].title();
    }
  }
}

TEST_F(QueryServiceTest, AStorePageCutByItsByteBudgetStillMergesInOrder) {
  // Store 0 holds five articles of about 1.1 MB, so its Scan pages stop at
  // 4 MiB after four of them; every store also holds small articles
  // published between them.
  std::vector<v1::Article> big;
  for (int i = 0; i < 5; ++i) {
    std::string body = "zebra";
    while (body.size() < 1'100'000) {
      absl::StrAppend(&body, " crossing number ", i, " with long lines of text");
    }
    big.push_back(MakeArticle("big.com", absl::StrCat("Big ", i), body,
                              kJan2023 + i * 10 * 60 + 30));
  }
  ASSERT_NO_FATAL_FAILURE(PutSpread(big, [](size_t) { return 0; }));
  std::vector<v1::Article> small;
  for (int i = 0; i < 60; ++i) {
    small.push_back(MakeArticle(i % 2 == 0 ? "big.com" : "small.com",
                                absl::StrCat("Small ", i),
                                i % 10 == 0 ? absl::StrCat("A zebra, small ", i)
                                            : absl::StrCat("Small body ", i),
                                kJan2023 + i * 60));
  }
  ASSERT_NO_FATAL_FAILURE(PutSpread(small, [](size_t i) { return i; }));

  // The budget does cut store 0's page short.
  v1::ScanRequest scan;
  scan.set_page_size(50);
  auto page = archive_.store(0).client->Scan(scan, Soon());
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_LT(page->articles_size(), 25);
  EXPECT_FALSE(page->next_page_token().empty());

  for (const std::string source : {"", "big.com"}) {
    for (bool oldest_first : {false, true}) {
      for (int page_size : {7, 50}) {
        SCOPED_TRACE(absl::StrCat("source \"", source, "\", oldest_first ",
                                  oldest_first, ", page_size ", page_size));
        v1::ListArticlesRequest request;
        request.set_source(source);
        request.set_oldest_first(oldest_first);
        request.set_page_size(page_size);
        EXPECT_EQ(Ids(archive_.ListAll(request)), ExpectedList(corpus_, request));
      }
    }
  }

  // Search is cut by the same budget: every hit still comes, once, in rank
  // order.
  for (int page_size : {1, 3, 10}) {
    SCOPED_TRACE(absl::StrCat("search page_size ", page_size));
    v1::SearchArticlesRequest request;
    request.set_query("zebra");
    request.set_page_size(page_size);
    const std::vector<v1::SearchHit> hits = archive_.SearchAll(request);
    const std::vector<std::string> ids = HitIds(hits);
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
    EXPECT_EQ(ids.size(), 11u);
    for (size_t i = 1; i < hits.size(); ++i) {
      EXPECT_GE(hits[i - 1].score(), hits[i].score());
    }
  }
}

// A small known corpus for search: which words each article holds, and how
// often, is chosen for each case below.
class SearchTest : public QueryServiceTest {
 protected:
  static constexpr int64_t kT0 = kJan2023;

  void SetUp() override {
    QueryServiceTest::SetUp();
    auto add = [this](const std::string& name, const std::string& source,
                      const std::string& title, const std::string& body,
                      int64_t when) {
      v1::Article article = MakeArticle(source, title, body, when);
      named_[name] = article;
      articles_.push_back(article);
    };
    add("solar4", "news.com", "Solar farms",
        "solar solar solar power plants opened in the desert", kT0 + 10);
    add("solar1", "news.com", "Power grid",
        "the new solar power plant opened in the desert today", kT0 + 20);
    add("wind_old", "news.com", "Wind turbines", "wind energy grows in the north sea",
        kT0);
    add("wind_new", "news.com", "Wind turbines", "wind energy grows in the south sea",
        kT0 + 100);
    add("wind_mid1", "news.com.au", "Wind turbines", "wind energy grows in the east sea",
        kT0 + 50);
    add("wind_mid2", "news.com", "Wind turbines", "wind energy grows in the west sea",
        kT0 + 50);
    add("hybrid", "news.com", "Hybrid plant", "a solar and wind hybrid plant in Egypt",
        kT0 + 30);
    add("phrase", "news.com", "Talks", "the prime minister spoke to reporters", kT0 + 40);
    add("reversed", "news.com", "Talks", "the minister said the prime time was over",
        kT0 + 41);
    add("apart", "news.com", "Maths", "prime numbers puzzled a minister", kT0 + 42);
    add("arabic", "aawsat.com", "الطاقة الشمسية في السعودية",
        "أعلنت السعودية عن مشروع جديد للطاقة الشمسية في الصحراء", kT0 + 60);
    add("korean", "yna.co.kr", "서울 날씨", "오늘 서울 날씨는 맑고 바람이 분다", kT0 + 61);
    add("japanese", "nhk.or.jp", "東京で地震", "東京で大きな地震が発生しました。", kT0 + 62);
    // Filler that makes "power" common in store 0 and rare elsewhere, so
    // local statistics would rank differently from global ones.
    for (int i = 0; i < 8; ++i) {
      add(absl::StrCat("filler", i), "news.com", absl::StrCat("Power cut ", i),
          absl::StrCat("power was cut in district ", i), kT0 + 200 + i);
    }
    ASSERT_NO_FATAL_FAILURE(PutSpread(articles_, [this](size_t i) {
      return articles_[i].title().rfind("Power cut", 0) == 0 ? 0 : i;
    }));
  }

  v1::SearchArticlesRequest Query(const std::string& words, int page_size = 100) {
    v1::SearchArticlesRequest request;
    request.set_query(words);
    request.set_page_size(page_size);
    return request;
  }

  std::vector<std::string> Named(std::initializer_list<const char*> names) {
    std::vector<std::string> ids;
    for (const char* name : names) ids.push_back(named_.at(name).id());
    return ids;
  }

  std::vector<v1::Article> articles_;
  std::map<std::string, v1::Article> named_;
};

TEST_F(SearchTest, MoreMentionsRankFirstAndRecencyBreaksTies) {
  // "solar" four times first; then once in a shorter text before once in a
  // longer one.
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("solar"))),
            Named({"solar4", "hybrid", "solar1"}));

  // Four articles of equal length holding "wind" twice: newest first, and at
  // equal times, by id.
  std::vector<std::string> mid = Named({"wind_mid1", "wind_mid2"});
  std::sort(mid.begin(), mid.end());
  const std::vector<v1::SearchHit> hits = archive_.SearchAll(Query("turbines"));
  EXPECT_EQ(HitIds(hits), std::vector<std::string>({named_["wind_new"].id(), mid[0],
                                                    mid[1], named_["wind_old"].id()}));
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].score(), hits[3].score());
}

TEST_F(SearchTest, ScoresUseGlobalStatisticsSoThreeStoresRankLikeOne) {
  Archive single;
  ASSERT_NO_FATAL_FAILURE(single.Start(1));
  ASSERT_NO_FATAL_FAILURE(single.Put(0, articles_));
  for (const char* words : {"solar", "power", "solar power", "wind", "wind energy sea",
                            "plant", "desert power"}) {
    SCOPED_TRACE(words);
    for (int page_size : {2, 100}) {
      const std::vector<v1::SearchHit> spread = archive_.SearchAll(Query(words, page_size));
      const std::vector<v1::SearchHit> one = single.SearchAll(Query(words, page_size));
      ASSERT_FALSE(one.empty());
      EXPECT_EQ(HitIds(spread), HitIds(one));
      for (size_t i = 0; i < std::min(spread.size(), one.size()); ++i) {
        EXPECT_NEAR(spread[i].score(), one[i].score(), 1e-9 * one[i].score());
      }
    }
  }
}

// With one store the first page skips the Stats step; its token must still
// carry the statistics it scored with, so that later pages rank as if
// nothing had been added since.
TEST_F(SearchTest, ASingleStoresPagesKeepTheFirstPagesStatistics) {
  Archive single;
  ASSERT_NO_FATAL_FAILURE(single.Start(1));
  ASSERT_NO_FATAL_FAILURE(single.Put(0, articles_));
  const std::vector<v1::SearchHit> whole = single.SearchAll(Query("power"));
  ASSERT_GE(whole.size(), 4u);

  v1::SearchArticlesResponse first;
  ASSERT_TRUE(single.Search(Query("power", 2), &first).ok());
  ASSERT_EQ(first.hits_size(), 2);
  ASSERT_FALSE(first.next_page_token().empty());
  // Many more articles of "power": its idf, and the average length, change.
  // Each mentions it once in a long text, so ranks below every hit above.
  std::vector<v1::Article> more;
  for (int i = 0; i < 40; ++i) {
    more.push_back(MakeArticle("late.com", absl::StrCat("Late ", i),
                               absl::StrCat("power ", GeneratedBody(i, 200)),
                               kT0 + 1000 + i));
  }
  ASSERT_NO_FATAL_FAILURE(single.Put(0, more));

  v1::SearchArticlesRequest next = Query("power", 2);
  next.set_page_token(first.next_page_token());
  v1::SearchArticlesResponse second;
  ASSERT_TRUE(single.Search(next, &second).ok());
  ASSERT_EQ(second.hits_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(second.hits(i).article().id(), whole[2 + i].article().id());
    EXPECT_EQ(second.hits(i).score(), whole[2 + i].score());
  }
}

TEST_F(SearchTest, AllWordsMustOccurInAnyCaseOrScript) {
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("solar wind"))), Named({"hybrid"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("solar desert"))),
            Named({"solar4", "solar1"}));
  EXPECT_TRUE(archive_.SearchAll(Query("solar nowhere")).empty());
  for (const char* words : {"SOLAR", "Solar", "ＳＯＬＡＲ"}) {
    SCOPED_TRACE(words);
    EXPECT_EQ(HitIds(archive_.SearchAll(Query(words))),
              Named({"solar4", "hybrid", "solar1"}));
  }
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("السعودية"))), Named({"arabic"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("الشمسية السعودية"))), Named({"arabic"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("서울"))), Named({"korean"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("서울 날씨"))), Named({"korean"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("地震"))), Named({"japanese"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("東京"))), Named({"japanese"}));
}

TEST_F(SearchTest, APhraseMatchesOnlyAdjacentWordsInOrder) {
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("\"prime minister\""))), Named({"phrase"}));
  EXPECT_EQ(HitIds(archive_.SearchAll(Query("\"Prime Minister\" spoke"))),
            Named({"phrase"}));
  std::vector<std::string> loose = HitIds(archive_.SearchAll(Query("prime minister")));
  std::sort(loose.begin(), loose.end());
  std::vector<std::string> all_three = Named({"phrase", "reversed", "apart"});
  std::sort(all_three.begin(), all_three.end());
  EXPECT_EQ(loose, all_three);
}

TEST_F(SearchTest, SourceAndTimeFilters) {
  v1::SearchArticlesRequest request = Query("turbines");
  request.set_source("news.com");  // not news.com.au
  EXPECT_EQ(HitIds(archive_.SearchAll(request)),
            Named({"wind_new", "wind_mid2", "wind_old"}));
  request.set_source("news.com.au");
  EXPECT_EQ(HitIds(archive_.SearchAll(request)), Named({"wind_mid1"}));

  // [kT0 + 50, kT0 + 100): the two at the start are in, the one at the end
  // is out.
  request.clear_source();
  *request.mutable_start_time() = At(kT0 + 50);
  *request.mutable_end_time() = At(kT0 + 100);
  std::vector<std::string> mid = Named({"wind_mid1", "wind_mid2"});
  std::sort(mid.begin(), mid.end());
  EXPECT_EQ(HitIds(archive_.SearchAll(request)), mid);
  request.clear_end_time();
  EXPECT_EQ(HitIds(archive_.SearchAll(request)).size(), 3u);
  request.clear_start_time();
  *request.mutable_end_time() = At(kT0 + 50);
  EXPECT_EQ(HitIds(archive_.SearchAll(request)), Named({"wind_old"}));
}

TEST_F(SearchTest, TheQueryLanguageAcrossThreeStores) {
  auto sorted_ids = [this](const std::string& query) {
    std::vector<std::string> ids = HitIds(archive_.SearchAll(Query(query)));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto named = [this](std::initializer_list<const char*> names) {
    std::vector<std::string> ids = Named(names);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(sorted_ids("solar OR 東京"), named({"solar4", "solar1", "hybrid", "japanese"}));
  EXPECT_EQ(sorted_ids("solar -wind"), named({"solar4", "solar1"}));
  EXPECT_EQ(sorted_ids("solar NOT (wind OR farms)"), named({"solar1"}));
  EXPECT_EQ(sorted_ids("(solar OR wind) egypt"), named({"hybrid"}));
  EXPECT_EQ(sorted_ids("minist* -\"prime minister\""), named({"reversed", "apart"}));
  EXPECT_EQ(sorted_ids("turbines source:news.com.au"), named({"wind_mid1"}));
  EXPECT_EQ(sorted_ids("turbines -source:news.com"), named({"wind_mid1"}));
  // An OR ranks by the words each hit holds: both words first.
  const std::vector<v1::SearchHit> hits = archive_.SearchAll(Query("hybrid OR solar"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].article().id(), named_["hybrid"].id());
}

TEST_F(SearchTest, TotalSizeCountsEveryMatchOnEveryPage) {
  for (const std::string query : {"wind", "power", "solar OR wind", "power -cut"}) {
    const size_t all = archive_.SearchAll(Query(query)).size();
    v1::SearchArticlesRequest request = Query(query, 2);
    for (int page = 0; page < 20; ++page) {
      v1::SearchArticlesResponse response;
      ASSERT_TRUE(archive_.Search(request, &response).ok());
      EXPECT_EQ(response.total_size(), all) << query << " page " << page;
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
  }
}

TEST_F(SearchTest, QueryErrorsAreInvalidArgumentWithThePosition) {
  for (const auto& [query, message] : std::vector<std::pair<std::string, std::string>>{
           {"(solar OR wind", "query: unbalanced parenthesis at 1"},
           {"solar OR", "query: OR needs something to search for on each side at 7"},
           {"-solar", "query: only excluded words and filters: add a word to search for"}}) {
    v1::SearchArticlesResponse response;
    grpc::Status status = archive_.Search(Query(query), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << query;
    EXPECT_EQ(status.error_message(), message);
  }
  // A prefix one store has too many words for is the caller's to lengthen.
  std::string body;
  for (int i = 0; i <= 256; ++i) body += absl::StrCat("word", i, " ");
  archive_.Put(1, {MakeArticle("many.com", "Many words", body + "end", kT0)});
  v1::SearchArticlesResponse response;
  grpc::Status status = archive_.Search(Query("word*"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "query: more than 256 words start with \"word\": make the prefix* longer");
  ASSERT_TRUE(archive_.Search(Query("word25*"), &response).ok());
  EXPECT_EQ(response.total_size(), 1u);
}

TEST_F(SearchTest, SnippetsMarkTheMatchedWords) {
  v1::SearchArticlesResponse response;
  ASSERT_TRUE(archive_.Search(Query("solar"), &response).ok());
  ASSERT_GT(response.hits_size(), 0);
  EXPECT_NE(response.hits(0).snippet().find("**solar** **solar** **solar** power"),
            std::string::npos)
      << response.hits(0).snippet();
  ASSERT_TRUE(archive_.Search(Query("\"prime minister\""), &response).ok());
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_NE(response.hits(0).snippet().find("**prime** **minister**"), std::string::npos)
      << response.hits(0).snippet();
  ASSERT_TRUE(archive_.Search(Query("السعودية"), &response).ok());
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_NE(response.hits(0).snippet().find("**السعودية**"), std::string::npos)
      << response.hits(0).snippet();
}

TEST_F(QueryServiceTest, SearchPagesEveryHitOnceInRankOrder) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < 25; ++i) {
    std::string body = "The harbor";
    for (int k = 0; k < i % 5; ++k) body += " and the harbor";
    absl::StrAppend(&body, " reopened, report ", i / 5);
    // Every fifth pair shares a publication time.
    articles.push_back(MakeArticle(i % 2 == 0 ? "a.com" : "a.com.au",
                                   absl::StrCat("Port news ", i), body,
                                   kJan2023 + (i / 2) * 60));
  }
  ASSERT_NO_FATAL_FAILURE(PutSpread(articles, [](size_t i) { return i * 5 / 3; }));

  v1::SearchArticlesRequest request;
  request.set_query("harbor");
  request.set_page_size(100);
  const std::vector<v1::SearchHit> whole = archive_.SearchAll(request);
  ASSERT_EQ(whole.size(), 25u);
  for (size_t i = 1; i < whole.size(); ++i) {
    const v1::SearchHit& a = whole[i - 1];
    const v1::SearchHit& b = whole[i];
    ASSERT_GE(a.score(), b.score());
    if (a.score() == b.score()) {
      EXPECT_GE(std::make_pair(a.article().published_at().seconds(), b.article().id()),
                std::make_pair(b.article().published_at().seconds(), a.article().id()));
    }
  }
  for (int page_size : {1, 4, 10}) {
    SCOPED_TRACE(absl::StrCat("page_size ", page_size));
    request.set_page_size(page_size);
    const std::vector<v1::SearchHit> paged = archive_.SearchAll(request);
    EXPECT_EQ(HitIds(paged), HitIds(whole));
  }
}

TEST_F(QueryServiceTest, SearchBasicViewGivesTheSameHitsAndSnippetsWithoutText) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < 12; ++i) {
    std::string body = "The harbor";
    for (int k = 0; k < i % 4; ++k) body += " and the harbor";
    absl::StrAppend(&body, " reopened, report ", i);
    articles.push_back(MakeArticle(i % 2 == 0 ? "a.com" : "b.com",
                                   absl::StrCat("Port news ", i), body,
                                   kJan2023 + i * 60));
  }
  ASSERT_NO_FATAL_FAILURE(PutSpread(articles, [](size_t i) { return i; }));

  v1::SearchArticlesRequest full;
  full.set_query("harbor");
  full.set_page_size(5);
  v1::SearchArticlesRequest basic = full;
  basic.set_view(v1::ARTICLE_VIEW_BASIC);
  const std::vector<v1::SearchHit> whole = archive_.SearchAll(full);
  const std::vector<v1::SearchHit> heads = archive_.SearchAll(basic);
  ASSERT_EQ(whole.size(), articles.size());
  ASSERT_EQ(heads.size(), whole.size());
  for (size_t i = 0; i < heads.size(); ++i) {
    EXPECT_FALSE(whole[i].article().body().empty());
    EXPECT_FALSE(whole[i].snippet().empty());
    v1::SearchHit expected = whole[i];
    *expected.mutable_article() = WithoutText(whole[i].article());
    EXPECT_EQ(heads[i].SerializeAsString(), expected.SerializeAsString());
  }
  // A token of one view serves the other.
  v1::SearchArticlesResponse first;
  ASSERT_TRUE(archive_.Search(basic, &first).ok());
  full.set_page_token(first.next_page_token());
  v1::SearchArticlesResponse second;
  ASSERT_TRUE(archive_.Search(full, &second).ok());
  ASSERT_GT(second.hits_size(), 0);
  EXPECT_EQ(second.hits(0).article().id(), whole[5].article().id());
  EXPECT_FALSE(second.hits(0).article().body().empty());

  v1::SearchArticlesRequest unknown;
  unknown.set_query("harbor");
  unknown.set_view(static_cast<v1::ArticleView>(9));
  v1::SearchArticlesResponse response;
  const grpc::Status status = archive_.Search(unknown, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "view: 9 is not an ArticleView");
}

TEST_F(QueryServiceTest, ABadPageTokenIsInvalidArgumentNamingIt) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  v1::ListArticlesRequest list;
  list.set_source("a.com");
  list.set_page_size(3);
  v1::ListArticlesResponse list_page;
  ASSERT_TRUE(archive_.List(list, &list_page).ok());
  const std::string list_token = list_page.next_page_token();
  ASSERT_FALSE(list_token.empty());

  v1::SearchArticlesRequest search;
  search.set_query("body article");
  search.set_page_size(3);
  v1::SearchArticlesResponse search_page;
  ASSERT_TRUE(archive_.Search(search, &search_page).ok());
  const std::string search_token = search_page.next_page_token();
  ASSERT_FALSE(search_token.empty());

  // The same query may change its page size.
  list.set_page_size(5);
  list.set_page_token(list_token);
  ASSERT_TRUE(archive_.List(list, &list_page).ok());
  search.set_page_size(5);
  search.set_page_token(search_token);
  ASSERT_TRUE(archive_.Search(search, &search_page).ok());

  auto expect_refused_list = [this](const v1::ListArticlesRequest& request,
                                    const std::string& what) {
    v1::ListArticlesResponse response;
    grpc::Status status = archive_.List(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
    EXPECT_NE(status.error_message().find("page_token"), std::string::npos)
        << what << ": " << status.error_message();
  };
  auto expect_refused_search = [this](const v1::SearchArticlesRequest& request,
                                      const std::string& what) {
    v1::SearchArticlesResponse response;
    grpc::Status status = archive_.Search(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
    EXPECT_NE(status.error_message().find("page_token"), std::string::npos)
        << what << ": " << status.error_message();
  };

  for (const std::string& token : {list_token, search_token}) {
    for (size_t at : {size_t{0}, token.size() / 2, token.size() - 2}) {
      std::string tampered = token;
      tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
      v1::ListArticlesRequest bad_list = list;
      bad_list.set_page_token(tampered);
      expect_refused_list(bad_list, absl::StrCat("flipped at ", at));
      v1::SearchArticlesRequest bad_search = search;
      bad_search.set_page_token(tampered);
      expect_refused_search(bad_search, absl::StrCat("flipped at ", at));
    }
  }
  for (const std::string garbage : {"garbage", "%%%not base64%%%", "A", "\x01\x02"}) {
    v1::ListArticlesRequest bad_list = list;
    bad_list.set_page_token(garbage);
    expect_refused_list(bad_list, "garbage");
    v1::SearchArticlesRequest bad_search = search;
    bad_search.set_page_token(garbage);
    expect_refused_search(bad_search, "garbage");
  }

  // Tokens of other queries.
  v1::ListArticlesRequest other = list;
  other.set_source("a.com.au");
  expect_refused_list(other, "another source");
  other = list;
  other.clear_source();
  expect_refused_list(other, "every source");
  other = list;
  *other.mutable_start_time() = At(kJan2023);
  expect_refused_list(other, "a start time");
  other = list;
  other.set_oldest_first(true);
  expect_refused_list(other, "the other direction");
  other = list;
  other.set_page_token(search_token);
  expect_refused_list(other, "a search's token");

  v1::SearchArticlesRequest other_search = search;
  other_search.set_query("body");
  expect_refused_search(other_search, "other words");
  other_search = search;
  other_search.set_query("\"body article\"");
  expect_refused_search(other_search, "a phrase of the same words");
  other_search = search;
  other_search.set_source("a.com");
  expect_refused_search(other_search, "a source");
  other_search = search;
  *other_search.mutable_end_time() = At(kJan2023 + 86'400);
  expect_refused_search(other_search, "an end time");
  other_search = search;
  other_search.set_page_token(list_token);
  expect_refused_search(other_search, "a list's token");
}

TEST_F(QueryServiceTest, GetArticleFindsItInWhicheverStoreHasIt) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < 6; ++i) {
    articles.push_back(MakeArticle("a.com", absl::StrCat("Held ", i),
                                   absl::StrCat("Held by store ", i % 3), kJan2023 + i));
  }
  ASSERT_NO_FATAL_FAILURE(PutSpread(articles, [](size_t i) { return i; }));
  for (const v1::Article& article : articles) {
    v1::Article got;
    grpc::Status status = archive_.Get(article.id(), &got);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(got.id(), article.id());
    EXPECT_EQ(got.title(), article.title());
    EXPECT_EQ(got.body(), article.body());
  }

  v1::Article got;
  grpc::Status status = archive_.Get("0123456789abcdef0123456789abcdef", &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  for (const std::string id : {"", "nope", "0123456789ABCDEF0123456789ABCDEF",
                               "0123456789abcdef0123456789abcde",
                               "0123456789abcdef0123456789abcdefa"}) {
    status = archive_.Get(id, &got);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << id;
    EXPECT_NE(status.error_message().find("id"), std::string::npos);
  }
}

TEST_F(QueryServiceTest, GetArticleAsksTheStoreItsIdHashesToFirst) {
  std::vector<std::string> names;
  for (size_t s = 0; s < archive_.store_count(); ++s) {
    names.push_back(archive_.store(s).address);
  }
  // One article where ingest would put it, one elsewhere.
  const v1::Article placed = MakeArticle("a.com", "Placed", "Where it belongs", kJan2023);
  const size_t owner = PickStore(placed.id(), names);
  const v1::Article moved = MakeArticle("a.com", "Moved", "Under another list", kJan2023);
  const size_t moved_owner = PickStore(moved.id(), names);
  const size_t elsewhere = (moved_owner + 1) % names.size();
  ASSERT_NO_FATAL_FAILURE(archive_.Put(owner, {placed}));
  ASSERT_NO_FATAL_FAILURE(archive_.Put(elsewhere, {moved}));

  // With a third store hung, the placed article still comes before the
  // caller's deadline: its store alone was asked.
  size_t hung = 0;
  while (hung == owner || hung == elsewhere) ++hung;
  archive_.store(hung).process->Signal(SIGSTOP);
  v1::Article got;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::GetArticleRequest request;
  request.set_id(placed.id());
  grpc::Status status = archive_.query().GetArticle(&context, request, &got);
  archive_.store(hung).process->Signal(SIGCONT);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.title(), "Placed");

  // The other is found by asking every store.
  status = archive_.Get(moved.id(), &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.title(), "Moved");
}

TEST_F(QueryServiceTest, SourcesAndStatsSumOverTheStores) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  struct Expected {
    uint64_t count = 0;
    Position oldest{INT64_MAX, 0, ""}, newest{INT64_MIN, 0, ""};
  };
  std::map<std::string, Expected> expected;
  for (const v1::Article& article : corpus_) {
    Expected& e = expected[article.source()];
    ++e.count;
    const Position at{article.published_at().seconds(), article.published_at().nanos(),
                      ""};
    e.oldest = std::min(e.oldest, at);
    e.newest = std::max(e.newest, at);
  }
  auto position = [](const google::protobuf::Timestamp& t) {
    return Position{t.seconds(), t.nanos(), ""};
  };

  v1::ListSourcesResponse sources;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    ASSERT_TRUE(archive_.query()
                    .ListSources(&context, v1::ListSourcesRequest(), &sources)
                    .ok());
  }
  ASSERT_EQ(sources.sources_size(), 3);
  EXPECT_EQ(sources.sources(0).source(), "a.com");
  EXPECT_EQ(sources.sources(1).source(), "a.com.au");
  EXPECT_EQ(sources.sources(2).source(), "b.org");
  for (const v1::SourceSummary& summary : sources.sources()) {
    SCOPED_TRACE(summary.source());
    const Expected& e = expected[summary.source()];
    EXPECT_EQ(summary.article_count(), e.count);
    EXPECT_EQ(position(summary.oldest()), e.oldest);
    EXPECT_EQ(position(summary.newest()), e.newest);
  }

  v1::GetStatsResponse stats;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    ASSERT_TRUE(archive_.query().GetStats(&context, v1::GetStatsRequest(), &stats).ok());
  }
  uint64_t total_bytes = 0;
  for (size_t s = 0; s < archive_.store_count(); ++s) {
    auto store_stats = archive_.store(s).client->Stats(v1::StatsRequest(), Soon());
    ASSERT_TRUE(store_stats.ok()) << store_stats.status();
    EXPECT_GT(store_stats->article_count(), 0u) << "store " << s << " holds nothing";
    total_bytes += store_stats->total_bytes();
  }
  EXPECT_EQ(stats.article_count(), corpus_.size());
  EXPECT_EQ(stats.source_count(), 3u);
  EXPECT_EQ(stats.store_count(), 3u);
  EXPECT_EQ(stats.total_bytes(), total_bytes);
  EXPECT_GT(stats.total_bytes(), 0u);
  Position oldest = expected["a.com"].oldest, newest = expected["a.com"].newest;
  for (const auto& [source, e] : expected) {
    oldest = std::min(oldest, e.oldest);
    newest = std::max(newest, e.newest);
  }
  EXPECT_EQ(position(stats.oldest()), oldest);
  EXPECT_EQ(position(stats.newest()), newest);
}

TEST_F(QueryServiceTest, AStoppedStoreMakesReadsUnavailableNamingIt) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  StoreProcess& stopped = archive_.store(1);
  stopped.process->Signal(SIGTERM);
  auto code = stopped.process->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();

  const absl::Duration deadline = absl::Seconds(5);
  auto expect_unavailable = [&](const char* rpc, auto call) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    const absl::Time started = absl::Now();
    grpc::Status status = call(&context);
    EXPECT_LT(absl::Now() - started, deadline) << rpc;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << rpc << ": " << status.error_message();
    EXPECT_NE(status.error_message().find(stopped.address), std::string::npos)
        << rpc << ": " << status.error_message();
  };
  v1::Query::Stub& query = archive_.query();
  expect_unavailable("ListArticles", [&](grpc::ClientContext* context) {
    v1::ListArticlesRequest request;
    v1::ListArticlesResponse response;
    return query.ListArticles(context, request, &response);
  });
  expect_unavailable("SearchArticles", [&](grpc::ClientContext* context) {
    v1::SearchArticlesRequest request;
    request.set_query("article");
    v1::SearchArticlesResponse response;
    return query.SearchArticles(context, request, &response);
  });
  expect_unavailable("GetArticle", [&](grpc::ClientContext* context) {
    v1::GetArticleRequest request;
    request.set_id("0123456789abcdef0123456789abcdef");
    v1::Article response;
    return query.GetArticle(context, request, &response);
  });
  expect_unavailable("ListSources", [&](grpc::ClientContext* context) {
    v1::ListSourcesResponse response;
    return query.ListSources(context, v1::ListSourcesRequest(), &response);
  });
  expect_unavailable("GetStats", [&](grpc::ClientContext* context) {
    v1::GetStatsResponse response;
    return query.GetStats(context, v1::GetStatsRequest(), &response);
  });
}

TEST_F(QueryServiceTest, AHungStoreCostsNoMoreThanTheCallersDeadline) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  StoreProcess& hung = archive_.store(2);
  hung.process->Signal(SIGSTOP);
  const absl::Duration deadline = absl::Milliseconds(1500);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  const absl::Time started = absl::Now();
  v1::ListArticlesResponse response;
  grpc::Status status =
      archive_.query().ListArticles(&context, v1::ListArticlesRequest(), &response);
  const absl::Duration took = absl::Now() - started;
  hung.process->Signal(SIGCONT);
  EXPECT_FALSE(status.ok());
  EXPECT_LT(took, deadline + absl::Seconds(1));

  // Once it answers again, so do the reads.
  v1::ListArticlesRequest request;
  request.set_page_size(1000);
  EXPECT_EQ(archive_.ListAll(request).size(), corpus_.size());
}

TEST_F(QueryServiceTest, EveryReadAfterTheGateClosesIsRefused) {
  ASSERT_NO_FATAL_FAILURE(PutListCorpus());
  archive_.service().admission_gate()->Close();
  v1::Query::Stub& query = archive_.query();
  const std::vector<std::pair<std::string, std::function<grpc::Status(
                                               grpc::ClientContext*)>>>
      reads = {
          {"ListArticles",
           [&](grpc::ClientContext* context) {
             v1::ListArticlesResponse response;
             return query.ListArticles(context, v1::ListArticlesRequest(), &response);
           }},
          {"SearchArticles",
           [&](grpc::ClientContext* context) {
             v1::SearchArticlesRequest request;
             request.set_query("article");
             v1::SearchArticlesResponse response;
             return query.SearchArticles(context, request, &response);
           }},
          {"GetArticle",
           [&](grpc::ClientContext* context) {
             v1::GetArticleRequest request;
             request.set_id(corpus_[0].id());
             v1::Article response;
             return query.GetArticle(context, request, &response);
           }},
          {"ListSources",
           [&](grpc::ClientContext* context) {
             v1::ListSourcesResponse response;
             return query.ListSources(context, v1::ListSourcesRequest(), &response);
           }},
          {"GetStats",
           [&](grpc::ClientContext* context) {
             v1::GetStatsResponse response;
             return query.GetStats(context, v1::GetStatsRequest(), &response);
           }},
      };
  for (const auto& [rpc, call] : reads) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    const grpc::Status status = call(&context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << rpc;
    EXPECT_EQ(status.error_message(), "server is shutting down") << rpc;
  }
}

// A store of an earlier release, which ignores SearchRequest.snippets and
// view: its hits come whole and without snippets. A fake, because no such
// binary is at hand to run for real.
class EarlierReleaseStore final : public v1::Store::CallbackService {
 public:
  explicit EarlierReleaseStore(v1::Article article) : article_(std::move(article)) {}

  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const v1::SearchRequest* request,
                                   v1::SearchResponse* response) override {
    v1::StoreHit* hit = response->add_hits();
    *hit->mutable_article() = article_;
    hit->set_score(1.5);
    v1::TermStatistics* statistics = response->mutable_statistics();
    statistics->set_document_count(1);
    statistics->set_total_terms(10);
    for (const std::string& term : request->terms()) {
      (*statistics->mutable_document_frequency())[term] = 1;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const v1::Article article_;
};

TEST(QueryCompatibilityTest, HitsOfAStoreThatMakesNoSnippetsGetThemHere) {
  const v1::Article article =
      MakeArticle("a.com", "Port Report",
                  "Ships left the harbor at dawn, the master said.", kJan2023);
  EarlierReleaseStore store(article);
  GrpcServerOptions store_options;
  store_options.listen_address = "127.0.0.1:0";
  auto store_server = GrpcServer::Start(store_options, {&store});
  ASSERT_TRUE(store_server.ok()) << store_server.status();
  QueryService service(
      store::ConnectStores({absl::StrCat("127.0.0.1:", (*store_server)->port())}),
      QueryServiceOptions());
  GrpcServerOptions query_options;
  query_options.listen_address = "127.0.0.1:0";
  auto query_server = GrpcServer::Start(query_options, {&service});
  ASSERT_TRUE(query_server.ok()) << query_server.status();
  auto stub = v1::Query::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*query_server)->port()),
                          grpc::InsecureChannelCredentials()));

  for (v1::ArticleView view : {v1::ARTICLE_VIEW_FULL, v1::ARTICLE_VIEW_BASIC}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    v1::SearchArticlesRequest request;
    request.set_query("Harbor");
    request.set_view(view);
    v1::SearchArticlesResponse response;
    const grpc::Status status = stub->SearchArticles(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.hits_size(), 1);
    EXPECT_EQ(response.hits(0).snippet(), MakeSnippet(article, {"harbor"})) << view;
    EXPECT_EQ(response.hits(0).article().body().empty(),
              view == v1::ARTICLE_VIEW_BASIC);
  }
  (*query_server)->Shutdown(absl::Seconds(1));
  (*store_server)->Shutdown(absl::Seconds(1));
}

using ::testing::HasSubstr;

// CountArticles against a brute-force count of the same articles: queries
// of the language, filters, intervals, zones and the split by source, over
// three stores, with one copy of each article or with two.
class CountTest : public ::testing::Test {
 protected:
  static constexpr int64_t kSpread = 60 * 86400;

  void StartAndPut(int replicas, int articles) {
    ASSERT_NO_FATAL_FAILURE(archive_.Start(3, replicas));
    std::mt19937_64 random(17);
    std::vector<std::vector<v1::Article>> by_store(3);
    const std::vector<std::string> names = archive_.addresses();
    for (int i = 0; i < articles; ++i) {
      v1::Article article = store::RandomArticle(random, i, kJan2023, kSpread);
      // On its owners, as ingest places it.
      const std::vector<size_t> ranking = RankStores(article.id(), names);
      for (int r = 0; r < replicas; ++r) by_store[ranking[r]].push_back(article);
      corpus_.push_back(std::move(article));
    }
    for (size_t s = 0; s < by_store.size(); ++s) {
      ASSERT_NO_FATAL_FAILURE(archive_.Put(s, by_store[s]));
    }
  }

  // What CountArticles should answer, bucket by bucket: (start, count, total).
  std::vector<std::tuple<int64_t, uint64_t, uint64_t>> Expected(
      const v1::CountArticlesRequest& request, const std::string& source = "") {
    absl::StatusOr<TimeBuckets> buckets =
        TimeBuckets::Make(request.interval(), request.time_zone());
    EXPECT_TRUE(buckets.ok()) << buckets.status();
    std::optional<v1::QueryNode> tree;
    if (!request.query().empty()) {
      absl::StatusOr<SearchQuery> query = ParseSearchQuery(request.query());
      EXPECT_TRUE(query.ok()) << query.status();
      tree = query->root;
    }
    std::map<int64_t, std::pair<uint64_t, uint64_t>> tallies;
    for (const v1::Article& article : corpus_) {
      const int64_t seconds = article.published_at().seconds();
      if (!request.source().empty() && article.source() != request.source()) continue;
      if (!source.empty() && article.source() != source) continue;
      if (request.has_start_time() && seconds < request.start_time().seconds()) continue;
      if (request.has_end_time() && seconds >= request.end_time().seconds()) continue;
      auto& tally =
          tallies[absl::ToUnixSeconds(buckets->StartOf(absl::FromUnixSeconds(seconds)))];
      tally.first += !tree.has_value() || store::Evaluate(*tree, store::WordsOf(article));
      tally.second += 1;
    }
    std::vector<std::tuple<int64_t, uint64_t, uint64_t>> expected;
    if (tallies.empty()) return expected;
    // Every bucket from the first to the last, empty ones too.
    const absl::Time last = absl::FromUnixSeconds(tallies.rbegin()->first);
    for (absl::Time start = absl::FromUnixSeconds(tallies.begin()->first); start <= last;
         start = buckets->Next(start)) {
      const auto& tally = tallies[absl::ToUnixSeconds(start)];
      expected.emplace_back(absl::ToUnixSeconds(start), tally.first, tally.second);
    }
    return expected;
  }

  static std::vector<std::tuple<int64_t, uint64_t, uint64_t>> Found(
      const google::protobuf::RepeatedPtrField<v1::CountBucket>& buckets) {
    std::vector<std::tuple<int64_t, uint64_t, uint64_t>> found;
    for (const v1::CountBucket& bucket : buckets) {
      found.emplace_back(bucket.start().seconds(), bucket.count(), bucket.total());
      EXPECT_DOUBLE_EQ(bucket.ratio(), bucket.total() == 0 ? 0.0
                                                           : static_cast<double>(bucket.count()) /
                                                                 bucket.total());
    }
    return found;
  }

  // Every request of a set of queries, intervals and zones counts as the
  // brute force does.
  void CheckCounts() {
    int nonzero = 0;
    for (const std::string query :
         {"", "alpha", "alpha OR hotel", "gamma -delta", "\"alpha beta\"", "al*",
          "(beta OR golf) NOT echo", "alpha source:a.com"}) {
      for (const v1::CountInterval interval :
           {v1::COUNT_INTERVAL_DAY, v1::COUNT_INTERVAL_WEEK, v1::COUNT_INTERVAL_MONTH}) {
        for (const std::string zone : {"", "Pacific/Auckland"}) {
          v1::CountArticlesRequest request;
          request.set_query(query);
          request.set_interval(interval);
          request.set_time_zone(zone);
          request.set_split_by_source(interval == v1::COUNT_INTERVAL_WEEK);
          v1::CountArticlesResponse response;
          grpc::Status status = archive_.Count(request, &response);
          ASSERT_TRUE(status.ok()) << status.error_message() << " " << request.ShortDebugString();
          ASSERT_EQ(Found(response.buckets()), Expected(request)) << request.ShortDebugString();
          uint64_t count = 0;
          for (const auto& [start, bucket_count, total] : Expected(request)) count += bucket_count;
          EXPECT_EQ(response.count(), count);
          EXPECT_EQ(response.total(), corpus_.size());
          nonzero += count > 0;
          for (const v1::SourceCount& source : response.top_sources()) {
            if (!request.split_by_source()) {
              EXPECT_EQ(source.buckets_size(), 0);
              continue;
            }
            EXPECT_EQ(Found(source.buckets()), Expected(request, source.source()))
                << source.source() << " " << request.ShortDebugString();
          }
        }
      }
    }
    EXPECT_GT(nonzero, 30);
  }

  Archive archive_;
  std::vector<v1::Article> corpus_;
};

TEST_F(CountTest, ThreeStoresCountAsTheBruteForce) {
  ASSERT_NO_FATAL_FAILURE(StartAndPut(/*replicas=*/1, 300));
  ASSERT_NO_FATAL_FAILURE(CheckCounts());
}

TEST_F(CountTest, TwoCopiesAreCountedOnceAndStillWhileAStoreIsDown) {
  ASSERT_NO_FATAL_FAILURE(StartAndPut(/*replicas=*/2, 300));
  ASSERT_NO_FATAL_FAILURE(CheckCounts());
  StoreProcess& stopped = archive_.store(1);
  stopped.process->Signal(SIGTERM);
  ASSERT_TRUE(stopped.process->Wait(absl::Seconds(30)).ok());
  // The first count finds the store gone in its first round and counts by
  // ownership in a second; the later ones pass over it at once.
  ASSERT_NO_FATAL_FAILURE(CheckCounts());
}

TEST_F(CountTest, RangesListEveryBucketAndFiltersApplyToTotalsToo) {
  ASSERT_NO_FATAL_FAILURE(StartAndPut(/*replicas=*/1, 200));
  v1::CountArticlesRequest request;
  request.set_query("alpha");
  request.set_source("b.com");
  request.set_interval(v1::COUNT_INTERVAL_DAY);
  // From ten days before the first article to a day after it.
  request.mutable_start_time()->set_seconds(kJan2023 - 10 * 86400);
  request.mutable_end_time()->set_seconds(kJan2023 + 86400);
  v1::CountArticlesResponse response;
  grpc::Status status = archive_.Count(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GE(response.buckets_size(), 11);
  EXPECT_EQ(response.buckets(0).start().seconds(),
            absl::ToUnixSeconds(absl::FromUnixSeconds(kJan2023 - 10 * 86400)) / 86400 * 86400);
  EXPECT_EQ(response.buckets(0).total(), 0u);
  uint64_t total = 0;
  for (const v1::Article& article : corpus_) {
    total += article.source() == "b.com" && article.published_at().seconds() < kJan2023 + 86400;
  }
  EXPECT_EQ(response.total(), total);
  ASSERT_EQ(response.top_sources_size(), response.count() > 0 ? 1 : 0);

  // A range with no article still lists its buckets, empty.
  request.mutable_start_time()->set_seconds(kJan2023 - 100 * 86400);
  request.mutable_end_time()->set_seconds(kJan2023 - 90 * 86400);
  status = archive_.Count(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.buckets_size(), 10);
  EXPECT_EQ(response.total(), 0u);
}

TEST_F(CountTest, TopSourcesAreMostMatchesFirstAndLimited) {
  ASSERT_NO_FATAL_FAILURE(StartAndPut(/*replicas=*/1, 200));
  v1::CountArticlesRequest request;
  request.set_query("alpha");
  request.set_source_limit(2);
  v1::CountArticlesResponse response;
  grpc::Status status = archive_.Count(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.top_sources_size(), 2);
  EXPECT_GE(response.top_sources(0).count(), response.top_sources(1).count());
  std::map<std::string, uint64_t> expected;
  absl::StatusOr<SearchQuery> query = ParseSearchQuery("alpha");
  ASSERT_TRUE(query.ok());
  for (const v1::Article& article : corpus_) {
    expected[article.source()] += store::Evaluate(query->root, store::WordsOf(article));
  }
  for (const v1::SourceCount& source : response.top_sources()) {
    EXPECT_EQ(source.count(), expected[source.source()]) << source.source();
  }
}

TEST_F(CountTest, BadRequestsAreInvalidArgumentNamingTheField) {
  ASSERT_NO_FATAL_FAILURE(StartAndPut(/*replicas=*/1, 20));
  auto error = [&](const std::function<void(v1::CountArticlesRequest*)>& change) {
    v1::CountArticlesRequest request;
    change(&request);
    v1::CountArticlesResponse response;
    grpc::Status status = archive_.Count(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << request.ShortDebugString();
    return status.error_message();
  };
  EXPECT_THAT(error([](auto* r) { r->set_query("(alpha"); }),
              HasSubstr("query: unbalanced parenthesis at 1"));
  EXPECT_THAT(error([](auto* r) { r->set_time_zone("Atlantis/Capital"); }),
              HasSubstr("time_zone: \"Atlantis/Capital\""));
  EXPECT_THAT(error([](auto* r) { r->set_interval(static_cast<v1::CountInterval>(7)); }),
              HasSubstr("interval: 7"));
  EXPECT_THAT(error([](auto* r) { r->set_source_limit(-1); }), HasSubstr("source_limit"));
  EXPECT_THAT(error([](auto* r) { r->set_source("no host!"); }), HasSubstr("source"));
  EXPECT_THAT(error([](auto* r) {
                r->mutable_start_time()->set_seconds(100);
                r->mutable_end_time()->set_seconds(50);
              }),
              HasSubstr("start_time: after end_time"));
  EXPECT_THAT(error([](auto* r) {
                r->mutable_start_time()->set_seconds(0);
                r->mutable_end_time()->set_seconds(kJan2023);
              }),
              HasSubstr("interval: more than 10000 buckets"));
}

}  // namespace
}  // namespace archive::query
