// Runs an ingest server: connects to the stores, serves archive.v1.Ingest
// until SIGTERM or SIGINT, then shuts down gracefully (health NOT_SERVING,
// in-flight articles finish or fail UNAVAILABLE after the grace period).
#ifndef INGEST_INGEST_SERVER_H_
#define INGEST_INGEST_SERVER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/server_security.h"
#include "common/tls.h"
#include "ingest/ingest_service.h"
#include "ingest/submit_pipeline.h"

namespace archive::ingest {

struct IngestServerOptions {
  std::string listen_address = "127.0.0.1:50051";
  // HOST:PORT of every store; also their names for routing.
  std::vector<std::string> store_addresses;
  IngestServiceOptions service;
  PipelineOptions pipeline;
  // TLS and roles (crawler, admin) of the ingest server itself, and how it
  // reaches the stores.
  ServerSecurity security;
  ClientSecurity store_security = PlaintextClient();
  // HOST:PORT serving /metrics (common/metrics.h); empty for none.
  std::string metrics_listen;
  // Plaintext health port (GrpcServerOptions::health_listen); empty for none.
  std::string health_listen;
  absl::Duration shutdown_grace = absl::Seconds(10);
};

// Returns an error if the address cannot be bound or the options are
// unusable; otherwise blocks until a termination signal.
absl::Status RunIngestServer(const IngestServerOptions& options);

}  // namespace archive::ingest

#endif  // INGEST_INGEST_SERVER_H_
