#include "store/store_client.h"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "common/grpc_status.h"
#include "common/metrics.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace archive::store {
namespace {

// Runs one unary call with `deadline` and converts its status.
template <typename Response, typename Metrics, typename Call>
absl::StatusOr<Response> Invoke(const ClientSecurity& security, const Metrics* metrics,
                                const char* method, absl::Time deadline, Call call) {
  grpc::ClientContext context;
  security.Prepare(&context);
  context.set_deadline(absl::ToChronoTime(deadline));
  Response response;
  const absl::Time started = absl::Now();
  grpc::Status status = call(&context, &response);
  absl::Status result = status.ok() ? absl::OkStatus() : FromGrpcStatus(status);
  if (metrics != nullptr) metrics->Record(method, absl::Now() - started, result);
  if (!result.ok()) return result;
  return response;
}

// The state of one asynchronous call, alive until its callback has run.
template <typename Request, typename Response>
struct AsyncCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  StoreClient::Callback<Response> done;
};

template <typename Request, typename Response, typename Metrics, typename Start>
void InvokeAsync(const ClientSecurity& security, std::shared_ptr<const Metrics> metrics,
                 const char* method, Request request, absl::Time deadline,
                 StoreClient::Callback<Response> done, Start start) {
  auto* call = new AsyncCall<Request, Response>;
  security.Prepare(&call->context);
  call->context.set_deadline(absl::ToChronoTime(deadline));
  const absl::Time started = absl::Now();
  call->request = std::move(request);
  call->done = std::move(done);
  start(&call->context, &call->request, &call->response,
        [call, metrics, method, started](grpc::Status status) {
          std::unique_ptr<AsyncCall<Request, Response>> owned(call);
          if (metrics != nullptr) {
            metrics->Record(method, absl::Now() - started,
                            status.ok() ? absl::OkStatus() : FromGrpcStatus(status));
          }
          auto done = std::move(owned->done);
          absl::StatusOr<Response> result =
              status.ok() ? absl::StatusOr<Response>(std::move(owned->response))
                          : absl::StatusOr<Response>(FromGrpcStatus(status));
          // The call (and its context's hold on the channel) goes before
          // `done` runs: if `done` lets the last owner of the channel go, the
          // channel must not be destroyed on this gRPC thread with the
          // context still referring to it.
          owned.reset();
          done(std::move(result));
        });
}

}  // namespace

StoreClient::StoreClient(std::shared_ptr<v1::Store::StubInterface> stub,
                         ClientSecurity security)
    : stub_(std::move(stub)), security_(std::move(security)) {}

void StoreClient::RecordMetrics(prometheus::Registry* registry, const std::string& store) {
  auto metrics = std::make_shared<CallMetrics>();
  metrics->store = store;
  metrics->seconds = &prometheus::BuildHistogram()
                          .Name("archive_store_call_seconds")
                          .Help("Time of one call to a store, by store and method.")
                          .Register(*registry);
  metrics->failures = &prometheus::BuildCounter()
                           .Name("archive_store_call_failures_total")
                           .Help("Calls to a store that failed, by store, method and code.")
                           .Register(*registry);
  metrics_ = std::move(metrics);
}

void StoreClient::CallMetrics::Record(const char* method, absl::Duration took,
                                      const absl::Status& status) const {
  seconds->Add({{"store", store}, {"method", method}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(took));
  if (!status.ok()) {
    failures->Add({{"store", store}, {"method", method},
                   {"code", absl::StatusCodeToString(status.code())}})
        .Increment();
  }
}

std::unique_ptr<StoreClient> StoreClient::Connect(const std::string& address,
                                                  const ClientSecurity& security) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetMaxSendMessageSize(64 << 20);
  // A store that restarts is called again within a second or two, not after
  // gRPC's default reconnect backoff (1 s growing to 120 s), so that with
  // replicas a second store failing soon after does not find the first one
  // still shunned. (Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also takes
  // it as the connection attempt's timeout, 20 s by default.)
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return std::make_unique<StoreClient>(
      v1::Store::NewStub(grpc::CreateCustomChannel(address, security.credentials, arguments)),
      security);
}

absl::StatusOr<v1::PutResponse> StoreClient::Put(const v1::PutRequest& request,
                                                 absl::Time deadline) {
  return Invoke<v1::PutResponse>(
      security_, metrics_.get(), "Put", deadline, [&](grpc::ClientContext* context, v1::PutResponse* response) {
        return stub_->Put(context, request, response);
      });
}

absl::StatusOr<v1::Article> StoreClient::Get(std::string_view id,
                                             absl::Time deadline) {
  v1::GetRequest request;
  request.set_id(std::string(id));
  return Invoke<v1::Article>(
      security_, metrics_.get(), "Get", deadline, [&](grpc::ClientContext* context, v1::Article* response) {
        return stub_->Get(context, request, response);
      });
}

absl::StatusOr<v1::ScanResponse> StoreClient::Scan(
    const v1::ScanRequest& request, absl::Time deadline) {
  return Invoke<v1::ScanResponse>(
      security_, metrics_.get(), "Scan", deadline, [&](grpc::ClientContext* context, v1::ScanResponse* response) {
        return stub_->Scan(context, request, response);
      });
}

