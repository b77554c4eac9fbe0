// The rules every stored article obeys. Ingest checks them before routing an
// article and the store checks them again before writing, so a bad article
// never reaches RocksDB whoever sends it.
//
// Each failure is INVALID_ARGUMENT whose message starts with the field's path
// (`field_prefix` + the field name), then says why:
//   "items[2].article.published_at: 1985-01-01T00:00:00Z is before 1990-01-01"
#ifndef COMMON_ARTICLE_RULES_H_
#define COMMON_ARTICLE_RULES_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace archive {

// Publication and crawl times lie in [1990-01-01, now + 1 day].
absl::Time EarliestArticleTime();
absl::Time LatestArticleTime(absl::Time now);

// A set timestamp within the bounds above, with nanos in [0, 1e9).
absl::Status ValidateArticleTime(const google::protobuf::Timestamp& time,
                                 absl::Time now, std::string_view field);

// A lower-case host name such as "aawsat.com".
absl::Status ValidateSource(std::string_view source, std::string_view field);

// Everything the store requires of an article it is asked to keep: source,
// non-empty body, one-line title, published_at (and crawled_at when set) in
// bounds, content_digest equal to the digest of title and body, id derived
// from it, and near_duplicate_of (when set) a well-formed id.
absl::Status ValidateStoredArticle(const v1::Article& article, absl::Time now,
                                   std::string_view field_prefix);

}  // namespace archive

#endif  // COMMON_ARTICLE_RULES_H_
