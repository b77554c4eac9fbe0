// archivectl export against a real pipeline: a store_server, an
// ingest_server and a query_server as processes on free loopback ports,
// fed through archive.v1.Ingest, exported in-process by RunExport.
#include "cli/export_command.h"

#include <signal.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "archive/v1/query.grpc.pb.h"
#include "cli/gzip_for_test.h"
#include "cli/warc_digest.h"
#include "cli/warc_writer.h"
#include "common/health_client.h"
#include "common/proto_time.h"
#include "common/testing/server_process.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::archive::testing::MakeTempDir;
using ::archive::testing::PickFreePort;
using ::archive::testing::ServerProcess;

constexpr int kArticles = 7;
constexpr int kPageSize = 3;
constexpr int64_t kJan2023 = 1'673'568'000;  // 2023-01-13T00:00:00Z

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One WARC record as a test reads it back, independently of WarcWriter.
struct ReadRecord {
  std::map<std::string, std::string> fields;
  std::string block;
};

// Parses concatenated WARC/1.1 records; fails the test on a malformed one.
std::vector<ReadRecord> ParseWarc(const std::string& bytes) {
  std::vector<ReadRecord> records;
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t header_end = bytes.find("\r\n\r\n", at);
    EXPECT_NE(header_end, std::string::npos) << "at byte " << at;
    if (header_end == std::string::npos) break;
    std::vector<std::string> lines =
        absl::StrSplit(bytes.substr(at, header_end - at), "\r\n");
    EXPECT_EQ(lines[0], "WARC/1.1") << "at byte " << at;
    ReadRecord record;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(": ");
      EXPECT_NE(colon, std::string::npos) << lines[i];
      EXPECT_EQ(record.fields.count(lines[i].substr(0, colon)), 0u) << lines[i];
      record.fields[lines[i].substr(0, colon)] = lines[i].substr(colon + 2);
    }
    size_t length = 0;
    EXPECT_TRUE(absl::SimpleAtoi(record.fields["Content-Length"], &length));
    record.block = bytes.substr(header_end + 4, length);
    at = header_end + 4 + length;
    EXPECT_EQ(bytes.substr(at, 4), "\r\n\r\n") << "after the block at byte " << at;
    at += 4;
    records.push_back(std::move(record));
  }
  return records;
}

// Inflates a file of gzip members; counts them.
std::string Gunzip(const std::string& bytes, int* members) {
  bool complete = false;
  const std::vector<std::string> parts = GunzipMembersForTest(bytes, &complete);
  EXPECT_TRUE(complete);
  *members = static_cast<int>(parts.size());
  return absl::StrJoin(parts, "");
}

