// Runs a store server: opens the database, serves archive.v1.Store until
// SIGTERM or SIGINT, then shuts down gracefully (health NOT_SERVING, in-flight
// calls finish, the database closes cleanly).
#ifndef STORE_STORE_SERVER_H_
#define STORE_STORE_SERVER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/server_security.h"
#include "store/article_db.h"

namespace archive::store {

// The health check's name for whether a store takes writes, besides
// "archive.v1.Store" (it answers at all): NOT_SERVING while its disk is
// nearly full or it was opened read-only (ArticleDb::WritesAllowed), when
// reads still work. Checked every second.
inline constexpr char kStoreWritesHealthName[] = "archive.v1.Store.Put";

struct StoreServerOptions {
  std::string listen_address = "127.0.0.1:50052";
  std::string db_path;
  ArticleDbOptions db;
  // Threads that run RocksDB work; more of them lets more Puts share one
  // WAL fsync (group commit).
  int worker_threads = 16;
  // Requests waiting for a worker beyond this are refused.
  int max_queued_requests = 4096;
  // TLS and roles (service, admin).
  ServerSecurity security;
  // HOST:PORT serving /metrics (common/metrics.h); empty for none.
  std::string metrics_listen;
  // Plaintext health port (GrpcServerOptions::health_listen); empty for none.
  std::string health_listen;
  absl::Duration shutdown_grace = absl::Seconds(10);
};

// Returns an error if the database cannot be opened or the address cannot be
// bound; otherwise blocks until a termination signal and returns OK once
// everything is closed.
absl::Status RunStoreServer(const StoreServerOptions& options);

}  // namespace archive::store

#endif  // STORE_STORE_SERVER_H_
