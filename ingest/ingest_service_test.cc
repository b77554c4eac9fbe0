// archive.v1.Ingest end to end: an IngestService on a real grpc::Server in
// this process, in front of a SubmitPipeline and two real store_server
// processes, each over RocksDB in its own temporary directory, called through
// a real stub.
#include "ingest/ingest_service.h"

#include <signal.h>

#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_server.h"
#include "common/health_client.h"
#include "common/rendezvous.h"
#include "common/testing/article_factory.h"
#include "common/testing/server_process.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/article_preparer.h"
#include "ingest/submit_pipeline.h"
#include "store/store_client.h"

namespace archive::ingest {
namespace {

using ::archive::testing::MakeTempDir;
using ::archive::testing::PickFreePort;
using ::archive::testing::ServerProcess;
using ::testing::HasSubstr;

// Relative to the runfiles root, the working directory of `bazel test`.
constexpr char kStoreServer[] = "store/store_server";
constexpr char kBidenBody[] = "common/testdata/biden_kishida_body.txt";
constexpr char kLeeBody[] = "common/testdata/lee_inauguration_body.txt";
constexpr int64_t kJan2023 = 1'673'568'000;  // 2023-01-13T00:00:00Z
constexpr int64_t kJun2025 = 1'748'995'200;  // 2025-06-04T00:00:00Z
constexpr size_t kMaxArticleBytes = 256 << 10;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The two stories of the seed page (cli/testdata/seed_page.txt) as
// `archivectl feed --source=aawsat.com` sends them: headline, caption, body,
// and the date the parser takes from the caption.
std::vector<v1::Article> SeedArticles() {
  v1::Article biden;
  biden.set_source("aawsat.com");
  biden.set_title("Biden and Kishida Discuss Japan \u2018Stepping up\u2019 Security");
  biden.add_captions(
      "US President Joe Biden (R) and Prime Minister of Japan Fumio Kishida "
      "shake hands during their meeting inside the Oval Office of the White "
      "House in Washington, DC, US 13 January 2023. (EPA)");
  biden.set_body(ReadFile(kBidenBody));
  biden.mutable_published_at()->set_seconds(kJan2023);

  v1::Article lee;
  lee.set_source("aawsat.com");
  lee.set_title(
      "South Korea\u2019s New President Lee Vows to Revive Democracy from "
      "\u2018Near Demise\u2019");
  lee.add_captions(
      "South Korean new President Lee Jae-myung and his wife Kim Hea Kyung "
      "leave after attending the presidential inauguration at the National "
      "Assembly in Seoul, South Korea, Wednesday, June 4, 2025. (AP)");
  lee.set_body(ReadFile(kLeeBody));
  lee.mutable_published_at()->set_seconds(kJun2025);
  return {biden, lee};
}

// A distinct story of about `words` pseudo-words (some 2 KB at 300): random
// words from a large vocabulary, so two of them share no shingles.
v1::Article GeneratedArticle(int n, int words = 300) {
  const std::string body = archive::testing::GeneratedBody(n, words);
  v1::Article article;
  article.set_source("generated.example");
  article.set_url(absl::StrCat("https://generated.example/story/", n));
  article.set_title(absl::StrCat("Generated story ", n));
  article.set_body(body);
  article.mutable_published_at()->set_seconds(kJan2023 + n);
  return article;
}

// The id ingest gives `article`.
std::string IdOf(const v1::Article& article) {
  auto prepared = PrepareArticle(article, absl::Now(), PreparerOptions());
  EXPECT_TRUE(prepared.ok()) << prepared.status();
  return prepared.ok() ? prepared->article.id() : "";
}

// Waits until the store at `address` serves. Each try is short and on a new
// channel: a channel whose first connection was refused (the process was
// still opening its database) would wait out gRPC's reconnect backoff.
absl::Status WaitForStore(const std::string& address) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  absl::Status serving;
  do {
    serving = WaitUntilServing(address, absl::Milliseconds(200));
  } while (!serving.ok() && absl::Now() < give_up);
  return serving;
}

// One store_server process, on a free loopback port.
struct StoreProcess {
  std::unique_ptr<ServerProcess> process;
  std::string address;
  std::unique_ptr<store::StoreClient> client;
};

// Starts a store_server over `db` and waits until it serves. A port picked
// free may be taken before the server binds it (by a test running beside this
// one); the server then exits, whoever answers on the port is not it, and
// another port is tried.
absl::Status StartStore(const std::string& db, const std::string& log,
                        StoreProcess* store) {
  absl::Status status;
  for (int attempt = 0; attempt < 3; ++attempt) {
    store->address = absl::StrCat("127.0.0.1:", PickFreePort());
    auto process = ServerProcess::Start(
        kStoreServer, {"--listen=" + store->address, "--db=" + db, "--workers=4"},
        log);
    if (!process.ok()) return process.status();
    store->process = *std::move(process);
    status = WaitForStore(store->address);
    if (status.ok() && !store->process->Wait(absl::ZeroDuration()).ok()) {
      store->client = store::StoreClient::Connect(store->address);
      return absl::OkStatus();
    }
    if (status.ok()) status = absl::AbortedError("the store exited: port taken?");
  }
  return absl::UnavailableError(absl::StrCat(status.ToString(), "\n",
                                             store->process->Log()));
}

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = MakeTempDir("ingest_service");
    std::vector<store::StoreEndpoint> endpoints;
    for (int i = 0; i < 2; ++i) {
      StoreProcess& store = stores_[i];
      absl::Status started = StartStore(absl::StrCat(dir, "/db", i),
                                        absl::StrCat(dir, "/store", i, ".log"), &store);
      ASSERT_TRUE(started.ok()) << started;
      store_names_.push_back(store.address);
      endpoints.push_back({store.address, store::StoreClient::Connect(store.address)});
    }
    pipeline_ = std::make_unique<SubmitPipeline>(std::move(endpoints), Options());
    IngestServiceOptions service_options;
    service_options.preparer.max_article_bytes = kMaxArticleBytes;
    service_ = std::make_unique<IngestService>(pipeline_.get(), service_options);
    GrpcServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.service_names = {v1::Ingest::service_full_name()};
    options.max_receive_message_bytes = 4 << 20;
    auto server = GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(8 << 20);
    stub_ = v1::Ingest::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()),
        grpc::InsecureChannelCredentials(), args));
  }

  virtual PipelineOptions Options() const { return PipelineOptions(); }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
    pipeline_.reset();
    // ServerProcess's destructor kills what still runs.
  }

  grpc::Status Submit(const v1::Article& article, v1::SubmitResponse* response,
                      absl::Duration timeout = absl::Seconds(30)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    v1::SubmitRequest request;
    *request.mutable_article() = article;
    return stub_->Submit(&context, request, response);
  }

  // Sends `articles` on one SubmitStream while reading the responses, as a
  // crawler does; returns the responses and sets `*status` to the stream's.
  std::vector<v1::SubmitResponse> SubmitStream(const std::vector<v1::Article>& articles,
                                               grpc::Status* status) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    auto stream = stub_->SubmitStream(&context);
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
    *status = stream->Finish();
    return responses;
  }

  // The store rendezvous hashing picks for `id`, and the other one.
  StoreProcess& Home(const std::string& id) {
    return stores_[PickStore(id, store_names_)];
  }
  StoreProcess& Away(const std::string& id) {
    return stores_[1 - PickStore(id, store_names_)];
  }

  uint64_t ArticleCount(const StoreProcess& store) {
    auto stats = store.client->Stats(v1::StatsRequest(), Soon());
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? stats->article_count() : 0;
  }

  StoreProcess stores_[2];
  std::vector<std::string> store_names_;
  std::unique_ptr<SubmitPipeline> pipeline_;
  std::unique_ptr<IngestService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Ingest::Stub> stub_;
};

