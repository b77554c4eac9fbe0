// archive.v1.Store through a real grpc::Server on a loopback port, over a
// real RocksDB in a temporary directory.
#include "store/store_service.h"

#include <cmath>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_server.h"
#include "common/health_client.h"
#include "common/testing/article_factory.h"
#include "common/testing/server_process.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/store_client.h"

namespace archive::store {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

class StoreServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ArticleDb::Open(archive::testing::MakeTempDir("store_service"),
                              ArticleDbOptions());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    workers_ = std::make_unique<ThreadPool>(4, 64);
    service_ = std::make_unique<StoreService>(db_.get(), workers_.get());
    GrpcServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.service_names = {v1::Store::service_full_name()};
    options.max_receive_message_bytes = 1 << 20;
    auto server = GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    address_ = "127.0.0.1:" + std::to_string(server_->port());
    client_ = StoreClient::Connect(address_);
  }

  void TearDown() override {
    server_->Shutdown(absl::Seconds(1));
    workers_.reset();
  }

  v1::PutRequest Request(std::initializer_list<v1::Article> articles) {
    v1::PutRequest request;
    for (const v1::Article& a : articles) *request.add_items()->mutable_article() = a;
    return request;
  }

  std::unique_ptr<ArticleDb> db_;
  std::unique_ptr<ThreadPool> workers_;
  std::unique_ptr<StoreService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::string address_;
  std::unique_ptr<StoreClient> client_;
};

TEST_F(StoreServiceTest, PutGetScanStats) {
  v1::Article a = MakeArticle("aawsat.com", "First", "Body one", kJan2023);
  v1::Article b = MakeArticle("aawsat.com", "Second", "Body two", kJan2023 + 60);
  v1::Article a_again = a;
  a_again.set_source("mirror.net");
  auto put = client_->Put(Request({a, b, a_again}), Soon());
  ASSERT_TRUE(put.ok()) << put.status();
  ASSERT_EQ(put->results_size(), 3);
  EXPECT_EQ(put->results(0).outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ(put->results(1).outcome(), v1::OUTCOME_STORED);
  EXPECT_EQ(put->results(2).outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(put->results(2).duplicate_of(), a.id());

  auto got = client_->Get(b.id(), Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->title(), "Second");

  v1::ScanRequest scan;
  scan.set_source("aawsat.com");
  auto page = client_->Scan(scan, Soon());
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->articles_size(), 2);
  EXPECT_EQ(page->articles(0).id(), b.id());  // newest first
  EXPECT_TRUE(page->next_page_token().empty());

  auto stats = client_->Stats(v1::StatsRequest(), Soon());
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->article_count(), 2u);
  ASSERT_EQ(stats->sources_size(), 1);
  EXPECT_EQ(stats->sources(0).source(), "aawsat.com");
}

TEST_F(StoreServiceTest, SearchRanksWithTheStatisticsStatsReports) {
  v1::Article summit =
      MakeArticle("aawsat.com", "Summit in Riyadh",
                  "Leaders met in Riyadh on Sunday.", kJan2023);
  v1::Article markets =
      MakeArticle("aawsat.com", "Markets", "Oil prices rose in Riyadh trading.",
                  kJan2023 + 60);
  v1::Article other = MakeArticle("aawsat.com", "Weather", "Rain.", kJan2023);
  ASSERT_TRUE(client_->Put(Request({summit, markets, other}), Soon()).ok());

  v1::StatsRequest stats_request;
  stats_request.add_terms("riyadh");
  stats_request.add_terms("summit");
  auto stats = client_->Stats(stats_request, Soon());
  ASSERT_TRUE(stats.ok()) << stats.status();
  const v1::TermStatistics& terms = stats->term_statistics();
  EXPECT_EQ(terms.document_count(), 3u);
  EXPECT_EQ(terms.document_frequency().at("riyadh"), 2u);
  EXPECT_EQ(terms.document_frequency().at("summit"), 1u);

  auto stub = v1::Store::NewStub(
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  v1::SearchRequest request;
  request.add_terms("riyadh");
  *request.mutable_global() = terms;
  request.set_limit(1);
  v1::SearchResponse first;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    grpc::Status status = stub->Search(&context, request, &first);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(first.hits_size(), 1);
  EXPECT_EQ(first.hits(0).article().id(), summit.id());  // twice in 9 terms
  EXPECT_GT(first.hits(0).score(), 0);
  EXPECT_TRUE(first.has_more());

  v1::SearchCursor* after = request.mutable_after();
  after->set_score(first.hits(0).score());
  *after->mutable_published_at() = first.hits(0).article().published_at();
  after->set_id(first.hits(0).article().id());
  v1::SearchResponse second;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(Soon()));
    ASSERT_TRUE(stub->Search(&context, request, &second).ok());
  }
  ASSERT_EQ(second.hits_size(), 1);
  EXPECT_EQ(second.hits(0).article().id(), markets.id());
  EXPECT_FALSE(second.has_more());

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(Soon()));
  v1::SearchResponse response;
  grpc::Status status = stub->Search(&context, v1::SearchRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("terms"), std::string::npos);
}

