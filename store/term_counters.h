// The counters of the term_stats column family (see posting_codec.h): a
// fixed number of uint64s, 8 little-endian bytes each, that a RocksDB merge
// operator sums element-wise. Each new article merges 1 into the document
// frequency of each of its terms and {1, its length} into the collection's
// totals, so concurrent Puts add up without a read-modify-write.
#ifndef STORE_TERM_COUNTERS_H_
#define STORE_TERM_COUNTERS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rocksdb/merge_operator.h"

namespace archive::store {

std::string EncodeTermCounters(const std::vector<uint64_t>& counters);
// nullopt unless `bytes` holds exactly `count` counters.
std::optional<std::vector<uint64_t>> DecodeTermCounters(std::string_view bytes,
                                                        size_t count);

// The merge operator of the term_stats column family. Operands of different
// lengths do not merge: RocksDB reports corruption.
std::shared_ptr<rocksdb::MergeOperator> NewTermCountersMergeOperator();

}  // namespace archive::store

#endif  // STORE_TERM_COUNTERS_H_
