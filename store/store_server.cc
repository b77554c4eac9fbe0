#include "store/store_server.h"

#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"

#include "common/grpc_server.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "common/tls.h"
#include "common/thread_pool.h"
#include "store/store_metrics.h"
#include "store/store_service.h"

namespace archive::store {
namespace {

// Keeps kStoreWritesHealthName true to WritesAllowed, and logs each change.
void WatchWrites(const ArticleDb& db, GrpcServer* server,
                 absl::Notification* stopping) {
  bool allowed = true;
  do {
    const absl::Status writes = db.WritesAllowed();
    if (writes.ok() != allowed) {
      allowed = writes.ok();
      if (allowed) {
        ARCHIVE_LOG(INFO) << "writes resumed: the disk has room again";
      } else {
        ARCHIVE_LOG(WARNING) << "writes refused: " << writes.message();
      }
      server->SetServingStatus(kStoreWritesHealthName, allowed);
    }
  } while (!stopping->WaitForNotificationWithTimeout(absl::Seconds(1)));
}

}  // namespace

absl::Status RunStoreServer(const StoreServerOptions& options) {
  // What can be refused is refused before the database is opened (and
  // locked, and created when missing).
  RETURN_IF_ERROR(CheckPlaintextListen(options.listen_address, options.security.tls.enabled(),
                                       options.security.insecure));
  RETURN_IF_ERROR(MakeServerCredentials(options.security.tls).status());
  ASSIGN_OR_RETURN(std::unique_ptr<ArticleDb> db,
                   ArticleDb::Open(options.db_path, options.db));
  auto workers = std::make_unique<ThreadPool>(options.worker_threads,
                                              options.max_queued_requests);
  ASSIGN_OR_RETURN(ServedMetrics metrics, StartMetrics(options.metrics_listen));
  StoreService service(db.get(), workers.get(), metrics.registry.get());
  const auto collector = std::make_shared<StoreCollector>(db.get());
  if (metrics.exposer != nullptr) metrics.exposer->RegisterCollectable(collector);

  GrpcServerOptions server_options;
  server_options.listen_address = options.listen_address;
  server_options.service_names = {v1::Store::service_full_name(),
                                  kStoreWritesHealthName};
  server_options.admission_gates = {service.admission_gate()};
  server_options.max_receive_message_bytes = 64 << 20;
  server_options.metrics = metrics.registry;
  server_options.health_listen = options.health_listen;
  ASSIGN_OR_RETURN(const std::unique_ptr<Authorizer> authorizer,
                   ApplyServerSecurity(options.security, {Role::kService, Role::kAdmin},
                                       v1::Store::service_full_name(), &server_options));
  ASSIGN_OR_RETURN(std::unique_ptr<GrpcServer> server,
                   GrpcServer::Start(server_options, {&service}));
  ARCHIVE_LOG(INFO) << "store_server listening on " << options.listen_address
                    << " (port " << server->port() << "), database "
                    << options.db_path << ", sync="
                    << (options.db.sync ? "true" : "false");

  absl::Notification stopping;
  std::thread writes_watcher([&] { WatchWrites(*db, server.get(), &stopping); });

  const int signal_number = WaitForTerminationSignal();
  ARCHIVE_LOG(INFO) << "signal " << signal_number
                    << ": draining in-flight calls";
  stopping.Notify();
  writes_watcher.join();
  server->Shutdown(options.shutdown_grace);
  workers.reset();  // runs what was queued, then joins
  metrics.exposer.reset();  // no scrape may read the database once closed
  RETURN_IF_ERROR(db->Close());
  ARCHIVE_LOG(INFO) << "database closed cleanly";
  return absl::OkStatus();
}

}  // namespace archive::store
