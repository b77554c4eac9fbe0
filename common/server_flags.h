// The flags every server binary takes besides its own, defined once here for
// ingest_server, store_server and query_server: security
// (common/server_security.h) and where metrics are served.
#ifndef COMMON_SERVER_FLAGS_H_
#define COMMON_SERVER_FLAGS_H_

#include <string>

#include "common/server_security.h"

namespace archive {

// After absl::ParseCommandLine.
ServerSecurity ServerSecurityFromFlags();

// --metrics_listen: HOST:PORT for /metrics, empty for none.
std::string MetricsListenFromFlags();

// --health_listen: HOST:PORT of a plaintext port serving only health
// checks (GrpcServerOptions::health_listen), empty for none.
std::string HealthListenFromFlags();

// All of them into a server's options (StoreServerOptions,
// IngestServerOptions, QueryServerOptions: each has these three fields).
template <typename ServerOptions>
void ReadServerFlags(ServerOptions* options) {
  options->security = ServerSecurityFromFlags();
  options->metrics_listen = MetricsListenFromFlags();
  options->health_listen = HealthListenFromFlags();
}

}  // namespace archive

#endif  // COMMON_SERVER_FLAGS_H_