struct Server {
  std::string address;
  std::unique_ptr<ServerProcess> process;
};

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("export");
    ASSERT_NO_FATAL_FAILURE(Start(&store_, "store/store_server",
                                  {absl::StrCat("--db=", dir_, "/db"), "--sync=false",
                                   "--workers=2", "--block_cache_mb=16"},
                                  "store"));
    ASSERT_NO_FATAL_FAILURE(
        Start(&ingest_, "ingest/ingest_server", {"--stores=" + store_.address}, "ingest"));
    ASSERT_NO_FATAL_FAILURE(StartQuery());
    ASSERT_NO_FATAL_FAILURE(Feed());
    read_.query_address = query_.address;
    read_.timeout = absl::Seconds(10);
  }

  void Start(Server* server, const std::string& binary, std::vector<std::string> args,
             const std::string& name) {
    server->address = absl::StrCat("127.0.0.1:", PickFreePort());
    args.insert(args.begin(), "--listen=" + server->address);
    auto process = ServerProcess::Start(binary, args, absl::StrCat(dir_, "/", name, ".log"));
    ASSERT_TRUE(process.ok()) << process.status();
    server->process = *std::move(process);
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    absl::Status serving;
    do {
      serving = WaitUntilServing(server->address, absl::Milliseconds(200));
    } while (!serving.ok() && absl::Now() < give_up);
    ASSERT_TRUE(serving.ok()) << serving << "\n" << server->process->Log();
  }

  void StartQuery() {
    ASSERT_NO_FATAL_FAILURE(
        Start(&query_, "query/query_server", {"--stores=" + store_.address}, "query"));
    read_.query_address = query_.address;
  }

  // kArticles articles a day apart, the first with no URL, and a re-crawl
  // of the second from another outlet: a sighting.
  void Feed() {
    auto ingest = v1::Ingest::NewStub(
        grpc::CreateChannel(ingest_.address, grpc::InsecureChannelCredentials()));
    auto submit = [&](const v1::Article& article, v1::Outcome expected) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      v1::SubmitRequest request;
      *request.mutable_article() = article;
      v1::SubmitResponse response;
      grpc::Status status = ingest->Submit(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_EQ(response.outcome(), expected) << article.title();
    };
    for (int i = 0; i < kArticles; ++i) {
      v1::Article article;
      article.set_source("example.org");
      if (i > 0) article.set_url(absl::StrCat("https://example.org/news/", i));
      article.set_title(absl::StrCat("Council story number ", i));
      article.set_body(absl::StrCat("Paragraph ", i, " of a story the council told."));
      article.mutable_published_at()->set_seconds(kJan2023 + i * 86400);
      article.mutable_crawled_at()->set_seconds(kJan2023 + i * 86400 + 3600);
      if (i == 3) article.mutable_crawled_at()->set_nanos(250'000'000);
      ASSERT_NO_FATAL_FAILURE(submit(article, v1::OUTCOME_STORED));
      if (i == 1) {
        article.set_source("mirror.example");
        article.set_url("https://mirror.example/copy");
        article.mutable_crawled_at()->set_seconds(kJan2023 + 5 * 86400);
        ASSERT_NO_FATAL_FAILURE(submit(article, v1::OUTCOME_DUPLICATE));
      }
    }
  }

  // Every article as GetArticle gives it, oldest first.
  std::vector<v1::Article> Expected() {
    auto query = v1::Query::NewStub(
        grpc::CreateChannel(query_.address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::ListArticlesRequest request;
    request.set_oldest_first(true);
    request.set_page_size(100);
    v1::ListArticlesResponse response;
    EXPECT_TRUE(query->ListArticles(&context, request, &response).ok());
    return {response.articles().begin(), response.articles().end()};
  }

  ExportOptions Options(ExportFormat format, const std::string& name) {
    ExportOptions options;
    options.format = format;
    options.output_path = absl::StrCat(dir_, "/", name);
    options.page_size = kPageSize;
    return options;
  }

  int Export(const ExportOptions& options, std::string* err = nullptr) {
    std::ostringstream out, errors;
    const int status = RunExport(read_, options, out, errors);
    if (err != nullptr) *err = errors.str();
    EXPECT_EQ(out.str(), "");
    return status;
  }

  // The token of "resume with --page_token=TOKEN" in `err`.
  static std::string ResumeToken(const std::string& err) {
    const std::string marker = "interrupted; resume with --page_token=";
    const size_t at = err.find(marker);
    if (at == std::string::npos) return "";
    const size_t start = at + marker.size();
    return err.substr(start, err.find('\n', start) - start);
  }

  std::string dir_;
  Server store_, ingest_, query_;
  ReadOptions read_;
};

v1::Article FromJson(const std::string& json) {
  v1::Article article;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &article).ok()) << json;
  return article;
}

void ExpectSameArticles(const std::vector<v1::Article>& got,
                        const std::vector<v1::Article>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got[i], expected[i]))
        << "article " << i << ":\n"
        << got[i].DebugString() << "\nexpected\n"
        << expected[i].DebugString();
  }
}

