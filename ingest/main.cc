// ingest_server: takes articles from crawlers and routes them to the stores.
//   ingest_server --listen=127.0.0.1:50051 --stores=HOST:PORT,... [--replicas=R]
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "common/article_rules.h"
#include "common/grpc_server.h"
#include "common/server_flags.h"
#include "ingest/ingest_server.h"
#include "store/store_client.h"
#include "store/store_client_flags.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "HOST:PORT to serve on");
ABSL_FLAG(std::string, stores, "127.0.0.1:50052",
          "comma-separated HOST:PORT of every store server");
ABSL_FLAG(int, replicas, 1,
          "stores that must hold each new article before it is acknowledged: "
          "the first R of its rendezvous ranking over --stores, or stand-ins "
          "for those that are down (docs/REPLICATION.md)");
ABSL_FLAG(int64_t, max_article_bytes, archive::kDefaultMaxArticleBytes,
          "largest article text (title, body, captions) accepted, in bytes");
ABSL_FLAG(double, near_duplicate_threshold, 0.8,
          "least word-shingle resemblance that makes an article a near "
          "duplicate");
ABSL_FLAG(int, max_batch, 64, "articles per store request");
ABSL_FLAG(absl::Duration, store_timeout, absl::Seconds(30),
          "how long an article may wait for an unreachable store when the "
          "caller set no deadline");
ABSL_FLAG(int, max_unary_in_flight, 1024,
          "unary Submits under way at once; more are refused at once with "
          "RESOURCE_EXHAUSTED");

int main(int argc, char** argv) {
  archive::InstallTerminationHandlers();
  absl::SetProgramUsageMessage(
      "Serves archive.v1.Ingest, routing articles to the stores.\n"
      "  ingest_server --listen=127.0.0.1:50051 --stores=HOST:PORT,... [--replicas=R]");
  absl::ParseCommandLine(argc, argv);

  archive::ingest::IngestServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  auto stores = archive::store::ParseStoreList(absl::GetFlag(FLAGS_stores));
  if (!stores.ok()) {
    std::fprintf(stderr, "ingest_server: %s\n",
                 std::string(stores.status().message()).c_str());
    return 2;
  }
  options.store_addresses = *stores;
  const int64_t max_bytes = absl::GetFlag(FLAGS_max_article_bytes);
  const double threshold = absl::GetFlag(FLAGS_near_duplicate_threshold);
  const int max_batch = absl::GetFlag(FLAGS_max_batch);
  const int max_unary = absl::GetFlag(FLAGS_max_unary_in_flight);
  if (max_bytes <= 0 || max_bytes > (int64_t{256} << 20) || threshold <= 0 ||
      threshold > 1 || max_batch < 1 || max_batch > 1000 || max_unary < 1) {
    std::fprintf(stderr,
                 "ingest_server: --max_article_bytes must be in (0, 256 MiB], "
                 "--near_duplicate_threshold in (0, 1], --max_batch in [1, 1000], "
                 "--max_unary_in_flight at least 1\n");
    return 2;
  }
  options.service.preparer.max_article_bytes = static_cast<size_t>(max_bytes);
  options.pipeline.near_duplicate_resemblance = threshold;
  options.pipeline.max_batch = max_batch;
  options.pipeline.replicas = absl::GetFlag(FLAGS_replicas);
  if (absl::Status replicas = archive::store::ValidateReplicas(
          options.pipeline.replicas, options.store_addresses.size());
      !replicas.ok()) {
    std::fprintf(stderr, "ingest_server: %s\n", std::string(replicas.message()).c_str());
    return 2;
  }
  options.service.max_unary_in_flight = max_unary;
  options.pipeline.max_store_wait = absl::GetFlag(FLAGS_store_timeout);

  archive::ReadServerFlags(&options);
  absl::StatusOr<archive::ClientSecurity> store_security =
      archive::store::StoreClientSecurityFromFlags();
  if (!store_security.ok()) {
    std::fprintf(stderr, "ingest_server: %s\n",
                 std::string(store_security.status().message()).c_str());
    return 2;
  }
  options.store_security = *std::move(store_security);
  const absl::Status status = archive::ingest::RunIngestServer(options);
  if (!status.ok()) {
    std::fprintf(stderr, "ingest_server: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
