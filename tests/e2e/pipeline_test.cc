// The whole pipeline as an operator runs it: two store_server processes, an
// ingest_server and a query_server in front of them on free loopback ports,
// and archivectl run as a subprocess against them, its output and exit
// status checked as the contract (DESIGN.md) fixes them. Every test runs
// twice: in plaintext, and with TLS on every hop and tokens on every call.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "archive/v1/query.pb.h"
#include "common/auth.h"
#include "common/health_client.h"
#include "common/testing/server_process.h"
#include "common/tls.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

extern char** environ;

namespace archive {
namespace {

using ::archive::testing::MakeTempDir;
using ::archive::testing::PickFreePort;
using ::archive::testing::ServerProcess;

// Relative to the runfiles root, the working directory of `bazel test`.
constexpr char kArchivectl[] = "cli/archivectl";
constexpr char kIngestServer[] = "ingest/ingest_server";
constexpr char kQueryServer[] = "query/query_server";
constexpr char kStoreServer[] = "store/store_server";
constexpr char kSample[] = "deploy/local/sample/aawsat.com.txt";

constexpr char kBidenTitle[] = "Biden and Kishida Discuss Japan ‘Stepping up’ Security";
constexpr char kLeeTitle[] =
    "South Korea’s New President Lee Vows to Revive Democracy from ‘Near Demise’";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  return lines;
}

// The peak resident memory of a running process (VmHWM in its
// /proc/PID/status), or 0 once it has ended. (getrusage's ru_maxrss would
// count this test's own memory: posix_spawn's child starts in it.)
long PeakResidentBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    return std::atol(line.c_str() + 6) * 1024L;
  }
  return 0;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// What one archivectl run did.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  // The process's peak resident memory, as last read while it ran.
  long max_rss_bytes = 0;
};

std::ostream& operator<<(std::ostream& os, const CliRun& run) {
  return os << "exit " << run.exit_code << ", peak RSS " << run.max_rss_bytes
            << " bytes\n--- stdout:\n"
            << run.out << "--- stderr:\n"
            << run.err;
}

struct Server {
  std::unique_ptr<ServerProcess> process;
  std::string address;
};

// How every hop of the pipeline is secured: not at all (loopback), or TLS
// on every hop, mutual TLS to the stores (which know ingest and query by
// their certificates' common names) and a token with its role on every call
// (archivectl with --tls_ca and --token_file). docs/SECURITY.md.
enum class Security { kPlaintext, kTlsAndTokens };

std::string SecurityName(const ::testing::TestParamInfo<Security>& info) {
  return info.param == Security::kPlaintext ? "Plaintext" : "TlsAndTokens";
}

// The four servers of one Security, started by the first test that needs
// them and shared by the rest of the suite, and what the suite learned of
// them once.
struct Pipeline {
  Security security = Security::kPlaintext;
  std::string dir;
  // With kTlsAndTokens: deploy/certs.sh's CA, certificates and tokens.
  std::string certs;
  std::vector<Server> stores;
  Server ingest;
  Server query;
  std::optional<CliRun> first_feed;
  std::optional<long> small_feed_peak;
};

// The tests run once a Security (PipelineTest.Name/Plaintext and
// PipelineTest.Name/TlsAndTokens), each against that Security's pipeline,
// with archivectl as its operator would run it there.
class PipelineTest : public ::testing::TestWithParam<Security> {
 protected:
  static void SetUpTestSuite() {
    // A pipe to an archivectl that has stopped reading is EPIPE, not death.
    ::signal(SIGPIPE, SIG_IGN);
    pipelines_ = new std::map<Security, std::unique_ptr<Pipeline>>;
  }

  static void TearDownTestSuite() {
    for (auto& [security, pipeline] : *pipelines_) {
      for (Server* server : {&pipeline->query, &pipeline->ingest}) {
        if (server->process != nullptr) server->process->Signal(SIGTERM);
      }
      for (Server& store : pipeline->stores) {
        if (store.process != nullptr) store.process->Signal(SIGTERM);
      }
    }
    delete pipelines_;
  }

  void SetUp() override {
    std::unique_ptr<Pipeline>& pipeline = (*pipelines_)[GetParam()];
    if (pipeline == nullptr) pipeline = StartPipeline(GetParam());
    pipeline_ = pipeline.get();
    dir_ = &pipeline_->dir;
    stores_ = &pipeline_->stores;
    ingest_ = &pipeline_->ingest;
    query_ = &pipeline_->query;
  }

