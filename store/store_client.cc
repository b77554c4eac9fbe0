#include "store/store_client.h"

#include <utility>

#include "common/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace archive::store {
namespace {

// Runs one unary call with `deadline` and converts its status.
template <typename Response, typename Call>
absl::StatusOr<Response> Invoke(absl::Time deadline, Call call) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  Response response;
  grpc::Status status = call(&context, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace

StoreClient::StoreClient(std::shared_ptr<v1::Store::StubInterface> stub)
    : stub_(std::move(stub)) {}

std::unique_ptr<StoreClient> StoreClient::Connect(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetMaxSendMessageSize(64 << 20);
  return std::make_unique<StoreClient>(v1::Store::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                arguments)));
}

absl::StatusOr<v1::PutResponse> StoreClient::Put(const v1::PutRequest& request,
                                                 absl::Time deadline) {
  return Invoke<v1::PutResponse>(
      deadline, [&](grpc::ClientContext* context, v1::PutResponse* response) {
        return stub_->Put(context, request, response);
      });
}

absl::StatusOr<v1::Article> StoreClient::Get(std::string_view id,
                                             absl::Time deadline) {
  v1::GetRequest request;
  request.set_id(std::string(id));
  return Invoke<v1::Article>(
      deadline, [&](grpc::ClientContext* context, v1::Article* response) {
        return stub_->Get(context, request, response);
      });
}

absl::StatusOr<v1::ScanResponse> StoreClient::Scan(
    const v1::ScanRequest& request, absl::Time deadline) {
  return Invoke<v1::ScanResponse>(
      deadline, [&](grpc::ClientContext* context, v1::ScanResponse* response) {
        return stub_->Scan(context, request, response);
      });
}

absl::StatusOr<v1::StatsResponse> StoreClient::Stats(
    const v1::StatsRequest& request, absl::Time deadline) {
  return Invoke<v1::StatsResponse>(
      deadline, [&](grpc::ClientContext* context, v1::StatsResponse* response) {
        return stub_->Stats(context, request, response);
      });
}

}  // namespace archive::store
