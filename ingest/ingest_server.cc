#include "ingest/ingest_server.h"

#include <future>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/article_rules.h"
#include "common/grpc_server.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "store/store_client.h"

namespace archive::ingest {

absl::Status RunIngestServer(const IngestServerOptions& options) {
  if (options.store_addresses.empty()) {
    return absl::InvalidArgumentError("--stores: at least one store is required");
  }
  RETURN_IF_ERROR(
      store::ValidateReplicas(options.pipeline.replicas, options.store_addresses.size()));
  ASSIGN_OR_RETURN(ServedMetrics metrics, StartMetrics(options.metrics_listen));
  PipelineOptions pipeline_options = options.pipeline;
  pipeline_options.metrics = metrics.registry.get();
  auto pipeline = std::make_unique<SubmitPipeline>(
      store::ConnectStores(options.store_addresses, options.store_security,
                           metrics.registry.get()),
      pipeline_options);
  IngestServiceOptions service_options = options.service;
  service_options.metrics = metrics.registry.get();
  IngestService service(pipeline.get(), service_options);

  GrpcServerOptions server_options;
  server_options.listen_address = options.listen_address;
  server_options.service_names = {v1::Ingest::service_full_name()};
  server_options.admission_gates = {service.admission_gate()};
  server_options.metrics = metrics.registry;
  server_options.health_listen = options.health_listen;
  // One request is one article.
  server_options.max_receive_message_bytes = static_cast<int>(std::min<size_t>(
      MaxArticleMessageBytes(options.service.preparer.max_article_bytes), 1 << 30));
  ASSIGN_OR_RETURN(const std::unique_ptr<Authorizer> authorizer,
                   ApplyServerSecurity(options.security, {Role::kCrawler, Role::kAdmin},
                                       v1::Ingest::service_full_name(), &server_options));
  ASSIGN_OR_RETURN(std::unique_ptr<GrpcServer> server,
                   GrpcServer::Start(server_options, {&service}));
  ARCHIVE_LOG(INFO) << "ingest_server listening on " << options.listen_address
                    << " (port " << server->port() << "), stores "
                    << absl::StrJoin(options.store_addresses, ",") << ", "
                    << options.pipeline.replicas << " replica(s)";

  const int signal_number = WaitForTerminationSignal();
  ARCHIVE_LOG(INFO) << "signal " << signal_number << ": draining in-flight calls";
  // The server waits for every call; after the grace period, articles still
  // queued for a store fail UNAVAILABLE so that the calls can end.
  std::promise<void> drained;
  std::future<void> drained_future = drained.get_future();
  std::thread stopper([&] {
    server->Shutdown(options.shutdown_grace);
    drained.set_value();
  });
  if (drained_future.wait_for(absl::ToChronoSeconds(options.shutdown_grace)) !=
      std::future_status::ready) {
    pipeline->Abort();
  }
  stopper.join();
  pipeline.reset();
  ARCHIVE_LOG(INFO) << "ingest_server stopped cleanly";
  return absl::OkStatus();
}

}  // namespace archive::ingest