  static std::unique_ptr<Pipeline> StartPipeline(Security security) {
    auto pipeline = std::make_unique<Pipeline>();
    pipeline->security = security;
    pipeline->dir = MakeTempDir(security == Security::kPlaintext ? "pipeline" : "pipeline_tls");
    const std::string& dir = pipeline->dir;
    std::vector<std::string> store_flags, ingest_flags, query_flags;
    if (security == Security::kTlsAndTokens) {
      pipeline->certs = dir + "/certs";
      const std::string command =
          absl::StrCat("deploy/certs.sh --out=", pipeline->certs,
                       " --tokens localhost:IP:127.0.0.1 ingest query archivectl >/dev/null 2>&1");
      EXPECT_EQ(std::system(command.c_str()), 0) << command;
      auto cert = [&](const std::string& name) { return pipeline->certs + "/" + name; };
      // The stores trust the services by certificate and the operators by
      // token; crawlers and readers have no business there.
      const std::string store_tokens = dir + "/store_auth_tokens";
      const std::string admin = ReadClientToken(cert("tokens/admin")).value();
      std::ofstream(store_tokens) << "service cn:ingest\nservice cn:query\n"
                                  << "admin " << TokenHash(admin) << "\n";
      const std::vector<std::string> tls = {"--tls_cert=" + cert("localhost.pem"),
                                            "--tls_key=" + cert("localhost-key.pem")};
      store_flags = tls;
      store_flags.push_back("--tls_client_ca=" + cert("ca.pem"));
      store_flags.push_back("--auth_tokens=" + store_tokens);
      for (auto [flags, name] : {std::pair{&ingest_flags, "ingest"},
                                 std::pair{&query_flags, "query"}}) {
        *flags = tls;
        flags->push_back("--auth_tokens=" + cert("auth_tokens"));
        flags->push_back("--store_tls_ca=" + cert("ca.pem"));
        flags->push_back(absl::StrCat("--store_tls_cert=", cert(name), ".pem"));
        flags->push_back(absl::StrCat("--store_tls_key=", cert(name), "-key.pem"));
      }
    }
    for (int s = 0; s < 2; ++s) {
      std::vector<std::string> args = {absl::StrCat("--db=", dir, "/db", s), "--sync=false",
                                       "--workers=4", "--block_cache_mb=16"};
      args.insert(args.end(), store_flags.begin(), store_flags.end());
      pipeline->stores.push_back(Start(*pipeline, kStoreServer, args, absl::StrCat("store", s)));
    }
    // Ingest and query start once the stores serve: their channels then
    // connect at once rather than after a reconnect backoff.
    for (const Server& store : pipeline->stores) WaitForServer(*pipeline, store);
    const std::string list = absl::StrCat("--stores=", pipeline->stores[0].address, ",",
                                          pipeline->stores[1].address);
    ingest_flags.push_back(list);
    query_flags.push_back(list);
    pipeline->ingest = Start(*pipeline, kIngestServer, ingest_flags, "ingest");
    pipeline->query = Start(*pipeline, kQueryServer, query_flags, "query");
    WaitForServer(*pipeline, pipeline->ingest);
    WaitForServer(*pipeline, pipeline->query);
    return pipeline;
  }

  static Server Start(const Pipeline& pipeline, const char* binary,
                      std::vector<std::string> args, const std::string& name) {
    Server server;
    server.address = absl::StrCat("127.0.0.1:", PickFreePort());
    args.push_back("--listen=" + server.address);
    auto process = ServerProcess::Start(binary, args, pipeline.dir + "/" + name + ".log");
    EXPECT_TRUE(process.ok()) << process.status();
    if (process.ok()) server.process = *std::move(process);
    return server;
  }

  // Short tries on fresh channels: a channel refused while the process was
  // starting would wait out gRPC's reconnect backoff. Health needs no
  // token; with TLS it needs the CA, and at the stores a certificate of it.
  static void WaitForServer(const Pipeline& pipeline, const Server& server) {
    if (server.process == nullptr) return;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (pipeline.security == Security::kTlsAndTokens) {
      const std::string& certs = pipeline.certs;
      auto client = MakeClientSecurity(
          {certs + "/ca.pem", certs + "/archivectl.pem", certs + "/archivectl-key.pem"}, "");
      ASSERT_TRUE(client.ok()) << client.status();
      credentials = client->credentials;
    }
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    absl::Status serving;
    do {
      serving = WaitUntilServing(server.address, absl::Milliseconds(200), credentials);
    } while (!serving.ok() && absl::Now() < give_up);
    EXPECT_TRUE(serving.ok()) << serving << "\n" << server.process->Log();
  }

  // The flags archivectl needs on this pipeline for `verb`: with TLS, the CA
  // and the token of the role the verb needs (feed a crawler's, the reading
  // verbs a reader's).
  std::vector<std::string> SecurityFlags(const std::string& verb) const {
    if (pipeline_->security == Security::kPlaintext) return {};
    return {"--tls_ca=" + pipeline_->certs + "/ca.pem",
            absl::StrCat("--token_file=", pipeline_->certs, "/tokens/",
                         verb == "feed" ? "crawler" : "reader")};
  }

  // Runs archivectl with `args` and this pipeline's security flags (unless
  // `secured` is false), standard input from /dev/null or, when given, a
  // pipe that `input` is written to, and returns its exit status, output
  // and peak memory. Killed after a minute.
  CliRun Archivectl(const std::vector<std::string>& args,
                    const std::optional<std::string>& input = std::nullopt,
                    bool secured = true) const {
    static int serial = 0;
    const std::string out_path = absl::StrCat(*dir_, "/archivectl", ++serial, ".out");
    const std::string err_path = absl::StrCat(*dir_, "/archivectl", serial, ".err");
    std::vector<std::string> argv_storage = {kArchivectl};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    if (secured && !args.empty()) {
      for (std::string& flag : SecurityFlags(args[0])) argv_storage.push_back(std::move(flag));
    }
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);

