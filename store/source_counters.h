// Per-source totals kept in the source_stats column family and combined by a
// RocksDB merge operator, so concurrent Puts of one source add up without a
// read-modify-write: each new article merges {1, bytes, time, time}.
#ifndef STORE_SOURCE_COUNTERS_H_
#define STORE_SOURCE_COUNTERS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/merge_operator.h"

namespace archive::store {

struct SourceCounters {
  uint64_t article_count = 0;
  uint64_t total_bytes = 0;
  google::protobuf::Timestamp oldest;
  google::protobuf::Timestamp newest;

  // The counters of one article published at `published_at`.
  static SourceCounters ForArticle(uint64_t bytes,
                                   const google::protobuf::Timestamp& published_at);

  // The counters that take one article of `bytes` away again (a copy
  // deleted): counts in two's complement, times that widen nothing (a
  // source's time bounds stay as they were).
  static SourceCounters ForRemoval(uint64_t bytes);

  // 40 bytes: count and bytes as little-endian uint64, then the two times in
  // the key codec's 12-byte form.
  std::string Encode() const;
  static std::optional<SourceCounters> Decode(std::string_view bytes);

  // Sums counts and widens the time bounds.
  void Add(const SourceCounters& other);
};

// The merge operator of the source_stats column family.
std::shared_ptr<rocksdb::MergeOperator> NewSourceCountersMergeOperator();

}  // namespace archive::store

#endif  // STORE_SOURCE_COUNTERS_H_