TEST_F(IngestServiceTest, SeedArticlesAreStoredOnceInTheirStore) {
  const std::vector<v1::Article> seeds = SeedArticles();
  ASSERT_EQ(seeds.size(), 2u);

  std::vector<std::string> ids;
  for (const v1::Article& seed : seeds) {
    v1::SubmitResponse response;
    grpc::Status status = Submit(seed, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.outcome(), v1::OUTCOME_STORED) << seed.title();
    EXPECT_TRUE(response.duplicate_of().empty());
    ASSERT_EQ(response.id().size(), 32u);
    ids.push_back(response.id());
  }
  EXPECT_NE(ids[0], ids[1]);

  for (size_t i = 0; i < seeds.size(); ++i) {
    v1::SubmitResponse response;
    grpc::Status status = Submit(seeds[i], &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE);
    EXPECT_EQ(response.id(), ids[i]);
    EXPECT_EQ(response.duplicate_of(), ids[i]);
  }

  for (size_t i = 0; i < seeds.size(); ++i) {
    auto stored = Home(ids[i]).client->Get(ids[i], Soon());
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->title(), seeds[i].title());
    EXPECT_EQ(stored->source(), "aawsat.com");
    // The two stories are different, not near duplicates of each other.
    EXPECT_TRUE(stored->near_duplicate_of().empty());
    EXPECT_EQ(Away(ids[i]).client->Get(ids[i], Soon()).status().code(),
              absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(ArticleCount(stores_[0]) + ArticleCount(stores_[1]), 2u);
}

TEST_F(IngestServiceTest, InvisibleDifferencesAreADuplicateWithASighting) {
  const v1::Article biden = SeedArticles().at(0);
  v1::SubmitResponse original;
  ASSERT_TRUE(Submit(biden, &original).ok());
  ASSERT_EQ(original.outcome(), v1::OUTCOME_STORED);

  v1::Article copy = biden;
  std::string body;
  for (char c : biden.body()) {
    if (c == '\n') {
      body += "  \r\n";  // trailing spaces and CRLF
    } else if (c == ' ') {
      body += "\xc2\xa0";  // no-break space
    } else {
      body += c;
    }
  }
  copy.set_body(body + " \r\n\r\n\r\n");
  copy.set_title(biden.title() + "\xc2\xa0 ");
  copy.set_source("mirror.example");
  copy.set_url("https://mirror.example/world/biden-kishida");
  copy.mutable_crawled_at()->set_seconds(kJan2023 + 86400);

  v1::SubmitResponse response;
  grpc::Status status = Submit(copy, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(response.id(), original.id());
  EXPECT_EQ(response.duplicate_of(), original.id());

  auto stored = Home(original.id()).client->Get(original.id(), Soon());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->source(), "aawsat.com");
  ASSERT_GE(stored->sightings_size(), 1);
  const v1::Sighting& sighting =
      stored->sightings(stored->sightings_size() - 1);
  EXPECT_EQ(sighting.source(), "mirror.example");
  EXPECT_EQ(sighting.url(), "https://mirror.example/world/biden-kishida");
  EXPECT_EQ(sighting.crawled_at().seconds(), kJan2023 + 86400);
  EXPECT_EQ(ArticleCount(stores_[0]) + ArticleCount(stores_[1]), 1u);
}

TEST_F(IngestServiceTest, ARepublishedWireStoryIsANearDuplicate) {
  const std::vector<v1::Article> seeds = SeedArticles();
  ASSERT_EQ(seeds.size(), 2u);
  std::vector<std::string> ids;
  for (const v1::Article& seed : seeds) {
    v1::SubmitResponse response;
    ASSERT_TRUE(Submit(seed, &response).ok());
    ASSERT_EQ(response.outcome(), v1::OUTCOME_STORED);
    ids.push_back(response.id());
  }

  v1::Article wire = seeds[0];
  wire.set_source("wire.example");
  wire.set_url("https://wire.example/ap/biden-kishida-talks");
  wire.set_title("Biden hosts Kishida as Japan boosts its military");
  wire.set_body("WASHINGTON (AP) \u2014 " + seeds[0].body() +
                "\n\nReporting by Aamer Madhani and Mari Yamaguchi; editing "
                "by the Associated Press.");

  v1::SubmitResponse response;
  grpc::Status status = Submit(wire, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.outcome(), v1::OUTCOME_NEAR_DUPLICATE);
  EXPECT_EQ(response.duplicate_of(), ids[0]);
  EXPECT_NE(response.id(), ids[0]);

  auto stored = Home(response.id()).client->Get(response.id(), Soon());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->near_duplicate_of(), ids[0]);
  EXPECT_EQ(stored->source(), "wire.example");
  EXPECT_EQ(ArticleCount(stores_[0]) + ArticleCount(stores_[1]), 3u);
}

