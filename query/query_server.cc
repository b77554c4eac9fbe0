#include "query/query_server.h"

#include <memory>

#include "absl/strings/str_join.h"
#include "common/grpc_server.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "store/store_client.h"

namespace archive::query {

absl::Status RunQueryServer(const QueryServerOptions& options) {
  if (options.store_addresses.empty()) {
    return absl::InvalidArgumentError("--stores: at least one store is required");
  }
  RETURN_IF_ERROR(
      store::ValidateReplicas(options.service.replicas, options.store_addresses.size()));
  ASSIGN_OR_RETURN(ServedMetrics metrics, StartMetrics(options.metrics_listen));
  QueryService service(store::ConnectStores(options.store_addresses, options.store_security,
                                            metrics.registry.get()),
                       options.service);
  GrpcServerOptions server_options;
  server_options.listen_address = options.listen_address;
  server_options.service_names = {v1::Query::service_full_name()};
  server_options.admission_gates = {service.admission_gate()};
  server_options.metrics = metrics.registry;
  server_options.health_listen = options.health_listen;
  ASSIGN_OR_RETURN(const std::unique_ptr<Authorizer> authorizer,
                   ApplyServerSecurity(options.security, {Role::kReader, Role::kAdmin},
                                       v1::Query::service_full_name(), &server_options));
  ASSIGN_OR_RETURN(std::unique_ptr<GrpcServer> server,
                   GrpcServer::Start(server_options, {&service}));
  ARCHIVE_LOG(INFO) << "query_server listening on " << options.listen_address
                    << " (port " << server->port() << "), stores "
                    << absl::StrJoin(options.store_addresses, ",") << ", "
                    << options.service.replicas << " replica(s)";
  const int signal_number = WaitForTerminationSignal();
  ARCHIVE_LOG(INFO) << "signal " << signal_number << ": draining in-flight calls";
  server->Shutdown(options.shutdown_grace);
  ARCHIVE_LOG(INFO) << "query_server stopped cleanly";
  return absl::OkStatus();
}

}  // namespace archive::query
