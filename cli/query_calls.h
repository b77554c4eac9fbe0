// What every archivectl verb that reads through the query server shares:
// how it reaches the server (address, TLS and token, a deadline a call),
// how a failed call is reported and what exit status it calls for, and how
// --from and --to become a request's time range.
#ifndef CLI_QUERY_CALLS_H_
#define CLI_QUERY_CALLS_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/proto_time.h"
#include "common/tls.h"
#include "grpcpp/client_context.h"

namespace archive::cli {

struct ReadOptions {
  std::string query_address = "127.0.0.1:50053";
  ClientSecurity security = PlaintextClient();
  bool json = false;
  absl::Duration timeout = absl::Seconds(30);
};

std::unique_ptr<v1::Query::Stub> ConnectQuery(const ReadOptions& options);

// Sets a call's deadline (options.timeout from now) and its token.
void PrepareQueryCall(const ReadOptions& options, grpc::ClientContext* context);

// Reports a failed call of `verb` on `err` ("archivectl list: cannot reach
// the query server at ADDR: ..."); returns the exit status it calls for:
// 1 for NOT_FOUND, else 2.
int ReportQueryFailure(const std::string& verb, const ReadOptions& options,
                       const grpc::Status& status, std::ostream& err);

// Sets a request's [start_time, end_time) from --from and --to; a bound
// not given stays unset.
template <typename Request>
void SetTimeRange(const std::optional<absl::Time>& from,
                  const std::optional<absl::Time>& to, Request* request) {
  if (from.has_value()) *request->mutable_start_time() = ToProtoTimestamp(*from);
  if (to.has_value()) *request->mutable_end_time() = ToProtoTimestamp(*to);
}

}  // namespace archive::cli

#endif  // CLI_QUERY_CALLS_H_
