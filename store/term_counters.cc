#include "store/term_counters.h"

#include "common/coding.h"

namespace archive::store {
namespace {

constexpr size_t kCounterBytes = 8;

class TermCountersMergeOperator final
    : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    const size_t count = value.size() / kCounterBytes;
    std::optional<std::vector<uint64_t>> sum =
        DecodeTermCounters(value.ToStringView(), count);
    if (!sum.has_value()) return false;
    if (existing != nullptr) {
      std::optional<std::vector<uint64_t>> before =
          DecodeTermCounters(existing->ToStringView(), count);
      if (!before.has_value()) return false;
      for (size_t i = 0; i < count; ++i) (*sum)[i] += (*before)[i];
    }
    *new_value = EncodeTermCounters(*sum);
    return true;
  }

  const char* Name() const override { return "archive.TermCounters"; }
};

}  // namespace

std::string EncodeTermCounters(const std::vector<uint64_t>& counters) {
  std::string out;
  out.reserve(kCounterBytes * counters.size());
  for (uint64_t value : counters) AppendLittleEndian(value, kCounterBytes, &out);
  return out;
}

std::optional<std::vector<uint64_t>> DecodeTermCounters(std::string_view bytes,
                                                        size_t count) {
  if (count == 0 || bytes.size() != kCounterBytes * count) return std::nullopt;
  std::vector<uint64_t> counters;
  counters.reserve(count);
  for (size_t at = 0; at < bytes.size(); at += kCounterBytes) {
    counters.push_back(ReadLittleEndian(bytes.substr(at, kCounterBytes)));
  }
  return counters;
}

std::shared_ptr<rocksdb::MergeOperator> NewTermCountersMergeOperator() {
  return std::make_shared<TermCountersMergeOperator>();
}

}  // namespace archive::store
