// The rules every stored article obeys, written once. Ingest prepares an
// article (cleans its text, derives its digest) and then checks it with
// ValidateStoredArticle; the store checks every article of a Put with the
// same function before writing anything, so a bad article never reaches
// RocksDB, whoever sends it.
//
// Each failure is INVALID_ARGUMENT whose message starts with the field's path
// (`field_prefix` + the field name), then says why:
//   "items[2].article.published_at: 1985-01-01T00:00:00Z is before 1990-01-01"
#ifndef COMMON_ARTICLE_RULES_H_
#define COMMON_ARTICLE_RULES_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace archive {

// The largest article the archive takes by default: its title, body and
// captions together, in bytes (ArticleTextBytes). Ingest's and the store's
// --max_article_bytes and archivectl's check before sending all default to it.
inline constexpr size_t kDefaultMaxArticleBytes = size_t{1} << 20;
// The longest title, in characters.
inline constexpr size_t kMaxTitleChars = 1000;
// The most captions and authors an article keeps.
inline constexpr int kMaxCaptions = 1000;
inline constexpr int kMaxAuthors = 100;

// What the size rules measure: the bytes of title, body and captions.
size_t ArticleTextBytes(const v1::Article& article);

// The largest message that carries one article of at most
// `max_article_bytes` (its text, and room for the other fields): ingest's
// gRPC receive limit, and what archivectl checks a request against before
// sending it, so that no article it sends can end a SubmitStream.
inline size_t MaxArticleMessageBytes(size_t max_article_bytes) {
  return max_article_bytes * 2 + (size_t{64} << 10);
}

// Publication and crawl times lie in [1990-01-01, now + 1 day].
absl::Time EarliestArticleTime();
absl::Time LatestArticleTime(absl::Time now);

// A set timestamp within the bounds above, with nanos in [0, 1e9).
absl::Status ValidateArticleTime(const google::protobuf::Timestamp& time,
                                 absl::Time now, std::string_view field);

// A lower-case host name such as "aawsat.com", exactly as given: a source
// with a control character in it is refused, not cleaned into another host.
absl::Status ValidateSource(std::string_view source, std::string_view field);

// Empty, or a BCP 47 tag in the shape news metadata uses, such as "en" or
// "pt-BR": a 2-3 letter language, then subtags of 1-8 letters or digits.
absl::Status ValidateLanguage(std::string_view language, std::string_view field);

// Everything the store requires of an article it is asked to keep, which is
// what ingest's preparation makes of a good submission:
//  - source: a host name (ValidateSource);
//  - title, captions and authors: one line each, as the text normalizer
//    leaves it (no control characters, NFC, single spaces); the title at
//    most kMaxTitleChars characters, captions and authors non-empty;
//  - body: non-empty, as the normalizer leaves it;
//  - title, body and captions together within `max_article_bytes`;
//  - url: empty or an http(s) URL in canonical form;
//  - language: empty or a BCP 47 tag;
//  - date_source: a known value;
//  - published_at set, it and crawled_at (when set) within the bounds;
//  - content_digest the digest of title and body, id derived from it;
//  - near_duplicate_of: empty or a well-formed id other than the article's;
//  - sightings: each a host name, a canonical URL or none, a crawl time in
//    bounds.
// Whether near_duplicate_of names a stored article is not checked here: the
// earlier article may live on another store (docs/RELIABILITY.md).
absl::Status ValidateStoredArticle(const v1::Article& article, absl::Time now,
                                   size_t max_article_bytes,
                                   std::string_view field_prefix);

}  // namespace archive

#endif  // COMMON_ARTICLE_RULES_H_
