// query_server: what internal tools call to read the archive.
//   query_server --listen=127.0.0.1:50053 --stores=HOST:PORT,... [--replicas=R]
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "common/grpc_server.h"
#include "common/server_flags.h"
#include "query/query_server.h"
#include "store/store_client.h"
#include "store/store_client_flags.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50053", "HOST:PORT to serve on");
ABSL_FLAG(std::string, stores, "127.0.0.1:50052",
          "comma-separated HOST:PORT of every store server");
ABSL_FLAG(int, replicas, 1,
          "copies of each article across --stores, as ingest_server's "
          "--replicas: reads answer completely while fewer stores fail");
ABSL_FLAG(absl::Duration, store_timeout, absl::Seconds(10),
          "longest wait for the stores' answers to one call");

int main(int argc, char** argv) {
  archive::InstallTerminationHandlers();
  absl::SetProgramUsageMessage(
      "Serves archive.v1.Query over the stores.\n"
      "  query_server --listen=127.0.0.1:50053 --stores=HOST:PORT,... [--replicas=R]");
  absl::ParseCommandLine(argc, argv);

  archive::query::QueryServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  auto stores = archive::store::ParseStoreList(absl::GetFlag(FLAGS_stores));
  if (!stores.ok()) {
    std::fprintf(stderr, "query_server: %s\n",
                 std::string(stores.status().message()).c_str());
    return 2;
  }
  options.store_addresses = *stores;
  options.service.store_timeout = absl::GetFlag(FLAGS_store_timeout);
  options.service.replicas = absl::GetFlag(FLAGS_replicas);
  if (absl::Status replicas = archive::store::ValidateReplicas(
          options.service.replicas, options.store_addresses.size());
      !replicas.ok()) {
    std::fprintf(stderr, "query_server: %s\n", std::string(replicas.message()).c_str());
    return 2;
  }
  archive::ReadServerFlags(&options);
  absl::StatusOr<archive::ClientSecurity> store_security =
      archive::store::StoreClientSecurityFromFlags();
  if (!store_security.ok()) {
    std::fprintf(stderr, "query_server: %s\n",
                 std::string(store_security.status().message()).c_str());
    return 2;
  }
  options.store_security = *std::move(store_security);
  const absl::Status status = archive::query::RunQueryServer(options);
  if (!status.ok()) {
    std::fprintf(stderr, "query_server: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