TEST_F(IngestServiceTest, EachRuleViolationIsInvalidArgumentNamingTheField) {
  const v1::Article good = SeedArticles().at(0);
  v1::SubmitResponse first;
  ASSERT_TRUE(Submit(good, &first).ok());
  const uint64_t counts[2] = {ArticleCount(stores_[0]), ArticleCount(stores_[1])};

  struct Case {
    std::string name;
    v1::Article article;
    std::vector<std::string> message_parts;
  };
  std::vector<Case> cases;
  auto add = [&](std::string name, std::vector<std::string> parts, auto change) {
    v1::Article article = GeneratedArticle(static_cast<int>(cases.size()) + 1000);
    change(&article);
    cases.push_back({std::move(name), std::move(article), std::move(parts)});
  };
  add("no source", {"article.source"}, [](v1::Article* a) { a->clear_source(); });
  add("source not a host", {"article.source"},
      [](v1::Article* a) { a->set_source("not a host/name"); });
  add("blank body", {"article.body"}, [](v1::Article* a) { a->set_body(" \n\u00a0\n "); });
  add("title too long", {"article.title"},
      [](v1::Article* a) { a->set_title(std::string(1001, 'x')); });
  add("url not http", {"article.url"},
      [](v1::Article* a) { a->set_url("ftp://generated.example/x"); });
  add("url not a url", {"article.url"}, [](v1::Article* a) { a->set_url("no url"); });
  add("unknown date_source", {"article.date_source"},
      [](v1::Article* a) { a->set_date_source(static_cast<v1::DateSource>(42)); });
  add("source with a NUL", {"article.source"},
      [](v1::Article* a) { a->set_source(std::string("example.com\0evil", 16)); });
  add("published_at too early", {"article.published_at"},
      [](v1::Article* a) { a->mutable_published_at()->set_seconds(473'385'600); });
  add("published_at in the future", {"article.published_at"}, [](v1::Article* a) {
    a->mutable_published_at()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                           30 * 86400);
  });
  add("body over the limit", {"article.body", "limit"}, [](v1::Article* a) {
    a->set_body(std::string(kMaxArticleBytes + 1, 'y'));
  });
  add("invalid UTF-8 in the body", {"article.body", "UTF-8"},
      [](v1::Article* a) { a->set_body("Caf\xc3 ok"); });
  add("invalid UTF-8 in the title", {"article.title", "UTF-8"},
      [](v1::Article* a) { a->set_title("Bad \xff title"); });
  add("language not BCP 47", {"article.language"},
      [](v1::Article* a) { a->set_language("english!"); });
  add("id of other content", {"article.id"},
      [](v1::Article* a) { a->set_id("0123456789abcdef0123456789abcdef"); });

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::SubmitResponse response;
    grpc::Status status = Submit(c.article, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    for (const std::string& part : c.message_parts) {
      EXPECT_THAT(status.error_message(), HasSubstr(part));
    }
  }
  EXPECT_EQ(ArticleCount(stores_[0]), counts[0]);
  EXPECT_EQ(ArticleCount(stores_[1]), counts[1]);
}

