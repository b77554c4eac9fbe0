#include "cli/feed_command.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "common/article_rules.h"
#include "common/grpc_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// An ingest server that stores whatever it is sent and keeps every article.
// Thread-safe.
class FakeIngest final : public v1::Ingest::Service {
 public:
  grpc::Status SubmitStream(
      grpc::ServerContext* /*context*/,
      grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream)
      override {
    v1::SubmitRequest request;
    while (stream->Read(&request)) {
      int number;
      {
        absl::MutexLock lock(&mutex_);
        articles_.push_back(request.article());
        number = static_cast<int>(articles_.size());
      }
      v1::SubmitResponse response;
      response.set_id(absl::StrCat("id", number));
      response.set_outcome(v1::OUTCOME_STORED);
      if (!stream->Write(response)) break;
    }
    return grpc::Status::OK;
  }

  std::vector<v1::Article> articles() {
    absl::MutexLock lock(&mutex_);
    return articles_;
  }

  std::vector<std::string> titles() {
    std::vector<std::string> titles;
    for (const v1::Article& article : articles()) titles.push_back(article.title());
    return titles;
  }

 private:
  absl::Mutex mutex_;
  std::vector<v1::Article> articles_ ABSL_GUARDED_BY(mutex_);
};

class FeedCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GrpcServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    // As ingest_server receives.
    server_options.max_receive_message_bytes =
        static_cast<int>(MaxArticleMessageBytes(kDefaultMaxArticleBytes));
    auto server = GrpcServer::Start(server_options, {&ingest_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    options_.ingest_address = absl::StrCat("127.0.0.1:", server_->port());
    options_.source = "example.org";
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
  }

  // A file in the test's temporary directory holding `text`.
  static std::string WriteFile(const std::string& name, const std::string& text) {
    const char* dir = std::getenv("TEST_TMPDIR");
    const std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  int Feed(std::vector<std::string> files) {
    options_.files = std::move(files);
    out_.str("");
    err_.str("");
    return RunFeed(options_, out_, err_);
  }

  FakeIngest ingest_;
  std::unique_ptr<GrpcServer> server_;
  FeedOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
};

std::string JsonArticle(const std::string& title, const std::string& body) {
  return absl::StrCat(R"({"source": "example.org", "title": ")", title,
                      R"(", "body": ")", body,
                      R"(", "publishedAt": "2024-02-03T04:05:06Z"})", "\n");
}

TEST_F(FeedCommandTest, AnArticleOverTheLimitIsReportedAndTheRestSent) {
  const std::string path = WriteFile(
      "oversized.jsonl", JsonArticle("first", "One.") +
                             JsonArticle("second", std::string(3 << 20, 'x')) +
                             JsonArticle("third", "Three."));
  EXPECT_EQ(Feed({path}), 1) << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr(absl::StrCat(path, ":2: article of ",
                                                 (3 << 20) + 6,
                                                 " bytes is over the limit of 1048576\n")));
  EXPECT_THAT(ingest_.titles(), ElementsAre("first", "third"));
  EXPECT_THAT(out_.str(), HasSubstr("3 articles"));
  EXPECT_THAT(out_.str(), HasSubstr("2 stored"));
  EXPECT_THAT(out_.str(), HasSubstr("1 rejected"));
}

TEST_F(FeedCommandTest, AnArticleWhoseOtherFieldsAreHugeIsReportedAndTheRestSent) {
  // Its text is small, but its authors would make a message over ingest's
  // receive limit, which would end the whole stream.
  std::string authors;
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&authors, i == 0 ? "" : ", ", "\"", std::string(500'000, 'a'), "\"");
  }
  const std::string path = WriteFile(
      "huge_authors.jsonl",
      JsonArticle("first", "One.") +
          absl::StrCat(R"({"source": "example.org", "title": "second", "body": "Two.", )",
                       R"("authors": [)", authors, R"(], "publishedAt": "2024-02-03T04:05:06Z"})",
                       "\n") +
          JsonArticle("third", "Three."));
  EXPECT_EQ(Feed({path}), 1);
  EXPECT_THAT(err_.str(), HasSubstr(path + ":2: article with its other fields of "));
  EXPECT_THAT(ingest_.titles(), ElementsAre("first", "third"));
}

