#include "cli/query_calls.h"

#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace archive::cli {

std::unique_ptr<v1::Query::Stub> ConnectQuery(const ReadOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(256 << 20);
  return v1::Query::NewStub(grpc::CreateCustomChannel(
      options.query_address, options.security.credentials, arguments));
}

void PrepareQueryCall(const ReadOptions& options, grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  options.security.Prepare(context);
}

int ReportQueryFailure(const std::string& verb, const ReadOptions& options,
                       const grpc::Status& status, std::ostream& err) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      // The query server names the store when it is one of them that failed.
      if (status.error_message().rfind("store ", 0) == 0) {
        err << "archivectl " << verb << ": the query server at "
            << options.query_address << " cannot read the archive: "
            << status.error_message() << "\n";
      } else {
        err << "archivectl " << verb << ": cannot reach the query server at "
            << options.query_address << ": " << status.error_message() << "\n";
      }
      return 2;
    case grpc::StatusCode::NOT_FOUND:
      err << "archivectl " << verb << ": " << status.error_message() << "\n";
      return 1;
    default:
      err << "archivectl " << verb << ": " << status.error_message() << "\n";
      return 2;
  }
}

}  // namespace archive::cli