TEST_F(StoreServiceTest, ErrorsCarryTheirCodeAndField) {
  v1::Article bad = MakeArticle("aawsat.com", "T", "B", kJan2023);
  bad.set_body("tampered");
  auto put = client_->Put(Request({bad}), Soon());
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(put.status().message().find("items[0].article.content_digest"),
            std::string::npos);

  EXPECT_EQ(client_->Get("0123456789abcdef0123456789abcdef", Soon()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->Get("xyz", Soon()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreServiceTest, TooManyItemsIsInvalidArgument) {
  v1::PutRequest request;
  for (int i = 0; i <= StoreService::kMaxPutItems; ++i) {
    *request.add_items()->mutable_article() =
        MakeArticle("a.com", "T", std::to_string(i), kJan2023);
  }
  // Fits the 1 MiB message limit of this test server? Each item is small.
  auto put = client_->Put(request, Soon());
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(put.status().message().find("items"), std::string::npos);
}

TEST_F(StoreServiceTest, MalformedRequestsOfEveryReadAreInvalidArgumentNamingTheField) {
  ASSERT_TRUE(client_->Put(Request({MakeArticle("a.com", "T", "B", kJan2023)}), Soon()).ok());
  auto expect_refused = [](const absl::Status& status, const std::string& field) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field << ": " << status;
    EXPECT_EQ(status.message().substr(0, field.size()), field) << status;
  };

  v1::VerifyRequest verify;
  verify.set_page_token("not a token");
  expect_refused(client_->Verify(verify, Soon()).status(), "page_token");

  v1::FindSimilarRequest similar;
  similar.add_queries()->set_id(std::string(32, 'a'));
  similar.set_min_resemblance(std::nan(""));
  expect_refused(client_->FindSimilar(similar, Soon()).status(), "min_resemblance");
  similar.set_min_resemblance(1.5);
  expect_refused(client_->FindSimilar(similar, Soon()).status(), "min_resemblance");
  similar.set_min_resemblance(0.8);
  similar.set_limit(-1);
  expect_refused(client_->FindSimilar(similar, Soon()).status(), "limit");
  similar.set_limit(10);
  EXPECT_TRUE(client_->FindSimilar(similar, Soon()).ok());
  for (int i = 0; i < StoreService::kMaxSimilarQueries; ++i) {
    similar.add_queries()->set_id(std::string(32, 'b'));
  }
  expect_refused(client_->FindSimilar(similar, Soon()).status(), "queries");

  v1::StatsRequest stats;
  for (int i = 0; i <= StoreService::kMaxStatsTerms; ++i) {
    stats.add_terms(absl::StrCat("term", i));
  }
  expect_refused(client_->Stats(stats, Soon()).status(), "terms");
  stats.mutable_terms()->DeleteSubrange(0, 1);
  EXPECT_TRUE(client_->Stats(stats, Soon()).ok());
}

TEST_F(StoreServiceTest, DeleteRemovesACopyAndRefusesTooManyIds) {
  v1::Article a = MakeArticle("aawsat.com", "First", "Body one", kJan2023);
  v1::Article b = MakeArticle("aawsat.com", "Second", "Body two", kJan2023 + 60);
  ASSERT_TRUE(client_->Put(Request({a, b}), Soon()).ok());
  v1::DeleteRequest request;
  request.add_ids(a.id());
  auto deleted = client_->Delete(request, Soon());
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->deleted(), 1u);
  EXPECT_EQ(client_->Get(a.id(), Soon()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(client_->Get(b.id(), Soon()).ok());
  deleted = client_->Delete(request, Soon());  // again: nothing held
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->deleted(), 0u);

  v1::DeleteRequest too_many;
  for (int i = 0; i <= StoreService::kMaxDeleteIds; ++i) too_many.add_ids(b.id());
  deleted = client_->Delete(too_many, Soon());
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(deleted.status().message().find("ids"), std::string::npos);
  EXPECT_TRUE(client_->Get(b.id(), Soon()).ok());
}

TEST_F(StoreServiceTest, OversizeMessageIsResourceExhaustedAndServingGoesOn) {
  v1::Article huge = MakeArticle("a.com", "T", std::string(2 << 20, 'x'), kJan2023);
  auto put = client_->Put(Request({huge}), Soon());
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kResourceExhausted);
  v1::Article small = MakeArticle("a.com", "T", "fine", kJan2023);
  EXPECT_TRUE(client_->Put(Request({small}), Soon()).ok());
}

TEST_F(StoreServiceTest, HealthIsServingThenNotServingOnShutdown) {
  auto channel = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  auto whole = CheckHealth(channel, "", Soon());
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(*whole, ServingStatus::kServing);
  auto store = CheckHealth(channel, "archive.v1.Store", Soon());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*store, ServingStatus::kServing);
}

TEST_F(StoreServiceTest, AnExpiredDeadlineIsNotServed) {
  v1::Article article = MakeArticle("a.com", "T", "late", kJan2023);
  auto put = client_->Put(Request({article}), absl::Now() - absl::Seconds(1));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(db_->Get(article.id()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(StoreServiceTest, ACallAfterTheGateClosesIsRefusedAndStoresNothing) {
  v1::Article stored = MakeArticle("a.com", "T", "before", kJan2023);
  ASSERT_TRUE(client_->Put(Request({stored}), Soon()).ok());
  service_->admission_gate()->Close();

  v1::Article late = MakeArticle("a.com", "T", "after", kJan2023);
  auto put = client_->Put(Request({late}), Soon());
  EXPECT_EQ(put.status(), absl::UnavailableError("server is shutting down"));
  // A Get the memory could answer is refused too, before that is tried.
  EXPECT_EQ(client_->Get(stored.id(), Soon()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->Stats(v1::StatsRequest(), Soon()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(db_->Get(late.id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(db_->Get(stored.id()).ok());
}

}  // namespace
}  // namespace archive::store
