#include "store/store_metrics.h"

#include <string>
#include <utility>

#include "common/metrics.h"

namespace archive::store {
namespace {

prometheus::MetricFamily Gauges(const std::string& name, const std::string& help) {
  return SampledFamily(name, help, prometheus::MetricType::Gauge);
}

prometheus::MetricFamily Single(const std::string& name, const std::string& help,
                                double value) {
  return SingleSample(name, help, prometheus::MetricType::Gauge, value);
}

}  // namespace

std::vector<prometheus::MetricFamily> StoreCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  absl::StatusOr<StoreFigures> figures = db_->Figures();
  if (!figures.ok()) return families;  // a closed database: nothing to say
  const StoreFigures& f = *figures;
  families.push_back(Single("archive_store_articles", "Distinct articles held.", f.articles));
  families.push_back(Single("archive_store_text_bytes",
                            "Bytes of title, body and captions held.", f.text_bytes));
  families.push_back(Single("archive_store_disk_free_bytes",
                            "Bytes free on the database's volume.", f.free_disk_bytes));
  families.push_back(Single("archive_store_disk_min_free_bytes",
                            "The watermark below which Puts are refused (--min_free_disk).",
                            f.min_free_disk_bytes));
  families.push_back(Single("archive_store_writes_allowed",
                            "1 while the store takes Puts, 0 while its disk is nearly full "
                            "or it is read-only.",
                            f.writes_allowed ? 1 : 0));
  families.push_back(Single("archive_store_read_only",
                            "1 when the database was opened read-only.", f.read_only ? 1 : 0));

  prometheus::MetricFamily sst_files =
      Gauges("archive_rocksdb_sst_files", "Table files, by column family.");
  prometheus::MetricFamily sst_bytes =
      Gauges("archive_rocksdb_sst_bytes", "Bytes of table files, by column family.");
  prometheus::MetricFamily memtables =
      Gauges("archive_rocksdb_memtable_bytes", "Bytes of memtables, by column family.");
  prometheus::MetricFamily pending = Gauges(
      "archive_rocksdb_pending_compaction_bytes",
      "Bytes RocksDB estimates compactions must rewrite, by column family; "
      "growing means compactions fall behind.");
  for (const StoreFigures::Family& family : f.families) {
    const std::vector<prometheus::ClientMetric::Label> labels = {{"family", family.name}};
    AddSample(&sst_files, family.sst_files, labels);
    AddSample(&sst_bytes, family.sst_bytes, labels);
    AddSample(&memtables, family.memtable_bytes, labels);
    AddSample(&pending, family.pending_compaction_bytes, labels);
  }
  for (prometheus::MetricFamily* family : {&sst_files, &sst_bytes, &memtables, &pending}) {
    families.push_back(std::move(*family));
  }
  families.push_back(Single("archive_rocksdb_block_cache_usage_bytes",
                            "Bytes in the block cache (memtables are charged to it).",
                            f.block_cache_usage_bytes));
  families.push_back(Single("archive_rocksdb_block_cache_capacity_bytes",
                            "The block cache's capacity.", f.block_cache_capacity_bytes));
  families.push_back(Single("archive_rocksdb_write_stopped",
                            "1 while RocksDB stops writes (too many L0 files or memtables).",
                            f.write_stopped ? 1 : 0));
  families.push_back(Single("archive_rocksdb_delayed_write_rate_bytes",
                            "Bytes per second RocksDB slows writes to while it stalls them, "
                            "0 when it does not.",
                            f.delayed_write_rate));
  families.push_back(Single("archive_rocksdb_background_errors",
                            "Background errors (flush, compaction) since open.",
                            f.background_errors));
  families.push_back(Single("archive_store_postings_in_memory_documents",
                            "Articles whose postings are held in memory, not yet written "
                            "out as a segment.",
                            f.postings.documents));
  families.push_back(Single("archive_store_postings_in_memory_bytes",
                            "Bytes of postings held in memory.", f.postings.bytes));
  families.push_back(Single("archive_store_postings_segment_waiting",
                            "1 while a full segment waits to be written out.",
                            f.postings.frozen ? 1 : 0));
  return families;
}

}  // namespace archive::store