    int pipe_fds[2] = {-1, -1};
    if (input.has_value() && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe: " << std::strerror(errno);
      return CliRun();
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (input.has_value()) {
      posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
    } else {
      posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // archivectl gets SIGPIPE as it would from a shell; this test ignores it.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t default_signals;
    sigemptyset(&default_signals);
    sigaddset(&default_signals, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &default_signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    const int spawned =
        posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    // A writer that stops at EPIPE when archivectl stops reading.
    std::thread writer;
    if (input.has_value()) {
      ::close(pipe_fds[0]);
      writer = std::thread([fd = pipe_fds[1], &input] {
        for (size_t written = 0; written < input->size();) {
          const ssize_t n = ::write(fd, input->data() + written, input->size() - written);
          if (n <= 0) break;
          written += static_cast<size_t>(n);
        }
        ::close(fd);
      });
    }
    CliRun run;
    if (spawned != 0) {
      if (writer.joinable()) writer.join();
      ADD_FAILURE() << "cannot start " << kArchivectl << ": " << std::strerror(spawned);
      return run;
    }
    const absl::Time give_up = absl::Now() + absl::Minutes(1);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      run.max_rss_bytes = std::max(run.max_rss_bytes, PeakResidentBytes(pid));
      if (absl::Now() > give_up) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ADD_FAILURE() << "archivectl " << args[0] << " ran for over a minute";
        break;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    if (writer.joinable()) writer.join();
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.out = ReadFile(out_path);
    run.err = ReadFile(err_path);
    return run;
  }

  // A reading verb against the query server.
  // A reading verb against the query server.
  CliRun Read(std::vector<std::string> args) const {
    args.push_back("--query=" + query_->address);
    return Archivectl(args);
  }

  // The first feed of the sample, run once for the pipeline by whichever
  // test needs the articles first.
  const CliRun& FirstFeed() const {
    if (!pipeline_->first_feed.has_value()) {
      pipeline_->first_feed = Archivectl(
          {"feed", "--ingest=" + ingest_->address, "--source=aawsat.com", kSample});
    }
    return *pipeline_->first_feed;
  }

  // The sample's two articles as the archive holds them, newest first.
  std::vector<v1::Article> SampleArticles() const {
    const CliRun feed = FirstFeed();
    EXPECT_EQ(feed.exit_code, 0) << feed;
    const CliRun run = Read({"list", "--source=aawsat.com", "--json"});
    EXPECT_EQ(run.exit_code, 0) << run;
    std::vector<v1::Article> articles;
    for (const std::string& line : Lines(run.out)) {
      v1::Article article;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &article).ok())
          << line;
      articles.push_back(article);
    }
    return articles;
  }

  // The peak memory of a feed of one small article, measured once.
  long SmallFeedPeak() const {
    if (!pipeline_->small_feed_peak.has_value()) {
      const CliRun small = Archivectl(
          {"feed", "--ingest=" + ingest_->address,
           WriteInput("small.jsonl",
                      R"({"source": "small.example", "title": "Small", "body": "Small."})"
                      "\n")});
      EXPECT_EQ(small.exit_code, 0) << small;
      pipeline_->small_feed_peak = small.max_rss_bytes;
    }
    return *pipeline_->small_feed_peak;
  }

