#include "tests/crash/archive_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/health_client.h"
#include "common/testing/article_factory.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"

namespace archive::reliability {
namespace {

// 2023-01-13T00:00:00Z.
constexpr int64_t kJan2023 = testing::kJan2023;

// Short tries on fresh channels: a channel refused while the process was
// starting would wait out gRPC's reconnect backoff.
absl::Status WaitForServing(const std::string& address, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  absl::Status serving;
  do {
    serving = WaitUntilServing(address, absl::Milliseconds(200));
  } while (!serving.ok() && absl::Now() < give_up);
  return serving;
}

// Runs `call` (returning a grpc::Status) until it is not UNAVAILABLE or
// `deadline` passes; each attempt gets at most 10 seconds.
template <typename Call>
grpc::Status RetryUnavailable(absl::Time deadline, Call call) {
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(10))));
    context.set_wait_for_ready(true);
    grpc::Status status = call(&context);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        absl::Now() + absl::Milliseconds(100) >= deadline) {
      return status;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

// A free loopback port below the kernel's ephemeral range, so that neither
// another test's PickFreePort (bind to port 0) nor an outgoing connection
// can take it while its server is down between a kill and a restart.
int PickPortOutsideEphemeralRange() {
  int ephemeral_low = 32768;
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  range >> ephemeral_low;
  const int low = 10000;
  const int high = std::max(low + 1000, ephemeral_low) - 1;
  static std::mt19937 random(static_cast<uint32_t>(::getpid()) * 2654435761u ^
                             static_cast<uint32_t>(absl::ToUnixNanos(absl::Now())));
  std::uniform_int_distribution<int> pick(low, high);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = pick(random);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    const bool free =
        ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    if (free) return port;
  }
  return testing::PickFreePort();
}

}  // namespace

void EnterRunfiles(const char* argv0) {
  if (::access(kStoreServer, X_OK) == 0) return;
  for (const char* workspace : {"news_archive", "__main__"}) {
    const std::string runfiles = absl::StrCat(argv0, ".runfiles/", workspace);
    if (::access(absl::StrCat(runfiles, "/", kStoreServer).c_str(), X_OK) == 0) {
      if (::chdir(runfiles.c_str()) == 0) return;
    }
  }
}

TestDir::TestDir(const std::string& prefix) : path_(testing::MakeTempDir(prefix)) {}

