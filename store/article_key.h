// The store's key codec: how articles and their indexes are laid out in
// RocksDB so that the reads the archive needs are single seeks.
//
//   articles CF   source 0x00 time id        -> Article
//   by_time CF    time id                    -> source
//   by_id CF      id                         -> articles key
//   by_url CF     url 0x00 time id           -> (empty)
//   lsh_bands CF  band id                    -> (empty)
//   minhash CF    id                         -> time signature
//
// (The full-text index's postings and term_stats families are laid out in
// posting_codec.h.)
//
// time is 12 bytes: the Unix seconds as a big-endian int64 with its sign bit
// flipped, then the nanoseconds as a big-endian uint32, so byte order is time
// order, before 1970 too. id is the 16 raw bytes behind the 32 hex digits.
// band is a MinHash LSH band key as 8 big-endian bytes; signature is the
// MinHash values as little-endian uint32s. A source or url never contains 0x00, so "a" sorts wholly before "ab".
// Private to store/: nothing outside this folder builds a RocksDB key.
#ifndef STORE_ARTICLE_KEY_H_
#define STORE_ARTICLE_KEY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/timestamp.pb.h"

namespace archive::store {

inline constexpr size_t kTimeKeyLength = 12;
inline constexpr size_t kIdKeyLength = 16;

// A point in publication order: time, then id.
struct ArticlePosition {
  google::protobuf::Timestamp published_at;
  std::string id;  // 32 lower-case hex digits
};

// 12 order-preserving bytes for a timestamp.
std::string EncodeTime(const google::protobuf::Timestamp& time);
std::optional<google::protobuf::Timestamp> DecodeTime(std::string_view bytes);

// 16 raw bytes for a well-formed id; nullopt when it is not one.
std::optional<std::string> EncodeId(std::string_view hex_id);
std::string DecodeId(std::string_view bytes);

// source 0x00 time id: the key of an article in the articles CF.
std::string ArticleKey(std::string_view source, const ArticlePosition& at);
// source 0x00: every article of the source starts with it.
std::string SourcePrefix(std::string_view source);
// source 0x00 time: the first key at or after `time` within the source.
std::string SourceTimeKey(std::string_view source,
                          const google::protobuf::Timestamp& time);

// time id: the key of an article in the by_time CF.
std::string TimeKey(const ArticlePosition& at);

// url 0x00 time id: the key of a revision in the by_url CF.
std::string UrlKey(std::string_view url, const ArticlePosition& at);

// band id: the key of an article under one LSH band; every article sharing
// the band starts with BandPrefix(band).
std::string BandPrefix(uint64_t band);
std::string BandKey(uint64_t band, std::string_view hex_id);
// The id in a band key.
std::optional<std::string> DecodeBandKeyId(std::string_view key);

// The minhash CF's value: when the article was published and its signature.
struct SignatureRecord {
  google::protobuf::Timestamp published_at;
  std::vector<uint32_t> signature;
};
std::string EncodeSignatureRecord(const google::protobuf::Timestamp& published_at,
                                  const std::vector<uint32_t>& signature);
std::optional<SignatureRecord> DecodeSignatureRecord(std::string_view bytes);

// The parts of an articles-CF key, or nullopt when the key is malformed.
struct DecodedArticleKey {
  std::string source;
  ArticlePosition position;
};
std::optional<DecodedArticleKey> DecodeArticleKey(std::string_view key);
// The position in a by_time key.
std::optional<ArticlePosition> DecodeTimeKey(std::string_view key);

}  // namespace archive::store

#endif  // STORE_ARTICLE_KEY_H_