  // A file in the pipeline's directory holding `text`.
  std::string WriteInput(const std::string& name, const std::string& text) const {
    const std::string path = absl::StrCat(*dir_, "/", name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  static std::map<Security, std::unique_ptr<Pipeline>>* pipelines_;
  // This test's pipeline, and its parts by the names the tests use.
  Pipeline* pipeline_ = nullptr;
  const std::string* dir_ = nullptr;
  std::vector<Server>* stores_ = nullptr;
  Server* ingest_ = nullptr;
  Server* query_ = nullptr;
};

std::map<Security, std::unique_ptr<Pipeline>>* PipelineTest::pipelines_ = nullptr;

INSTANTIATE_TEST_SUITE_P(, PipelineTest,
                         ::testing::Values(Security::kPlaintext, Security::kTlsAndTokens),
                         SecurityName);

TEST_P(PipelineTest, FeedStoresTheSampleOnceAndReportsDuplicates) {
  const CliRun& first = FirstFeed();
  EXPECT_EQ(first.exit_code, 0) << first;
  EXPECT_NE(first.out.find("2 articles"), std::string::npos) << first;
  EXPECT_NE(first.out.find("2 stored"), std::string::npos) << first;

  const CliRun again = Archivectl(
      {"feed", "--ingest=" + ingest_->address, "--source=aawsat.com", kSample});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_NE(again.out.find("0 stored, 2 duplicate"), std::string::npos) << again;

  const std::vector<v1::Article> stored = SampleArticles();
  ASSERT_EQ(stored.size(), 2u);
  const CliRun json = Archivectl({"feed", "--json", "--ingest=" + ingest_->address,
                               "--source=aawsat.com", kSample});
  EXPECT_EQ(json.exit_code, 0) << json;
  const std::vector<std::string> lines = Lines(json.out);
  ASSERT_EQ(lines.size(), 2u) << json;
  std::vector<std::string> ids;
  int previous_line = 0;
  for (const std::string& line : lines) {
    google::protobuf::Struct object;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << line;
    const auto& fields = object.fields();
    for (const char* key : {"file", "line", "id", "outcome", "duplicateOf", "error"}) {
      EXPECT_EQ(fields.count(key), 1u) << key << " missing from " << line;
    }
    if (fields.count("line") == 0 || fields.count("id") == 0) continue;
    EXPECT_EQ(fields.at("file").string_value(), kSample);
    EXPECT_GT(fields.at("line").number_value(), previous_line);
    previous_line = static_cast<int>(fields.at("line").number_value());
    EXPECT_EQ(fields.at("outcome").string_value(), "OUTCOME_DUPLICATE");
    EXPECT_EQ(fields.at("duplicateOf").string_value(), fields.at("id").string_value());
    EXPECT_EQ(fields.at("error").string_value(), "");
    ids.push_back(fields.at("id").string_value());
  }
  std::vector<std::string> stored_ids = {stored[0].id(), stored[1].id()};
  std::sort(ids.begin(), ids.end());
  std::sort(stored_ids.begin(), stored_ids.end());
  EXPECT_EQ(ids, stored_ids);
}

TEST_P(PipelineTest, ListShowsBothArticlesNewestFirst) {
  const std::vector<v1::Article> articles = SampleArticles();
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[0].title(), kLeeTitle);
  EXPECT_EQ(articles[1].title(), kBidenTitle);
  for (const v1::Article& article : articles) {
    EXPECT_EQ(article.source(), "aawsat.com");
    EXPECT_EQ(article.id().size(), 32u);
    EXPECT_EQ(article.content_digest().size(), 64u);
    EXPECT_FALSE(article.body().empty());
  }
  // The dates printed in the captions.
  EXPECT_EQ(articles[0].published_at().seconds(), 1'748'995'200);  // 2025-06-04
  EXPECT_EQ(articles[1].published_at().seconds(), 1'673'568'000);  // 2023-01-13

  const CliRun table = Read({"list"});
  EXPECT_EQ(table.exit_code, 0) << table;
  const size_t lee = table.out.find("South Korea’s New President Lee Vows");
  const size_t biden = table.out.find("Biden and Kishida Discuss Japan");
  EXPECT_NE(lee, std::string::npos) << table;
  EXPECT_NE(biden, std::string::npos) << table;
  EXPECT_LT(lee, biden) << table;
  EXPECT_NE(table.out.find("2025-06-04"), std::string::npos) << table;

  const CliRun oldest = Read({"list", "--oldest-first", "--source=aawsat.com", "--limit=1"});
  EXPECT_EQ(oldest.exit_code, 0) << oldest;
  EXPECT_NE(oldest.out.find("Biden and Kishida"), std::string::npos) << oldest;
  EXPECT_EQ(oldest.out.find("Lee Vows"), std::string::npos) << oldest;

  const CliRun range = Read({"list", "--from=2023-01-13", "--to=2023-01-14"});
  EXPECT_EQ(range.exit_code, 0) << range;
  EXPECT_NE(range.out.find("Biden and Kishida"), std::string::npos) << range;
  EXPECT_EQ(range.out.find("Lee Vows"), std::string::npos) << range;
}

TEST_P(PipelineTest, SearchFindsWordsAndPhrases) {
  ASSERT_EQ(FirstFeed().exit_code, 0) << FirstFeed();
  const CliRun words = Read({"search", "Japan security"});
  EXPECT_EQ(words.exit_code, 0) << words;
  // How many match, then the hits.
  EXPECT_EQ(words.out.rfind(absl::StrCat("2 articles match:\n\n 1. ", kBidenTitle), 0), 0u)
      << words;
  EXPECT_NE(words.out.find("**"), std::string::npos) << words;

  // The query language, through the whole pipeline.
  const CliRun excluded = Read({"search", "(Japan OR Korea) security -Kishida"});
  EXPECT_EQ(excluded.exit_code, 0) << excluded;
  EXPECT_EQ(excluded.out.find(kBidenTitle), std::string::npos) << excluded;
  const CliRun broken = Read({"search", "Japan OR"});
  EXPECT_EQ(broken.exit_code, 2) << broken;
  EXPECT_EQ(broken.err,
            "archivectl search: query: OR needs something to search for on each side at 7\n")
      << broken;

  const CliRun phrase = Read({"search", "\"Prime Minister\"", "--json"});
  EXPECT_EQ(phrase.exit_code, 0) << phrase;
  const std::vector<std::string> lines = Lines(phrase.out);
  ASSERT_EQ(lines.size(), 1u) << phrase;
  v1::SearchHit hit;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[0], &hit).ok()) << lines[0];
  EXPECT_EQ(hit.article().title(), kBidenTitle);
  // --json gives whole articles; the table asks for hits without text.
  EXPECT_NE(hit.article().body().find("Kishida"), std::string::npos) << lines[0];
  EXPECT_GT(hit.score(), 0);
  EXPECT_NE(Lower(hit.snippet()).find("**prime** **minister**"), std::string::npos)
      << hit.snippet();

  const CliRun none = Read({"search", "\"minister prime\""});
  EXPECT_EQ(none.exit_code, 0) << none;
  EXPECT_NE(none.out.find("(no matches)"), std::string::npos) << none;
}

TEST_P(PipelineTest, CountShowsAttentionOverTimeAgainstVolume) {
  ASSERT_EQ(FirstFeed().exit_code, 0) << FirstFeed();
  // Both stores answer; each article counted once.
  const CliRun csv = Read({"count", "minister", "--by=year", "--csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv;
  EXPECT_EQ(csv.out,
            "start,count,total,ratio\n"
            "2023,1,1,1.000000\n"
            "2024,0,0,0.000000\n"
            "2025,0,1,0.000000\n")
      << csv;

  const CliRun table = Read({"count", "Kishida OR Lee", "--by=month", "--from=2023-01-01",
                             "--to=2023-03-01", "--time-zone=Asia/Tokyo"});
  EXPECT_EQ(table.exit_code, 0) << table;
  EXPECT_EQ(table.out.rfind("\"Kishida OR Lee\": 1 of 1 articles match (100.0%), by month, "
                            "Asia/Tokyo\n",
                            0),
            0u)
      << table;
  EXPECT_NE(table.out.find("2023-01             1          1  100.0%  ████"), std::string::npos)
      << table;
  EXPECT_NE(table.out.find("aawsat.com"), std::string::npos) << table;

  const CliRun json = Read({"count", "--by=year", "--split-source", "--json"});
  EXPECT_EQ(json.exit_code, 0) << json;
  ASSERT_EQ(Lines(json.out).size(), 1u) << json;
  v1::CountArticlesResponse counts;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Lines(json.out)[0], &counts).ok())
      << json;
  EXPECT_EQ(counts.total(), 2u);
  EXPECT_EQ(counts.count(), 2u);  // no query: every article
  ASSERT_EQ(counts.top_sources_size(), 1);
  EXPECT_EQ(counts.top_sources(0).buckets_size(), 3);

  const CliRun broken = Read({"count", "Japan ("});
  EXPECT_EQ(broken.exit_code, 2) << broken;
  EXPECT_NE(broken.err.find("archivectl count: query: unbalanced parenthesis at 7"),
            std::string::npos)
      << broken;
}

TEST_P(PipelineTest, GetShowsAnArticleAndRefusesUnknownAndMalformedIds) {
  const std::vector<v1::Article> articles = SampleArticles();
  ASSERT_EQ(articles.size(), 2u);
  const CliRun get = Read({"get", articles[1].id()});
  EXPECT_EQ(get.exit_code, 0) << get;
  EXPECT_NE(get.out.find(kBidenTitle), std::string::npos) << get;
  EXPECT_NE(get.out.find("President Joe Biden and Japanese Prime Minister Fumio Kishida "
                         "were holding wide-ranging talks"),
            std::string::npos)
      << get;
  EXPECT_NE(get.out.find("Those days are gone."), std::string::npos) << get;

  const CliRun json = Read({"get", articles[0].id(), "--json"});
  EXPECT_EQ(json.exit_code, 0) << json;
  ASSERT_EQ(Lines(json.out).size(), 1u) << json;
  v1::Article article;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(Lines(json.out)[0], &article).ok())
      << json;
  EXPECT_EQ(article.id(), articles[0].id());
  EXPECT_NE(json.out.find("\"publishedAt\""), std::string::npos) << json;
  EXPECT_NE(json.out.find("\"contentDigest\""), std::string::npos) << json;