TEST_F(IngestServiceTest, AStreamRejectsBadArticlesAndGoesOn) {
  std::vector<v1::Article> articles;
  std::vector<std::string> expected_error;  // empty for a good article
  for (int i = 0; i < 12; ++i) {
    v1::Article article = GeneratedArticle(2000 + i);
    std::string error;
    switch (i % 4) {
      case 1:
        article.clear_source();
        error = "article.source";
        break;
      case 2:
        if (i == 6) {
          article.set_body("bad \xe2\x82 bytes");
          error = "article.body";
        } else {
          article.mutable_published_at()->set_seconds(473'385'600);
          error = "article.published_at";
        }
        break;
      default:
        break;
    }
    articles.push_back(article);
    expected_error.push_back(error);
  }

  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = SubmitStream(articles, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), articles.size());
  int stored = 0;
  for (size_t i = 0; i < responses.size(); ++i) {
    SCOPED_TRACE(i);
    if (expected_error[i].empty()) {
      EXPECT_EQ(responses[i].outcome(), v1::OUTCOME_STORED);
      EXPECT_EQ(responses[i].id(), IdOf(articles[i]));  // in request order
      EXPECT_TRUE(responses[i].error().empty());
      EXPECT_TRUE(Home(responses[i].id()).client->Get(responses[i].id(), Soon()).ok());
      ++stored;
    } else {
      EXPECT_EQ(responses[i].outcome(), v1::OUTCOME_REJECTED);
      EXPECT_THAT(responses[i].error(), HasSubstr(expected_error[i]));
      EXPECT_TRUE(responses[i].id().empty());
    }
  }
  EXPECT_EQ(stored, 6);
  EXPECT_EQ(ArticleCount(stores_[0]) + ArticleCount(stores_[1]), 6u);
}

