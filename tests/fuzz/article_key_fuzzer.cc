// Fuzzes the store's key codec (store/article_key.h).
//
// Properties: every decoder takes any bytes without crashing, and whatever it
// accepts encodes back to the very same bytes; values built from the input
// survive encoding and decoding unchanged; keys sort as the archive reads
// them: by source, then by publication time, then by id.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/fingerprint.h"
#include "google/protobuf/timestamp.pb.h"
#include "store/article_key.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

using ::archive::store::ArticlePosition;

bool SameTime(const google::protobuf::Timestamp& a,
              const google::protobuf::Timestamp& b) {
  return a.seconds() == b.seconds() && a.nanos() == b.nanos();
}

bool SamePosition(const ArticlePosition& a, const ArticlePosition& b) {
  return SameTime(a.published_at, b.published_at) && a.id == b.id;
}

auto Order(const ArticlePosition& at) {
  return std::make_tuple(at.published_at.seconds(), at.published_at.nanos(),
                         at.id);
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = value << 8 | static_cast<unsigned char>(c);
  return value;
}

// The decoders on arbitrary bytes: what they accept is what an encoder made.
void CheckDecoders(std::string_view bytes) {
  if (std::optional<google::protobuf::Timestamp> time =
          store::DecodeTime(bytes)) {
    FUZZ_CHECK(time->nanos() >= 0 && time->nanos() < 1'000'000'000,
               "nanos out of range");
    FUZZ_CHECK(store::EncodeTime(*time) == bytes, "DecodeTime is not exact");
  }
  if (std::optional<ArticlePosition> at = store::DecodeTimeKey(bytes)) {
    FUZZ_CHECK(IsWellFormedId(at->id), at->id);
    FUZZ_CHECK(store::TimeKey(*at) == bytes, "DecodeTimeKey is not exact");
  }
  if (std::optional<store::DecodedArticleKey> key =
          store::DecodeArticleKey(bytes)) {
    FUZZ_CHECK(key->source.find('\0') == std::string::npos, "NUL in source");
    FUZZ_CHECK(IsWellFormedId(key->position.id), key->position.id);
    FUZZ_CHECK(store::ArticleKey(key->source, key->position) == bytes,
               "DecodeArticleKey is not exact");
  }
  if (std::optional<std::string> id = store::DecodeBandKeyId(bytes)) {
    FUZZ_CHECK(IsWellFormedId(*id), *id);
    FUZZ_CHECK(store::BandKey(ReadBigEndian(bytes.substr(0, 8)), *id) == bytes,
               "DecodeBandKeyId is not exact");
  }
  if (std::optional<store::SignatureRecord> record =
          store::DecodeSignatureRecord(bytes)) {
    FUZZ_CHECK(store::EncodeSignatureRecord(record->published_at,
                                            record->signature) == bytes,
               "DecodeSignatureRecord is not exact");
  }
  const std::string hex = store::DecodeId(bytes);
  FUZZ_CHECK(hex.size() == 2 * bytes.size(), "DecodeId length");
  const std::optional<std::string> id_bytes = store::EncodeId(bytes);
  FUZZ_CHECK(id_bytes.has_value() == IsWellFormedId(bytes), "EncodeId domain");
  if (id_bytes.has_value()) {
    FUZZ_CHECK(store::DecodeId(*id_bytes) == bytes, "EncodeId round trip");
  }
}

std::string Source(FuzzInput& input) {
  std::string source = input.String();
  for (char& c : source) {
    if (c == '\0') c = '.';  // a source never holds 0x00
  }
  return source;
}

ArticlePosition Position(FuzzInput& input) {
  ArticlePosition at;
  at.published_at.set_seconds(static_cast<int64_t>(input.Integer(8)));
  at.published_at.set_nanos(
      static_cast<int32_t>(input.Integer(4) % 1'000'000'000));
  std::string id_bytes = input.Bytes(store::kIdKeyLength);
  id_bytes.resize(store::kIdKeyLength, '\0');
  at.id = store::DecodeId(id_bytes);
  return at;
}

// Values built from the input: encoded, decoded back unchanged, in order.
void CheckEncoders(FuzzInput& input) {
  const std::string source_a = Source(input);
  const std::string source_b = input.Bool() ? source_a : Source(input);
  const ArticlePosition a = Position(input);
  const ArticlePosition b = Position(input);
  const uint64_t band = input.Integer(8);

  const std::string time_a = store::EncodeTime(a.published_at);
  FUZZ_CHECK(time_a.size() == store::kTimeKeyLength, "EncodeTime length");
  const std::optional<google::protobuf::Timestamp> time =
      store::DecodeTime(time_a);
  FUZZ_CHECK(time.has_value() && SameTime(*time, a.published_at),
             "time round trip");
  const auto time_order = [](const ArticlePosition& at) {
    return std::make_tuple(at.published_at.seconds(), at.published_at.nanos());
  };
  FUZZ_CHECK((time_a < store::EncodeTime(b.published_at)) ==
                 (time_order(a) < time_order(b)),
             "time bytes out of time order");

  const std::string key_a = store::ArticleKey(source_a, a);
  const std::string key_b = store::ArticleKey(source_b, b);
  const std::optional<store::DecodedArticleKey> decoded =
      store::DecodeArticleKey(key_a);
  FUZZ_CHECK(decoded.has_value() && decoded->source == source_a &&
                 SamePosition(decoded->position, a),
             "article key round trip");
  FUZZ_CHECK(key_a.rfind(store::SourcePrefix(source_a), 0) == 0,
             "article key outside its source prefix");
  FUZZ_CHECK(store::SourceTimeKey(source_a, a.published_at) <= key_a,
             "SourceTimeKey after its article");
  const bool a_first =
      source_a == source_b ? Order(a) < Order(b) : source_a < source_b;
  FUZZ_CHECK((key_a < key_b) == a_first, "article keys out of order");

  const std::optional<ArticlePosition> by_time =
      store::DecodeTimeKey(store::TimeKey(a));
  FUZZ_CHECK(by_time.has_value() && SamePosition(*by_time, a),
             "time key round trip");
  FUZZ_CHECK((store::TimeKey(a) < store::TimeKey(b)) == (Order(a) < Order(b)),
             "time keys out of order");
  FUZZ_CHECK(store::UrlKey(source_a, a) ==
                 store::SourcePrefix(source_a) + store::TimeKey(a),
             "url key layout");

  const std::string band_key = store::BandKey(band, a.id);
  FUZZ_CHECK(band_key.rfind(store::BandPrefix(band), 0) == 0,
             "band key outside its prefix");
  FUZZ_CHECK(store::DecodeBandKeyId(band_key) == a.id, "band key round trip");

  std::vector<uint32_t> signature;
  while (!input.empty()) {
    signature.push_back(static_cast<uint32_t>(input.Integer(4)));
  }
  const std::optional<store::SignatureRecord> record =
      store::DecodeSignatureRecord(
          store::EncodeSignatureRecord(a.published_at, signature));
  FUZZ_CHECK(record.has_value() &&
                 SameTime(record->published_at, a.published_at) &&
                 record->signature == signature,
             "signature record round trip");
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::CheckDecoders(
      std::string_view(reinterpret_cast<const char*>(data), size));
  archive::fuzz::FuzzInput input(data, size);
  archive::fuzz::CheckEncoders(input);
  return 0;
}
