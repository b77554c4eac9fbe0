#include "store/source_counters.h"

#include "common/coding.h"
#include "common/proto_time.h"
#include "google/protobuf/util/time_util.h"
#include "store/article_key.h"

namespace archive::store {
namespace {

constexpr size_t kEncodedLength = 8 + 8 + 2 * kTimeKeyLength;

class SourceCountersMergeOperator final
    : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    std::optional<SourceCounters> sum =
        SourceCounters::Decode(std::string_view(value.data(), value.size()));
    if (!sum.has_value()) return false;  // RocksDB reports corruption
    if (existing != nullptr) {
      std::optional<SourceCounters> before = SourceCounters::Decode(
          std::string_view(existing->data(), existing->size()));
      if (!before.has_value()) return false;
      sum->Add(*before);
    }
    *new_value = sum->Encode();
    return true;
  }

  const char* Name() const override { return "archive.SourceCounters"; }
};

}  // namespace

SourceCounters SourceCounters::ForArticle(
    uint64_t bytes, const google::protobuf::Timestamp& published_at) {
  SourceCounters counters;
  counters.article_count = 1;
  counters.total_bytes = bytes;
  counters.oldest = published_at;
  counters.newest = published_at;
  return counters;
}

SourceCounters SourceCounters::ForRemoval(uint64_t bytes) {
  SourceCounters counters;
  counters.article_count = ~uint64_t{0};  // minus one
  counters.total_bytes = uint64_t{0} - bytes;
  counters.oldest.set_seconds(google::protobuf::util::TimeUtil::kTimestampMaxSeconds);
  counters.newest.set_seconds(google::protobuf::util::TimeUtil::kTimestampMinSeconds);
  return counters;
}

std::string SourceCounters::Encode() const {
  std::string out;
  out.reserve(kEncodedLength);
  AppendLittleEndian(article_count, 8, &out);
  AppendLittleEndian(total_bytes, 8, &out);
  out.append(EncodeTime(oldest));
  out.append(EncodeTime(newest));
  return out;
}

std::optional<SourceCounters> SourceCounters::Decode(std::string_view bytes) {
  if (bytes.size() != kEncodedLength) return std::nullopt;
  std::optional<google::protobuf::Timestamp> oldest =
      DecodeTime(bytes.substr(16, kTimeKeyLength));
  std::optional<google::protobuf::Timestamp> newest =
      DecodeTime(bytes.substr(16 + kTimeKeyLength, kTimeKeyLength));
  if (!oldest.has_value() || !newest.has_value()) return std::nullopt;
  SourceCounters counters;
  counters.article_count = ReadLittleEndian(bytes.substr(0, 8));
  counters.total_bytes = ReadLittleEndian(bytes.substr(8, 8));
  counters.oldest = *oldest;
  counters.newest = *newest;
  return counters;
}

void SourceCounters::Add(const SourceCounters& other) {
  if (other.article_count == 0) return;
  if (article_count == 0 || other.oldest < oldest) oldest = other.oldest;
  if (article_count == 0 || newest < other.newest) newest = other.newest;
  article_count += other.article_count;
  total_bytes += other.total_bytes;
}

std::shared_ptr<rocksdb::MergeOperator> NewSourceCountersMergeOperator() {
  return std::make_shared<SourceCountersMergeOperator>();
}

}  // namespace archive::store
