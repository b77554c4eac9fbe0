// The servers' shared gRPC plumbing: start a server with health checking and
// reflection on, and shut it down gracefully on SIGTERM or SIGINT.
#ifndef COMMON_GRPC_SERVER_H_
#define COMMON_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/base/thread_annotations.h"
#include "common/admission_gate.h"
#include "common/mutex.h"
#include "grpcpp/channel.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "prometheus/registry.h"

namespace archive {

struct GrpcServerOptions {
  // HOST:PORT to listen on; port 0 picks a free port (see GrpcServer::port).
  std::string listen_address;
  // Full names of the services, such as "archive.v1.Store", reported by
  // grpc.health.v1.Health besides the server as a whole ("").
  std::vector<std::string> service_names;
  // Larger requests fail with RESOURCE_EXHAUSTED before reaching a service.
  int max_receive_message_bytes = 16 << 20;
  // The services' gates (common/admission_gate.h), closed by Shutdown
  // before anything else. Not owned; they must outlive the server.
  std::vector<AdmissionGate*> admission_gates;
  // TLS (common/tls.h) or, when null, plaintext, which Start refuses on an
  // address that is not loopback unless `insecure`.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  bool insecure = false;
  // Server reflection, for grpcurl-style tools. Off when calls need roles:
  // gRPC's reflection service has no hook for the check.
  bool reflection = true;
  // Where every RPC's figures are recorded (common/metrics.h); none when
  // null.
  std::shared_ptr<prometheus::Registry> metrics;
  // HOST:PORT of a plaintext port that serves grpc.health.v1 alone, with
  // the same statuses: for probes that cannot do TLS (Kubernetes' gRPC
  // probes). A grpc::Server of its own, so that it serves nothing else (a
  // second port on the same builder would serve every service without
  // credentials). Empty for none.
  std::string health_listen;
};

// A running grpc::Server serving the given services, grpc.health.v1.Health
// (SERVING until Shutdown) and server reflection. Not copyable; Shutdown and
// the destructor may be called from any one thread.
class GrpcServer {
 public:
  // Builds and starts the server. `services` are not owned and must outlive
  // it. Fails with a message naming the address when it cannot listen.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const GrpcServerOptions& options,
      const std::vector<grpc::Service*>& services);

  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;
  ~GrpcServer();

  // The port actually bound.
  int port() const { return port_; }

  // A channel to this server that bypasses the network (for tests).
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Reports `service` SERVING or NOT_SERVING to health checks: one of
  // options.service_names, or a name of its own for part of a service
  // (the store's "archive.v1.Store.Put": whether it takes writes). Ignored
  // once Shutdown began. Thread-safe.
  void SetServingStatus(const std::string& service, bool serving)
      ABSL_LOCKS_EXCLUDED(health_mutex_);

  // Closes the admission gates, reports NOT_SERVING to health checks, stops
  // accepting calls, lets in-flight calls finish for up to `grace`, then
  // cancels the rest. Returns once every call is done. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server,
             std::unique_ptr<grpc::Server> health_server, int port,
             const GrpcServerOptions& options);

  // Every health service: the server's, and the health port's.
  std::vector<grpc::HealthCheckServiceInterface*> HealthServices() const;

  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;  // null without health_listen
  const int port_;
  const std::vector<std::string> service_names_;
  const std::vector<AdmissionGate*> admission_gates_;
  bool shut_down_ = false;
  Mutex health_mutex_;
  bool health_final_ ABSL_GUARDED_BY(health_mutex_) = false;
};

// Catches SIGTERM and SIGINT from now on, so that WaitForTerminationSignal
// sees them. Call it first thing in main, before any thread starts.
void InstallTerminationHandlers();

// Blocks until the process receives SIGTERM or SIGINT and returns the signal
// number. Call it from one thread (main's), after InstallTerminationHandlers.
int WaitForTerminationSignal();

}  // namespace archive

#endif  // COMMON_GRPC_SERVER_H_