  const CliRun unknown = Read({"get", "0123456789abcdef0123456789abcdef"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown;
  EXPECT_NE(unknown.err.find("0123456789abcdef0123456789abcdef"), std::string::npos)
      << unknown;

  const CliRun malformed = Read({"get", "nope"});
  EXPECT_EQ(malformed.exit_code, 2) << malformed;
  EXPECT_NE(malformed.err.find("id"), std::string::npos) << malformed;
}

TEST_P(PipelineTest, SourcesAndStatsCountTheArchive) {
  ASSERT_EQ(FirstFeed().exit_code, 0) << FirstFeed();
  const CliRun sources = Read({"sources"});
  EXPECT_EQ(sources.exit_code, 0) << sources;
  bool found = false;
  for (const std::string& line : Lines(sources.out)) {
    if (line.rfind("aawsat.com ", 0) != 0) continue;
    found = true;
    std::vector<std::string> columns = absl::StrSplit(line, ' ', absl::SkipEmpty());
    ASSERT_GE(columns.size(), 2u) << line;
    EXPECT_EQ(columns[1], "2") << line;
    EXPECT_NE(line.find("2023-01-13"), std::string::npos) << line;
    EXPECT_NE(line.find("2025-06-04"), std::string::npos) << line;
  }
  EXPECT_TRUE(found) << sources;

  const CliRun sources_json = Read({"sources", "--json"});
  EXPECT_EQ(sources_json.exit_code, 0) << sources_json;
  uint64_t total = 0;
  for (const std::string& line : Lines(sources_json.out)) {
    v1::SourceSummary summary;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &summary).ok()) << line;
    total += summary.article_count();
  }
  EXPECT_GE(total, 2u);

  const CliRun stats = Read({"stats", "--json"});
  EXPECT_EQ(stats.exit_code, 0) << stats;
  ASSERT_EQ(Lines(stats.out).size(), 1u) << stats;
  v1::GetStatsResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(Lines(stats.out)[0], &response).ok())
      << stats;
  EXPECT_EQ(response.article_count(), total);
  EXPECT_EQ(response.store_count(), 2u);
  EXPECT_GT(response.total_bytes(), 10'000u);

  const CliRun text = Read({"stats"});
  EXPECT_EQ(text.exit_code, 0) << text;
  EXPECT_NE(text.out.find(absl::StrCat("articles  ", total)), std::string::npos) << text;
  EXPECT_NE(text.out.find("stores    2"), std::string::npos) << text;
}

