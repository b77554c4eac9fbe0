// store_server: one shard of the news archive.
//   store_server --listen=127.0.0.1:50052 --db=DIR [--sync=true]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/article_rules.h"
#include "common/byte_size.h"
#include "common/grpc_server.h"
#include "common/server_flags.h"
#include "store/store_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "HOST:PORT to serve on");
ABSL_FLAG(std::string, db, "", "directory of the RocksDB database (created "
                               "if missing); required");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before acknowledging a Put");
ABSL_FLAG(int, workers, 16, "threads running database work");
ABSL_FLAG(int, max_queued, 4096,
          "requests that may wait for a worker before new ones are refused");
ABSL_FLAG(int, block_cache_mb, 256, "RocksDB block cache size");
ABSL_FLAG(int64_t, max_article_bytes, archive::kDefaultMaxArticleBytes,
          "largest article a Put takes: title, body and captions, in bytes "
          "(at least ingest_server's --max_article_bytes)");
ABSL_FLAG(archive::ByteSize, min_free_disk, archive::ByteSize{uint64_t{256} << 20},
          "Puts are refused (RESOURCE_EXHAUSTED) while less than this is free "
          "on the database's volume, and resume by themselves once there is "
          "more; a store started with less opens read-only. 0 turns it off. "
          "See docs/RELIABILITY.md for how much to give");
ABSL_FLAG(int, segment_documents, 4096,
          "documents whose postings are held in memory before they are "
          "written out as one segment (more: faster writes, more memory and "
          "a longer start after a crash)");

int main(int argc, char** argv) {
  archive::InstallTerminationHandlers();
  absl::SetProgramUsageMessage(
      "Serves archive.v1.Store over one RocksDB database.\n"
      "  store_server --listen=127.0.0.1:50052 --db=DIR [--sync=true]");
  absl::ParseCommandLine(argc, argv);

  archive::store::StoreServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.db_path = absl::GetFlag(FLAGS_db);
  options.db.sync = absl::GetFlag(FLAGS_sync);
  options.db.block_cache_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
  const int segment_documents = absl::GetFlag(FLAGS_segment_documents);
  options.db.segment_documents = static_cast<uint64_t>(std::max(1, segment_documents));
  const int64_t max_article_bytes = absl::GetFlag(FLAGS_max_article_bytes);
  if (max_article_bytes <= 0 || max_article_bytes > (int64_t{16} << 20)) {
    std::fprintf(stderr,
                 "store_server: --max_article_bytes must be in (0, 16 MiB], not %lld\n",
                 static_cast<long long>(max_article_bytes));
    return 2;
  }
  options.db.max_article_bytes = static_cast<size_t>(max_article_bytes);
  options.db.min_free_disk_bytes = absl::GetFlag(FLAGS_min_free_disk).bytes;
  options.worker_threads = absl::GetFlag(FLAGS_workers);
  options.max_queued_requests = absl::GetFlag(FLAGS_max_queued);
  if (options.db_path.empty()) {
    std::fprintf(stderr, "store_server: --db=DIR is required\n");
    return 2;
  }
  if (options.worker_threads < 1 || options.max_queued_requests < 1) {
    std::fprintf(stderr, "store_server: --workers and --max_queued must be positive\n");
    return 2;
  }
  const int block_cache_mb = absl::GetFlag(FLAGS_block_cache_mb);
  if (block_cache_mb < 1) {
    std::fprintf(stderr, "store_server: --block_cache_mb must be positive, not %d\n",
                 block_cache_mb);
    return 2;
  }
  if (segment_documents < 1) {
    std::fprintf(stderr, "store_server: --segment_documents must be positive, not %d\n",
                 segment_documents);
    return 2;
  }

  archive::ReadServerFlags(&options);
  const absl::Status status = archive::store::RunStoreServer(options);
  if (!status.ok()) {
    std::fprintf(stderr, "store_server: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