TEST_F(ExportTest, WarcHoldsAWarcinfoThenEveryArticleOldestFirstWithItsSightings) {
  ASSERT_EQ(Export(Options(ExportFormat::kWarc, "all.warc")), 0);
  const std::vector<ReadRecord> records = ParseWarc(ReadFile(dir_ + "/all.warc"));
  const std::vector<v1::Article> expected = Expected();
  ASSERT_EQ(expected.size(), static_cast<size_t>(kArticles));
  ASSERT_EQ(records.size(), expected.size() + 1);

  const ReadRecord& info = records[0];
  EXPECT_EQ(info.fields.at("WARC-Type"), "warcinfo");
  EXPECT_EQ(info.fields.at("Content-Type"), "application/warc-fields");
  EXPECT_EQ(info.block,
            "software: archivectl\r\n"
            "format: WARC File Format 1.1\r\n"
            "description: articles exported from the news archive\r\n"
            "x-archive-selection: source= from= to=\r\n");

  std::vector<v1::Article> exported;
  for (size_t i = 1; i < records.size(); ++i) {
    const ReadRecord& record = records[i];
    const v1::Article& article = expected[i - 1];
    exported.push_back(FromJson(record.block));
    EXPECT_EQ(record.fields.at("WARC-Type"), "conversion");
    EXPECT_EQ(record.fields.at("WARC-Record-ID"),
              NameBasedWarcRecordId("archive-article:" + article.id()));
    EXPECT_EQ(record.fields.at("WARC-Date"), FormatTimestamp(article.crawled_at()));
    EXPECT_EQ(record.fields.at("WARC-Target-URI"),
              article.url().empty() ? "urn:archive:article:" + article.id()
                                    : article.url());
    EXPECT_EQ(record.fields.at("Content-Type"), "application/vnd.archive.article+json");
    EXPECT_EQ(record.fields.at("WARC-Block-Digest"), WarcSha1Digest(record.block));
    EXPECT_EQ(record.fields.at("WARC-Payload-Digest"), WarcSha1Digest(record.block));
    EXPECT_EQ(record.block.back(), '\n');
  }
  ExpectSameArticles(exported, expected);
  EXPECT_EQ(records[1].fields.at("WARC-Target-URI").rfind("urn:archive:article:", 0), 0u);
  EXPECT_EQ(records[4].fields.at("WARC-Date"), "2023-01-16T01:00:00.25Z");
  EXPECT_EQ(exported[1].sightings_size(), 1);
  EXPECT_EQ(exported[1].sightings(0).source(), "mirror.example");
}

TEST_F(ExportTest, GzipWritesTheSameRecordsAMemberEach) {
  ASSERT_EQ(Export(Options(ExportFormat::kWarc, "all.warc")), 0);
  ASSERT_EQ(Export(Options(ExportFormat::kWarc, "all.warc.gz")), 0);
  int members = 0;
  const std::vector<ReadRecord> gzipped =
      ParseWarc(Gunzip(ReadFile(dir_ + "/all.warc.gz"), &members));
  const std::vector<ReadRecord> plain = ParseWarc(ReadFile(dir_ + "/all.warc"));
  EXPECT_EQ(members, kArticles + 1);
  ASSERT_EQ(gzipped.size(), plain.size());
  for (size_t i = 1; i < plain.size(); ++i) {
    EXPECT_EQ(gzipped[i].fields, plain[i].fields);
    EXPECT_EQ(gzipped[i].block, plain[i].block);
  }
}

TEST_F(ExportTest, JsonlIsTheSameArticleJsonOneALine) {
  ASSERT_EQ(Export(Options(ExportFormat::kWarc, "all.warc")), 0);
  ASSERT_EQ(Export(Options(ExportFormat::kJsonl, "all.jsonl")), 0);
  const std::vector<ReadRecord> records = ParseWarc(ReadFile(dir_ + "/all.warc"));
  std::string blocks;
  for (size_t i = 1; i < records.size(); ++i) blocks += records[i].block;
  EXPECT_EQ(ReadFile(dir_ + "/all.jsonl"), blocks);
}