TEST_F(IngestServiceTest, NearDuplicatesInOneStreamFindEachOther) {
  // Several pairs, each sent back to back: the second of a pair is looked up
  // while the first is still on its way to its store.
  std::vector<v1::Article> articles;
  for (int pair = 0; pair < 8; ++pair) {
    v1::Article first = GeneratedArticle(3000 + pair, 400);
    v1::Article second = first;
    second.set_title(first.title() + " (corrected)");
    second.set_url(first.url() + "?v=2");
    second.set_body("UPDATED \u2014 " + first.body() + "\n\nCredit: Generated Wire.");
    articles.push_back(first);
    articles.push_back(second);
  }

  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = SubmitStream(articles, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), articles.size());
  for (size_t i = 0; i < responses.size(); i += 2) {
    SCOPED_TRACE(i);
    EXPECT_EQ(responses[i].outcome(), v1::OUTCOME_STORED);
    EXPECT_EQ(responses[i + 1].outcome(), v1::OUTCOME_NEAR_DUPLICATE);
    EXPECT_EQ(responses[i + 1].duplicate_of(), responses[i].id());
    auto stored = Home(responses[i + 1].id()).client->Get(responses[i + 1].id(), Soon());
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->near_duplicate_of(), responses[i].id());
  }
}

TEST_F(IngestServiceTest, ALongStreamIsStoredInOrderAcrossBothStores) {
  constexpr int kArticles = 2000;
  std::vector<v1::Article> articles;
  articles.reserve(kArticles);
  for (int i = 0; i < kArticles; ++i) articles.push_back(GeneratedArticle(10000 + i));

  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = SubmitStream(articles, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), articles.size());
  int in_order = 0;
  int stored = 0;
  for (int i = 0; i < kArticles; ++i) {
    const bool is_stored = responses[i].outcome() == v1::OUTCOME_STORED;
    if (!is_stored && i - stored < 5) {  // the first few, if any
      ADD_FAILURE() << "article " << i << ": " << responses[i].ShortDebugString();
    }
    stored += is_stored;
    in_order += responses[i].id() == IdOf(articles[i]);
  }
  EXPECT_EQ(stored, kArticles);
  EXPECT_EQ(in_order, kArticles);
  const uint64_t first = ArticleCount(stores_[0]);
  const uint64_t second = ArticleCount(stores_[1]);
  EXPECT_EQ(first + second, static_cast<uint64_t>(kArticles));
  EXPECT_GT(first, 0u);
  EXPECT_GT(second, 0u);
}

// An article that rendezvous hashing sends to store `store`.
v1::Article ArticleFor(size_t store, const std::vector<std::string>& store_names,
                       int first_n) {
  for (int n = first_n;; ++n) {
    v1::Article article = GeneratedArticle(n);
    if (PickStore(IdOf(article), store_names) == store) return article;
  }
}

TEST_F(IngestServiceTest, AStoppedStoreEndsASubmitWithinItsDeadline) {
  stores_[1].process->Signal(SIGTERM);
  auto code = stores_[1].process->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  const v1::Article article = ArticleFor(1, store_names_, 4000);

  const absl::Duration timeout = absl::Milliseconds(1500);
  const absl::Time start = absl::Now();
  v1::SubmitResponse response;
  grpc::Status status = Submit(article, &response, timeout);
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
              status.error_code() == grpc::StatusCode::UNAVAILABLE)
      << status.error_code() << ": " << status.error_message();
  EXPECT_NE(response.outcome(), v1::OUTCOME_STORED);
  EXPECT_LT(took, timeout + absl::Seconds(1));
  EXPECT_EQ(stores_[0].client->Get(IdOf(article), Soon()).status().code(),
            absl::StatusCode::kNotFound);

  // The store that is up still takes its own articles meanwhile.
  grpc::Status fine =
      Submit(ArticleFor(0, store_names_, 5000), &response, absl::Seconds(5));
  ASSERT_TRUE(fine.ok()) << fine.error_message();
  EXPECT_EQ(response.outcome(), v1::OUTCOME_STORED);
}