TEST_P(PipelineTest, UsageErrorsExitTwoNamingTheProblem) {
  const CliRun bad_date = Read({"list", "--from=2024-13-01"});
  EXPECT_EQ(bad_date.exit_code, 2) << bad_date;
  EXPECT_NE(bad_date.err.find("--from"), std::string::npos) << bad_date;
  EXPECT_TRUE(bad_date.out.empty()) << bad_date;

  const CliRun missing = Archivectl({"feed", "--ingest=" + ingest_->address,
                                  "--source=aawsat.com", *dir_ + "/no-such-file.txt"});
  EXPECT_EQ(missing.exit_code, 2) << missing;
  EXPECT_NE(missing.err.find("no-such-file.txt"), std::string::npos) << missing;

  const std::string unreachable = absl::StrCat("127.0.0.1:", PickFreePort());
  const CliRun no_ingest = Archivectl(
      {"feed", "--ingest=" + unreachable, "--source=aawsat.com", kSample});
  EXPECT_EQ(no_ingest.exit_code, 2) << no_ingest;
  EXPECT_NE(no_ingest.err.find(unreachable), std::string::npos) << no_ingest;

  const CliRun no_query = Archivectl({"stats", "--query=" + unreachable});
  EXPECT_EQ(no_query.exit_code, 2) << no_query;
  EXPECT_NE(no_query.err.find(unreachable), std::string::npos) << no_query;
}

TEST_P(PipelineTest, AMalformedJsonLineIsRejectedAndTheRestKept) {
  const std::string path = *dir_ + "/mixed.jsonl";
  {
    std::ofstream file(path);
    file << R"({"source": "example.org", "url": "https://example.org/news/1", )"
         << R"("title": "A good line", "body": "Fed as JSON lines, and kept.", )"
         << R"("publishedAt": "2024-02-03T04:05:06Z"})" << "\n"
         << R"({"source": "example.org", "title": "cut off)" << "\n";
  }
  const CliRun feed = Archivectl({"feed", "--ingest=" + ingest_->address, path});
  EXPECT_EQ(feed.exit_code, 1) << feed;
  EXPECT_NE(feed.err.find(path + ":2: "), std::string::npos) << feed;
  EXPECT_EQ(feed.err.find(path + ":1: "), std::string::npos) << feed;
  EXPECT_NE(feed.out.find("1 stored"), std::string::npos) << feed;
  EXPECT_NE(feed.out.find("1 rejected"), std::string::npos) << feed;

  const CliRun list = Read({"list", "--source=example.org", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list;
  const std::vector<std::string> lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 1u) << list;
  v1::Article article;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[0], &article).ok());
  EXPECT_EQ(article.title(), "A good line");
}

// The longest line feed reads whole with the default --max_article_bytes:
// six bytes of JSON for each byte of an article, and 64 KiB.
constexpr long kLineBound = 6 * (1 << 20) + (64 << 10);

// What feed's peak memory may grow by over that of a feed of one small
// article: one line held to the bound, and the reading buffers.
constexpr long kAllowedGrowth = kLineBound + (4 << 20);

// JSONL of `source`, one article a line: each title with its body.
std::string JsonLines(const std::string& source,
                      const std::vector<std::pair<std::string, std::string>>& articles) {
  std::string lines;
  for (const auto& [title, body] : articles) {
    absl::StrAppend(&lines, R"({"source": ")", source, R"(", "title": ")", title,
                    R"(", "body": ")", body, R"(", "publishedAt": "2024-02-03T04:05:06Z"})",
                    "\n");
  }
  return lines;
}

TEST_P(PipelineTest, AnOversizedArticleIsRejectedAndTheStreamGoesOn) {
  const std::string path =
      WriteInput("oversized.jsonl",
                 JsonLines("oversized.example", {{"first", "The first article."},
                                                 {"second", std::string(3 << 20, 'x')},
                                                 {"third", "A third, unlike it."}}));
  const CliRun feed = Archivectl({"feed", "--ingest=" + ingest_->address, path});
  EXPECT_EQ(feed.exit_code, 1) << feed;
  EXPECT_NE(feed.err.find(absl::StrCat(path, ":2: article of ", (3 << 20) + 6,
                                       " bytes is over the limit of 1048576\n")),
            std::string::npos)
      << feed;
  EXPECT_NE(feed.out.find("2 stored"), std::string::npos) << feed;
  EXPECT_NE(feed.out.find("1 rejected"), std::string::npos) << feed;

  const CliRun list = Read({"list", "--source=oversized.example", "--oldest-first"});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_NE(list.out.find("first"), std::string::npos) << list;
  EXPECT_NE(list.out.find("third"), std::string::npos) << list;
  EXPECT_EQ(list.out.find("second"), std::string::npos) << list;
}