TEST_F(FeedCommandTest, MaxArticleBytesSetsTheLimit) {
  options_.max_article_bytes = 100;
  const std::string path = WriteFile(
      "limit.jsonl", JsonArticle("short", "Within.") +
                         JsonArticle("long", std::string(100, 'x')));
  EXPECT_EQ(Feed({path}), 1);
  EXPECT_THAT(err_.str(),
              HasSubstr(path + ":2: article of 104 bytes is over the limit of 100\n"));
  EXPECT_THAT(ingest_.titles(), ElementsAre("short"));
}

TEST_F(FeedCommandTest, ALineTooLongForAnyArticleIsReportedAndReadingGoesOn) {
  options_.max_article_bytes = 1000;
  const std::string path = WriteFile(
      "long_line.jsonl", JsonArticle("first", "One.") +
                             JsonArticle("huge", std::string(100'000, 'x')) +
                             JsonArticle("third", "Three."));
  EXPECT_EQ(Feed({path}), 1);
  EXPECT_THAT(err_.str(),
              HasSubstr(absl::StrCat(path, ":2: line of ", 100'000 + 93,
                                     " bytes is over the limit of ", 6000 + (64 << 10))));
  EXPECT_THAT(ingest_.titles(), ElementsAre("first", "third"));

  const std::string text = WriteFile(
      "long_line.txt", absl::StrCat("First\n\nTT\n\nFirst\n\nBody one.\n\n\n\n",
                                    "Second\n\nTT\n\nSecond\n\n", std::string(5000, 'x'),
                                    "\n\n\n\nThird\n\nTT\n\nThird\n\nBody three.\n"));
  EXPECT_EQ(Feed({text}), 1);
  EXPECT_THAT(err_.str(),
              HasSubstr(text + ":17: line of 5000 bytes is over the limit of 1000\n"));
  EXPECT_THAT(ingest_.titles(), ElementsAre("first", "third", "First", "Third"));
}

TEST_F(FeedCommandTest, AByteOrderMarkIsAcceptedInEveryFormat) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string jsonl = WriteFile("bom.jsonl", bom + JsonArticle("json", "Body."));
  const std::string text =
      WriteFile("bom.txt", bom + "Text headline\n\nTT\n\nText headline\n\nBody.\n");
  for (InputFormat format : {InputFormat::kAuto, InputFormat::kJsonl}) {
    options_.format = format;
    EXPECT_EQ(Feed({jsonl}), 0) << err_.str();
  }
  for (InputFormat format : {InputFormat::kAuto, InputFormat::kText}) {
    options_.format = format;
    EXPECT_EQ(Feed({text}), 0) << err_.str();
  }
  EXPECT_THAT(ingest_.titles(),
              ElementsAre("json", "json", "Text headline", "Text headline"));
}

TEST_F(FeedCommandTest, AnArticleWithoutADateIsSentWithout) {
  const std::string jsonl = WriteFile(
      "undated.jsonl", R"({"title": "undated", "body": "No date here."})" "\n");
  const std::string text = WriteFile(
      "dates.txt",
      "Dated\n\nPhoto, 13 January 2023\nPhoto, 13 January 2023\nTT\n\nDated\n\n"
      "Body.\n\n\n\nUndated\n\nTT\n\nUndated\n\nBody.\n");
  EXPECT_EQ(Feed({jsonl, text}), 0) << err_.str();
  const std::vector<v1::Article> sent = ingest_.articles();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_FALSE(sent[0].has_published_at());
  EXPECT_EQ(sent[0].date_source(), v1::DATE_SOURCE_UNSPECIFIED);
  EXPECT_TRUE(sent[0].has_crawled_at());
  EXPECT_TRUE(sent[1].has_published_at());
  EXPECT_EQ(sent[1].date_source(), v1::DATE_SOURCE_TEXT);
  EXPECT_FALSE(sent[2].has_published_at());
  EXPECT_EQ(sent[2].date_source(), v1::DATE_SOURCE_UNSPECIFIED);
  EXPECT_THAT(err_.str(), Not(HasSubstr("rejected")));
}

}  // namespace
}  // namespace archive::cli
