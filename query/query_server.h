// Runs a query server: serves archive.v1.Query over the stores until SIGTERM
// or SIGINT, then shuts down gracefully (health NOT_SERVING, in-flight calls
// finish).
#ifndef QUERY_QUERY_SERVER_H_
#define QUERY_QUERY_SERVER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/server_security.h"
#include "common/tls.h"
#include "query/query_service.h"

namespace archive::query {

struct QueryServerOptions {
  std::string listen_address = "127.0.0.1:50053";
  std::vector<std::string> store_addresses;
  QueryServiceOptions service;
  // TLS and roles (reader, admin) of the query server itself, and how it
  // reaches the stores.
  ServerSecurity security;
  ClientSecurity store_security = PlaintextClient();
  // HOST:PORT serving /metrics (common/metrics.h); empty for none.
  std::string metrics_listen;
  // Plaintext health port (GrpcServerOptions::health_listen); empty for none.
  std::string health_listen;
  absl::Duration shutdown_grace = absl::Seconds(10);
};

absl::Status RunQueryServer(const QueryServerOptions& options);

}  // namespace archive::query

#endif  // QUERY_QUERY_SERVER_H_