TEST_F(ExportTest, ASelectionExportsOnlyItsArticlesAndSaysWhichInTheWarcinfo) {
  ExportOptions options = Options(ExportFormat::kWarc, "some.warc");
  options.source = "example.org";
  options.from = absl::FromUnixSeconds(kJan2023 + 2 * 86400);
  options.to = absl::FromUnixSeconds(kJan2023 + 4 * 86400);
  ASSERT_EQ(Export(options), 0);
  const std::vector<ReadRecord> records = ParseWarc(ReadFile(options.output_path));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].block.find("x-archive-selection: source=example.org "
                                  "from=2023-01-15T00:00:00Z to=2023-01-17T00:00:00Z\r\n"),
            std::string::npos)
      << records[0].block;
  EXPECT_EQ(FromJson(records[1].block).title(), "Council story number 2");
  EXPECT_EQ(FromJson(records[2].block).title(), "Council story number 3");
}

TEST_F(ExportTest, ASignalStopsAfterThePageAndTheTokenResumesWithNoArticleLost) {
  ExportOptions options = Options(ExportFormat::kWarc, "resumed.warc.gz");
  options.stop_signal = [] { return SIGINT; };
  std::string err;
  ASSERT_EQ(Export(options, &err), 128 + SIGINT);
  const std::string token = ResumeToken(err);
  ASSERT_FALSE(token.empty()) << err;
  int members = 0;
  EXPECT_EQ(ParseWarc(Gunzip(ReadFile(options.output_path), &members)).size(),
            static_cast<size_t>(1 + kPageSize));

  options.stop_signal = nullptr;
  options.page_token = token;
  ASSERT_EQ(Export(options, &err), 0) << err;
  const std::vector<ReadRecord> records =
      ParseWarc(Gunzip(ReadFile(options.output_path), &members));
  ASSERT_EQ(records.size(), static_cast<size_t>(1 + kArticles));
  EXPECT_EQ(records[0].fields.at("WARC-Type"), "warcinfo");
  std::vector<v1::Article> exported;
  for (size_t i = 1; i < records.size(); ++i) exported.push_back(FromJson(records[i].block));
  ExpectSameArticles(exported, Expected());
}

TEST_F(ExportTest, AQueryServerLostMidwayGivesExitTwoAndATokenAnotherServerTakes) {
  ExportOptions options = Options(ExportFormat::kJsonl, "lost.jsonl");
  options.stop_signal = [this] {
    query_.process->Signal(SIGKILL);
    (void)query_.process->Wait(absl::Seconds(10));
    return 0;
  };
  std::string err;
  ASSERT_EQ(Export(options, &err), 2);
  EXPECT_NE(err.find("archivectl export: cannot reach the query server at " +
                     query_.address),
            std::string::npos)
      << err;
  const std::string token = ResumeToken(err);
  ASSERT_FALSE(token.empty()) << err;

  ASSERT_NO_FATAL_FAILURE(StartQuery());
  options.stop_signal = nullptr;
  options.page_token = token;
  ASSERT_EQ(Export(options, &err), 0) << err;
  std::vector<v1::Article> exported;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(options.output_path), '\n', absl::SkipEmpty())) {
    exported.push_back(FromJson(std::string(line)));
  }
  ExpectSameArticles(exported, Expected());
}

TEST_F(ExportTest, WarcToATerminalIsRefused) {
  ExportOptions options = Options(ExportFormat::kWarc, "");
  options.output_path = "";
  options.out_is_terminal = true;
  std::string err;
  EXPECT_EQ(Export(options, &err), 2);
  EXPECT_NE(err.find("not for a terminal"), std::string::npos) << err;
}

TEST_F(ExportTest, AnUnwritableOutputIsNamed) {
  std::string err;
  EXPECT_EQ(Export(Options(ExportFormat::kWarc, "no/such/dir/x.warc"), &err), 2);
  EXPECT_NE(err.find("cannot open " + dir_ + "/no/such/dir/x.warc"), std::string::npos)
      << err;
}

TEST(ParseExportFormatTest, OnlyWarcAndJsonl) {
  EXPECT_EQ(*ParseExportFormat("warc"), ExportFormat::kWarc);
  EXPECT_EQ(*ParseExportFormat("jsonl"), ExportFormat::kJsonl);
  EXPECT_EQ(ParseExportFormat("csv").status().message(),
            "--format: \"csv\" is neither warc nor jsonl");
}

}  // namespace
}  // namespace archive::cli