TEST_P(PipelineTest, ALineOf50MegabytesIsReportedAtItsLineAndMemoryStaysFlat) {
  constexpr size_t kLineBytes = 50 << 20;
  const std::string path = WriteInput(
      "long_line.jsonl",
      JsonLines("longline.example", {{"before", "The article before the long line."},
                                     {"huge", std::string(kLineBytes, 'x')},
                                     {"after", "And one after it, read all the same."}}));
  const CliRun feed = Archivectl({"feed", "--ingest=" + ingest_->address, path});
  EXPECT_EQ(feed.exit_code, 1) << feed;
  // The bound: six bytes of JSON for each byte of an article, and 64 KiB.
  EXPECT_NE(feed.err.find(absl::StrCat(path, ":2: line of ", kLineBytes + 98,
                                       " bytes is over the limit of ", kLineBound, "\n")),
            std::string::npos)
      << feed;
  EXPECT_NE(feed.out.find("2 stored"), std::string::npos) << feed;
  EXPECT_NE(feed.out.find("1 rejected"), std::string::npos) << feed;
  // The line is not held: measured over a small feed's peak, since TLS
  // (OpenSSL, the certificate watcher) raises archivectl's baseline.
  EXPECT_LT(feed.max_rss_bytes - SmallFeedPeak(), kLineBytes / 2)
      << feed << "\nsmall feed's peak " << SmallFeedPeak();
  EXPECT_LT(feed.max_rss_bytes, SmallFeedPeak() + kAllowedGrowth)
      << feed << "\nsmall feed's peak " << SmallFeedPeak();

  const CliRun list = Read({"list", "--source=longline.example"});
  EXPECT_NE(list.out.find("before"), std::string::npos) << list;
  EXPECT_NE(list.out.find("after"), std::string::npos) << list;
}

TEST_P(PipelineTest, ZerosOnStandardInputAreOneLineOverTheLimitNotAGrowingBuffer) {
  // What `head -c 30000000 /dev/zero | archivectl feed -` gives.
  constexpr size_t kZeros = 30'000'000;
  const CliRun feed = Archivectl(
      {"feed", "--ingest=" + ingest_->address, "--source=t.example", "-"},
      std::string(kZeros, '\0'));
  EXPECT_EQ(feed.exit_code, 1) << feed;
  EXPECT_NE(feed.err.find(absl::StrCat("<stdin>:1: line of ", kZeros,
                                       " bytes is over the limit of 1048576\n")),
            std::string::npos)
      << feed;
  EXPECT_LT(feed.max_rss_bytes, SmallFeedPeak() + kAllowedGrowth)
      << feed << "\nsmall feed's peak " << SmallFeedPeak();
}

TEST_P(PipelineTest, AByteOrderMarkDoesNotCostTheFirstArticle) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string jsonl =
      WriteInput("bom.jsonl", bom + JsonLines("bom.example", {{"with a mark", "Marked."}}));
  for (const char* format : {"--format=auto", "--format=jsonl"}) {
    const CliRun feed = Archivectl({"feed", "--ingest=" + ingest_->address, format, jsonl});
    EXPECT_EQ(feed.exit_code, 0) << feed;
    EXPECT_EQ(feed.err.find(":1:"), std::string::npos) << feed;
  }
  const std::string text = WriteInput(
      "bom.txt", bom + "Headline after a mark\n\nTT\n\nHeadline after a mark\n\nBody.\n");
  for (const char* format : {"--format=auto", "--format=text"}) {
    const CliRun feed = Archivectl(
        {"feed", "--ingest=" + ingest_->address, "--source=bom.example", format, text});
    EXPECT_EQ(feed.exit_code, 0) << feed;
  }
  const CliRun list = Read({"list", "--source=bom.example", "--json"});
  ASSERT_EQ(Lines(list.out).size(), 2u) << list;
  for (const std::string& line : Lines(list.out)) {
    v1::Article article;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &article).ok()) << line;
    EXPECT_EQ(article.title().find(bom), std::string::npos) << line;
  }
}

TEST_P(PipelineTest, AnArticleWithoutADateIsDatedByItsCrawlTimeAndSaysSo) {
  const std::string path = WriteInput(
      "undated.jsonl",
      R"({"source": "undated.example", "title": "No date", "body": "Undated."})" "\n");
  const CliRun feed = Archivectl({"feed", "--ingest=" + ingest_->address, path});
  EXPECT_EQ(feed.exit_code, 0) << feed;

  const CliRun json = Read({"list", "--source=undated.example", "--json"});
  ASSERT_EQ(Lines(json.out).size(), 1u) << json;
  v1::Article article;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Lines(json.out)[0], &article).ok());
  EXPECT_EQ(article.date_source(), v1::DATE_SOURCE_CRAWL_TIME);
  EXPECT_EQ(article.published_at().seconds(), article.crawled_at().seconds());

  const CliRun get = Read({"get", article.id()});
  EXPECT_NE(get.out.find("(crawl time; no date found)"), std::string::npos) << get;
  const CliRun list = Read({"list", "--source=undated.example"});
  EXPECT_NE(list.out.find("(crawl time)"), std::string::npos) << list;
}

TEST_P(PipelineTest, DatesFromPageTextSaySo) {
  const std::vector<v1::Article> articles = SampleArticles();
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_EQ(articles[1].date_source(), v1::DATE_SOURCE_TEXT);
  const CliRun get = Read({"get", articles[1].id()});
  EXPECT_NE(get.out.find("published 2023-01-13 (date from text)"), std::string::npos) << get;
  const CliRun list = Read({"list", "--source=aawsat.com"});
  EXPECT_NE(list.out.find("2023-01-13 (date from text)"), std::string::npos) << list;
}

