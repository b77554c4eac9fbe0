// A store's own figures for Prometheus, read from its ArticleDb at each
// scrape (ArticleDb::Figures): what it holds, its disk's headroom, and the
// RocksDB figures operators page on. Names (all gauges):
//   archive_store_articles, archive_store_text_bytes
//   archive_store_disk_free_bytes, archive_store_disk_min_free_bytes,
//   archive_store_writes_allowed (0 while Puts are refused), archive_store_read_only
//   archive_rocksdb_sst_files{family}, archive_rocksdb_sst_bytes{family},
//   archive_rocksdb_memtable_bytes{family},
//   archive_rocksdb_pending_compaction_bytes{family}
//   archive_rocksdb_block_cache_usage_bytes, archive_rocksdb_block_cache_capacity_bytes
//   archive_rocksdb_write_stopped, archive_rocksdb_delayed_write_rate_bytes
//   archive_rocksdb_background_errors
//   archive_store_postings_in_memory_documents, archive_store_postings_in_memory_bytes,
//   archive_store_postings_segment_waiting
// And, recorded by the service (StoreService):
//   archive_store_put_items (histogram of articles per Put)
//   archive_store_put_write_seconds (histogram: the batch's write, fsync
//   included, without the time queued for a worker)
#ifndef STORE_STORE_METRICS_H_
#define STORE_STORE_METRICS_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "store/article_db.h"

namespace archive::store {

class StoreCollector final : public prometheus::Collectable {
 public:
  // `db` must outlive the collector's registration.
  explicit StoreCollector(const ArticleDb* db) : db_(db) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const ArticleDb* const db_;
};

}  // namespace archive::store

#endif  // STORE_STORE_METRICS_H_