TestDir::~TestDir() {
  if (::testing::Test::HasFailure()) {
    std::printf("logs and databases kept in %s\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

RestartableServer::RestartableServer(std::string binary,
                                     std::vector<std::string> args,
                                     std::string log_path)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      log_path_(std::move(log_path)),
      address_(absl::StrCat("127.0.0.1:", PickPortOutsideEphemeralRange())) {}

absl::Status RestartableServer::Start(absl::Duration timeout) {
  if (running()) {
    return absl::FailedPreconditionError(absl::StrCat(binary_, " is running"));
  }
  std::vector<std::string> args = args_;
  args.push_back("--listen=" + address_);
  absl::StatusOr<std::unique_ptr<testing::ServerProcess>> process =
      testing::ServerProcess::Start(binary_, args, log_path_);
  if (!process.ok()) return process.status();
  process_ = *std::move(process);
  reaped_ = false;
  absl::Status serving = WaitForServing(address_, timeout);
  if (!serving.ok()) {
    return absl::UnavailableError(absl::StrCat(
        binary_, " ", absl::StrJoin(args, " "), ": ", serving.ToString(),
        "\n--- log:\n", Log()));
  }
  return absl::OkStatus();
}

absl::Status RestartableServer::Kill() {
  if (!running()) return absl::FailedPreconditionError("not running");
  process_->Signal(SIGKILL);
  absl::StatusOr<int> code = Wait(absl::Seconds(30));
  if (!code.ok()) return code.status();
  if (*code != 128 + SIGKILL) {
    return absl::InternalError(
        absl::StrCat(binary_, " ended with ", *code, " before SIGKILL\n", Log()));
  }
  return absl::OkStatus();
}

void RestartableServer::Signal(int signal_number) {
  if (running()) process_->Signal(signal_number);
}

absl::StatusOr<int> RestartableServer::Wait(absl::Duration timeout) {
  if (!running()) return absl::FailedPreconditionError("not running");
  absl::StatusOr<int> code = process_->Wait(timeout);
  if (code.ok()) reaped_ = true;
  return code;
}

pid_t RestartableServer::pid() const {
  return process_ == nullptr ? -1 : process_->pid();
}

std::string RestartableServer::Log() const {
  std::ifstream in(log_path_);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

absl::StatusOr<std::unique_ptr<ArchiveCluster>> ArchiveCluster::Start(
    const std::string& dir, const ClusterOptions& options) {
  std::unique_ptr<ArchiveCluster> cluster(new ArchiveCluster(dir));
  for (int i = 0; i < options.stores; ++i) {
    std::vector<std::string> args = {absl::StrCat("--db=", dir, "/store", i)};
    args.insert(args.end(), options.store_flags.begin(), options.store_flags.end());
    cluster->stores_.push_back(std::make_unique<RestartableServer>(
        kStoreServer, std::move(args), absl::StrCat(dir, "/store", i, ".log")));
    absl::Status started = cluster->stores_.back()->Start();
    if (!started.ok()) return started;
  }
  // Ingest and query start once the stores serve: their channels then
  // connect at once rather than after a reconnect backoff.
  const std::string stores =
      absl::StrCat("--stores=", absl::StrJoin(cluster->store_addresses(), ","));
  std::vector<std::string> ingest_args = {stores};
  ingest_args.insert(ingest_args.end(), options.ingest_flags.begin(),
                     options.ingest_flags.end());
  cluster->ingest_ = std::make_unique<RestartableServer>(
      kIngestServer, std::move(ingest_args), dir + "/ingest.log");
  absl::Status started = cluster->ingest_->Start();
  if (!started.ok()) return started;
  if (options.start_query) {
    std::vector<std::string> query_args = {stores};
    query_args.insert(query_args.end(), options.query_flags.begin(),
                      options.query_flags.end());
    cluster->query_ = std::make_unique<RestartableServer>(
        kQueryServer, std::move(query_args), dir + "/query.log");
    started = cluster->query_->Start();
    if (!started.ok()) return started;
  }
  return cluster;
}

std::vector<std::string> ArchiveCluster::store_addresses() const {
  std::vector<std::string> addresses;
  for (const auto& store : stores_) addresses.push_back(store->address());
  return addresses;
}

std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
  arguments.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   arguments);
}

v1::Article DistinctArticle(const std::string& source, uint64_t seed, int n,
                            int words) {
  const std::string body =
      testing::GeneratedBody(seed * 1'000'003 + static_cast<uint64_t>(n), words,
                             /*paragraph_words=*/30);
  return testing::MakeArticle(source, absl::StrCat("Story ", seed, "-", n), body,
                              kJan2023 + n);
}

absl::StatusOr<std::vector<v1::Article>> ListEverything(
    const std::string& query_address, const std::string& source,
    absl::Time deadline) {
  auto stub = v1::Query::NewStub(FastReconnectChannel(query_address));
  std::vector<v1::Article> articles;
  v1::ListArticlesRequest request;
  request.set_source(source);
  request.set_page_size(1000);
  request.set_oldest_first(true);
  while (true) {
    v1::ListArticlesResponse page;
    grpc::Status status = RetryUnavailable(deadline, [&](grpc::ClientContext* context) {
      page.Clear();
      return stub->ListArticles(context, request, &page);
    });
    if (!status.ok()) return FromGrpcStatus(status);
    for (v1::Article& article : *page.mutable_articles()) {
      articles.push_back(std::move(article));
    }
    if (page.next_page_token().empty()) return articles;
    request.set_page_token(page.next_page_token());
  }
}

absl::StatusOr<v1::GetStatsResponse> ArchiveStats(const std::string& query_address,
                                                  absl::Time deadline) {
  auto stub = v1::Query::NewStub(FastReconnectChannel(query_address));
  v1::GetStatsResponse stats;
  grpc::Status status = RetryUnavailable(deadline, [&](grpc::ClientContext* context) {
    stats.Clear();
    return stub->GetStats(context, v1::GetStatsRequest(), &stats);
  });
  if (!status.ok()) return FromGrpcStatus(status);
  return stats;
}

}  // namespace archive::reliability