absl::StatusOr<v1::SearchResponse> StoreClient::Search(
    const v1::SearchRequest& request, absl::Time deadline) {
  return Invoke<v1::SearchResponse>(
      security_, metrics_.get(), "Search", deadline, [&](grpc::ClientContext* context, v1::SearchResponse* response) {
        return stub_->Search(context, request, response);
      });
}

absl::StatusOr<v1::StatsResponse> StoreClient::Stats(
    const v1::StatsRequest& request, absl::Time deadline) {
  return Invoke<v1::StatsResponse>(
      security_, metrics_.get(), "Stats", deadline, [&](grpc::ClientContext* context, v1::StatsResponse* response) {
        return stub_->Stats(context, request, response);
      });
}

absl::StatusOr<v1::CountResponse> StoreClient::Count(const v1::CountRequest& request,
                                                     absl::Time deadline) {
  return Invoke<v1::CountResponse>(
      security_, metrics_.get(), "Count", deadline,
      [&](grpc::ClientContext* context, v1::CountResponse* response) {
        return stub_->Count(context, request, response);
      });
}

absl::StatusOr<v1::FindSimilarResponse> StoreClient::FindSimilar(
    const v1::FindSimilarRequest& request, absl::Time deadline) {
  return Invoke<v1::FindSimilarResponse>(
      security_, metrics_.get(), "FindSimilar", deadline, [&](grpc::ClientContext* context, v1::FindSimilarResponse* response) {
        return stub_->FindSimilar(context, request, response);
      });
}

absl::StatusOr<v1::DeleteResponse> StoreClient::Delete(const v1::DeleteRequest& request,
                                                       absl::Time deadline) {
  return Invoke<v1::DeleteResponse>(
      security_, metrics_.get(), "Delete", deadline, [&](grpc::ClientContext* context, v1::DeleteResponse* response) {
        return stub_->Delete(context, request, response);
      });
}

absl::StatusOr<v1::VerifyResponse> StoreClient::Verify(
    const v1::VerifyRequest& request, absl::Time deadline) {
  return Invoke<v1::VerifyResponse>(
      security_, metrics_.get(), "Verify", deadline, [&](grpc::ClientContext* context, v1::VerifyResponse* response) {
        return stub_->Verify(context, request, response);
      });
}

#define ARCHIVE_STORE_ASYNC_METHOD(Method, Request, Response)              \
  void StoreClient::Method##Async(v1::Request request, absl::Time deadline,   \
                                  Callback<v1::Response> done) {             \
    InvokeAsync<v1::Request, v1::Response>(                                   \
        security_, metrics_, #Method, std::move(request), deadline,          \
        std::move(done),                                                      \
        [this](grpc::ClientContext* context, const v1::Request* request,      \
               v1::Response* response,                                        \
               std::function<void(grpc::Status)> on_done) {                   \
          stub_->async()->Method(context, request, response,                  \
                                 std::move(on_done));                         \
        });                                                                   \
  }

ARCHIVE_STORE_ASYNC_METHOD(Put, PutRequest, PutResponse)
ARCHIVE_STORE_ASYNC_METHOD(Get, GetRequest, Article)
ARCHIVE_STORE_ASYNC_METHOD(Scan, ScanRequest, ScanResponse)
ARCHIVE_STORE_ASYNC_METHOD(Search, SearchRequest, SearchResponse)
ARCHIVE_STORE_ASYNC_METHOD(Count, CountRequest, CountResponse)
ARCHIVE_STORE_ASYNC_METHOD(Stats, StatsRequest, StatsResponse)
ARCHIVE_STORE_ASYNC_METHOD(FindSimilar, FindSimilarRequest, FindSimilarResponse)

#undef ARCHIVE_STORE_ASYNC_METHOD

absl::StatusOr<std::vector<std::string>> ParseStoreList(const std::string& flag) {
  std::vector<std::string> stores;
  std::set<std::string> seen;
  for (absl::string_view entry : absl::StrSplit(flag, ',')) {
    const std::string address(entry);
    const size_t colon = address.rfind(':');
    int port = 0;
    if (address.empty() || colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 ||
        port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--stores: \"", address, "\" is not HOST:PORT (in \"", flag, "\")"));
    }
    if (!seen.insert(address).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--stores: ", address, " is listed twice"));
    }
    stores.push_back(address);
  }
  return stores;
}

std::vector<StoreEndpoint> ConnectStores(const std::vector<std::string>& addresses,
                                         const ClientSecurity& security,
                                         prometheus::Registry* metrics) {
  std::vector<StoreEndpoint> stores;
  for (const std::string& address : addresses) {
    stores.push_back({address, StoreClient::Connect(address, security)});
    if (metrics != nullptr) stores.back().client->RecordMetrics(metrics, address);
  }
  return stores;
}

absl::Status ValidateReplicas(int replicas, size_t store_count) {
  if (replicas >= 1 && static_cast<size_t>(replicas) <= store_count) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--replicas: must be between 1 and the number of --stores (",
                   store_count, "), not ", replicas));
}

std::vector<std::string> StoreNames(const std::vector<StoreEndpoint>& stores) {
  std::vector<std::string> names;
  names.reserve(stores.size());
  for (const StoreEndpoint& store : stores) names.push_back(store.name);
  return names;
}

}  // namespace archive::store
