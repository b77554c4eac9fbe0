#include "store/article_key.h"

#include "common/coding.h"
#include "common/fingerprint.h"

namespace archive::store {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return c - 'a' + 10;
}

void AppendPosition(const ArticlePosition& at, std::string* out) {
  out->append(EncodeTime(at.published_at));
  // Callers validate ids first; a malformed one cannot reach a key.
  out->append(EncodeId(at.id).value_or(std::string(kIdKeyLength, '\0')));
}

std::optional<ArticlePosition> DecodePosition(std::string_view bytes) {
  if (bytes.size() != kTimeKeyLength + kIdKeyLength) return std::nullopt;
  std::optional<google::protobuf::Timestamp> time =
      DecodeTime(bytes.substr(0, kTimeKeyLength));
  if (!time.has_value()) return std::nullopt;
  return ArticlePosition{*time, DecodeId(bytes.substr(kTimeKeyLength))};
}

}  // namespace

std::string EncodeTime(const google::protobuf::Timestamp& time) {
  std::string out;
  out.reserve(kTimeKeyLength);
  AppendBigEndian(static_cast<uint64_t>(time.seconds()) ^ (uint64_t{1} << 63),
                  8, &out);
  AppendBigEndian(static_cast<uint32_t>(time.nanos()), 4, &out);
  return out;
}

std::optional<google::protobuf::Timestamp> DecodeTime(std::string_view bytes) {
  if (bytes.size() != kTimeKeyLength) return std::nullopt;
  const uint64_t nanos = ReadBigEndian(bytes.substr(8, 4));
  if (nanos >= 1'000'000'000) return std::nullopt;
  google::protobuf::Timestamp time;
  time.set_seconds(static_cast<int64_t>(ReadBigEndian(bytes.substr(0, 8)) ^
                                        (uint64_t{1} << 63)));
  time.set_nanos(static_cast<int32_t>(nanos));
  return time;
}

std::optional<std::string> EncodeId(std::string_view hex_id) {
  if (!IsWellFormedId(hex_id)) return std::nullopt;
  std::string bytes(kIdKeyLength, '\0');
  for (size_t i = 0; i < kIdKeyLength; ++i) {
    bytes[i] = static_cast<char>(HexValue(hex_id[2 * i]) << 4 |
                                 HexValue(hex_id[2 * i + 1]));
  }
  return bytes;
}

std::string DecodeId(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

std::string SourcePrefix(std::string_view source) {
  std::string key(source);
  key.push_back('\0');
  return key;
}

std::string SourceTimeKey(std::string_view source,
                          const google::protobuf::Timestamp& time) {
  std::string key = SourcePrefix(source);
  key.append(EncodeTime(time));
  return key;
}

std::string ArticleKey(std::string_view source, const ArticlePosition& at) {
  std::string key = SourcePrefix(source);
  AppendPosition(at, &key);
  return key;
}

std::string TimeKey(const ArticlePosition& at) {
  std::string key;
  key.reserve(kTimeKeyLength + kIdKeyLength);
  AppendPosition(at, &key);
  return key;
}

std::string UrlKey(std::string_view url, const ArticlePosition& at) {
  std::string key(url);
  key.push_back('\0');
  AppendPosition(at, &key);
  return key;
}

std::string BandPrefix(uint64_t band) {
  std::string key;
  key.reserve(8 + kIdKeyLength);
  AppendBigEndian(band, 8, &key);
  return key;
}

std::string BandKey(uint64_t band, std::string_view hex_id) {
  std::string key = BandPrefix(band);
  key.append(EncodeId(hex_id).value_or(std::string(kIdKeyLength, '\0')));
  return key;
}

std::optional<std::string> DecodeBandKeyId(std::string_view key) {
  if (key.size() != 8 + kIdKeyLength) return std::nullopt;
  return DecodeId(key.substr(8));
}

std::string EncodeSignatureRecord(const google::protobuf::Timestamp& published_at,
                                  const std::vector<uint32_t>& signature) {
  std::string bytes = EncodeTime(published_at);
  bytes.reserve(kTimeKeyLength + 4 * signature.size());
  for (uint32_t value : signature) AppendLittleEndian(value, 4, &bytes);
  return bytes;
}

std::optional<SignatureRecord> DecodeSignatureRecord(std::string_view bytes) {
  if (bytes.size() < kTimeKeyLength || (bytes.size() - kTimeKeyLength) % 4 != 0) {
    return std::nullopt;
  }
  std::optional<google::protobuf::Timestamp> time =
      DecodeTime(bytes.substr(0, kTimeKeyLength));
  if (!time.has_value()) return std::nullopt;
  SignatureRecord record;
  record.published_at = *time;
  for (size_t at = kTimeKeyLength; at < bytes.size(); at += 4) {
    record.signature.push_back(
        static_cast<uint32_t>(ReadLittleEndian(bytes.substr(at, 4))));
  }
  return record;
}

std::optional<DecodedArticleKey> DecodeArticleKey(std::string_view key) {
  const size_t nul = key.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  std::optional<ArticlePosition> position = DecodePosition(key.substr(nul + 1));
  if (!position.has_value()) return std::nullopt;
  return DecodedArticleKey{std::string(key.substr(0, nul)),
                           *std::move(position)};
}

std::optional<ArticlePosition> DecodeTimeKey(std::string_view key) {
  return DecodePosition(key);
}

}  // namespace archive::store