TEST_F(IngestServiceTest, AHungStoreEndsASubmitWithinItsDeadline) {
  // A stopped process keeps its connections open but never answers.
  stores_[1].process->Signal(SIGSTOP);
  const v1::Article article = ArticleFor(1, store_names_, 6000);

  const absl::Duration timeout = absl::Milliseconds(1500);
  const absl::Time start = absl::Now();
  v1::SubmitResponse response;
  grpc::Status status = Submit(article, &response, timeout);
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
              status.error_code() == grpc::StatusCode::UNAVAILABLE)
      << status.error_code() << ": " << status.error_message();
  EXPECT_NE(response.outcome(), v1::OUTCOME_STORED);
  EXPECT_LT(took, timeout + absl::Seconds(1));

  stores_[1].process->Signal(SIGCONT);
  // Whatever the store did with the article once it woke up, it never holds
  // it twice, and the live store never had it.
  EXPECT_EQ(stores_[0].client->Get(IdOf(article), Soon()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(IngestServiceTest, ASubmitAfterTheGateClosesIsRefusedAndStoresNothing) {
  service_->admission_gate()->Close();
  const v1::Article unary = ArticleFor(0, store_names_, 6000);
  v1::SubmitResponse response;
  const grpc::Status refused = Submit(unary, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(refused.error_message(), "server is shutting down");

  grpc::Status stream_status;
  const std::vector<v1::SubmitResponse> streamed =
      SubmitStream({ArticleFor(0, store_names_, 6001), ArticleFor(1, store_names_, 6002)},
                   &stream_status);
  EXPECT_TRUE(streamed.empty());
  EXPECT_EQ(stream_status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(stream_status.error_message(), "server is shutting down");
  EXPECT_EQ(ArticleCount(stores_[0]), 0u);
  EXPECT_EQ(ArticleCount(stores_[1]), 0u);
}

// The same two stores, each article on both.
class ReplicatedIngestServiceTest : public IngestServiceTest {
 protected:
  PipelineOptions Options() const override {
    PipelineOptions options;
    options.replicas = 2;
    return options;
  }
};

TEST_F(ReplicatedIngestServiceTest, CopiesOfOneArticleSubmittedAtOnceAgreeOnItsArrivals) {
  // Eight crawlers send the same article from eight pages at once: one is
  // STORED, and both stores keep the same first arrival and sightings,
  // whatever order their Puts reached them in.
  constexpr int kCrawlers = 8;
  for (int round = 0; round < 10; ++round) {
    const v1::Article article = GeneratedArticle(20000 + round);
    std::vector<v1::SubmitResponse> responses(kCrawlers);
    std::vector<grpc::Status> statuses(kCrawlers);
    std::vector<std::thread> crawlers;
    for (int c = 0; c < kCrawlers; ++c) {
      crawlers.emplace_back([&, c] {
        v1::Article arrival = article;
        arrival.set_url(absl::StrCat("https://example.com/", round, "/", c));
        arrival.mutable_crawled_at()->set_seconds(kJan2023 + 86400 + c);
        statuses[c] = Submit(arrival, &responses[c]);
      });
    }
    for (std::thread& crawler : crawlers) crawler.join();
    int stored = 0;
    for (int c = 0; c < kCrawlers; ++c) {
      ASSERT_TRUE(statuses[c].ok()) << statuses[c].error_message();
      EXPECT_EQ(responses[c].id(), IdOf(article));
      stored += responses[c].outcome() == v1::OUTCOME_STORED;
    }
    EXPECT_EQ(stored, 1) << "round " << round;
    auto first = stores_[0].client->Get(IdOf(article), Soon());
    auto second = stores_[1].client->Get(IdOf(article), Soon());
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(first->url(), second->url()) << "round " << round;
    EXPECT_EQ(first->crawled_at().seconds(), second->crawled_at().seconds());
    EXPECT_EQ(first->sightings_size(), kCrawlers - 1);
    EXPECT_EQ(second->sightings_size(), kCrawlers - 1);
  }
}

}  // namespace
}  // namespace archive::ingest