// What only the pipeline with TLS and tokens has to show: each verb needs
// a token of its role, the stores take an operator's token with a
// certificate, and a client without TLS is refused at once.
class SecurePipelineTest : public PipelineTest {
 protected:
  // archivectl with the CA, `role`'s token ("": none) and, when `with_cert`,
  // archivectl's certificate (which has no role of its own).
  CliRun As(const std::string& role, std::vector<std::string> args,
            bool with_cert = false) const {
    const std::string& certs = pipeline_->certs;
    args.push_back("--tls_ca=" + certs + "/ca.pem");
    if (!role.empty()) args.push_back(absl::StrCat("--token_file=", certs, "/tokens/", role));
    if (with_cert) {
      args.push_back("--tls_cert=" + certs + "/archivectl.pem");
      args.push_back("--tls_key=" + certs + "/archivectl-key.pem");
    }
    return Archivectl(args, std::nullopt, /*secured=*/false);
  }

  // No token of any role in an archivectl message.
  void ExpectNoToken(const CliRun& run) const {
    for (const char* role : {"crawler", "reader", "admin", "service"}) {
      const std::string token =
          ReadClientToken(absl::StrCat(pipeline_->certs, "/tokens/", role)).value();
      EXPECT_EQ(run.out.find(token), std::string::npos) << role << "'s token in " << run;
      EXPECT_EQ(run.err.find(token), std::string::npos) << role << "'s token in " << run;
    }
  }
};

INSTANTIATE_TEST_SUITE_P(, SecurePipelineTest, ::testing::Values(Security::kTlsAndTokens),
                         SecurityName);

TEST_P(SecurePipelineTest, EachVerbNeedsATokenOfItsRole) {
  const std::string path = WriteInput(
      "roles.jsonl", R"({"source": "roles.example", "title": "Roles", "body": "Kept out."})"
                     "\n");
  const std::string ingest = "--ingest=" + ingest_->address;
  for (const char* role : {"reader", ""}) {
    const CliRun feed = As(role, {"feed", ingest, path});
    EXPECT_EQ(feed.exit_code, 2) << feed;
    EXPECT_NE(feed.err.find(*role == '\0' ? "archive.v1.Ingest needs a token"
                                          : "archive.v1.Ingest needs the crawler or admin "
                                            "role; this is reader's"),
              std::string::npos)
        << feed;
    ExpectNoToken(feed);
  }
  const std::string query = "--query=" + query_->address;
  for (const char* role : {"crawler", ""}) {
    const CliRun list = As(role, {"list", query});
    EXPECT_EQ(list.exit_code, 2) << list;
    EXPECT_NE(list.err.find(*role == '\0' ? "archive.v1.Query needs a token"
                                          : "archive.v1.Query needs the reader or admin "
                                            "role; this is crawler's"),
              std::string::npos)
        << list;
    EXPECT_LE(Lines(list.out).size(), 1u) << list;  // the table's header, no more
    ExpectNoToken(list);
  }
  // Nothing of the refused feeds was stored; the admin may do both.
  const CliRun none = As("reader", {"list", query, "--source=roles.example"});
  EXPECT_EQ(none.exit_code, 0) << none;
  EXPECT_NE(none.out.find("(no articles)"), std::string::npos) << none;
  const CliRun fed = As("admin", {"feed", ingest, path});
  EXPECT_EQ(fed.exit_code, 0) << fed;
  const CliRun listed = As("admin", {"list", query, "--source=roles.example"});
  EXPECT_EQ(listed.exit_code, 0) << listed;
  EXPECT_NE(listed.out.find("Roles"), std::string::npos) << listed;
}

TEST_P(SecurePipelineTest, VerifyReachesTheStoresWithTheAdminTokenAndACertificate) {
  ASSERT_EQ(FirstFeed().exit_code, 0) << FirstFeed();
  const std::string stores =
      absl::StrCat("--stores=", (*stores_)[0].address, ",", (*stores_)[1].address);
  const CliRun verify = As("admin", {"verify", stores}, /*with_cert=*/true);
  EXPECT_EQ(verify.exit_code, 0) << verify;

  // A reader's token is no operator's: the stores do not even know it.
  const CliRun reader = As("reader", {"verify", stores}, /*with_cert=*/true);
  EXPECT_EQ(reader.exit_code, 2) << reader;
  EXPECT_NE(reader.err.find("unknown token"), std::string::npos) << reader;
  ExpectNoToken(reader);

  // The stores ask for a certificate: without one, not even the admin.
  const CliRun uncertified = As("admin", {"verify", stores});
  EXPECT_EQ(uncertified.exit_code, 2) << uncertified;
  EXPECT_NE(uncertified.err.find(
                absl::StrCat("store ", (*stores_)[0].address, ": failed to connect")),
            std::string::npos)
      << uncertified;
  ExpectNoToken(uncertified);
}

TEST_P(SecurePipelineTest, AClientWithoutTlsIsRefusedAtOnce) {
  const absl::Time started = absl::Now();
  const CliRun plaintext = Archivectl(
      {"stats", "--query=" + query_->address,
       absl::StrCat("--token_file=", pipeline_->certs, "/tokens/reader")},
      std::nullopt, /*secured=*/false);
  EXPECT_EQ(plaintext.exit_code, 2) << plaintext;
  EXPECT_NE(plaintext.err.find("cannot reach the query server at " + query_->address),
            std::string::npos)
      << plaintext;
  EXPECT_LT(absl::Now() - started, absl::Seconds(15)) << plaintext;
  ExpectNoToken(plaintext);
}

}  // namespace
}  // namespace archive
