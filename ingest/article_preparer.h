// Turns an article as a crawler sent it into the article the archive keeps:
// validated, normalized, fingerprinted, with its MinHash signature.
//
// Every rule failure is INVALID_ARGUMENT whose message starts with the field
// ("article.published_at: 1985-01-01T00:00:00Z is before 1990-01-01"), so a
// crawler can tell what to fix. Pure and thread-safe.
#ifndef INGEST_ARTICLE_PREPARER_H_
#define INGEST_ARTICLE_PREPARER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"

namespace archive::ingest {

struct PreparedArticle {
  // Normalized, with id and content_digest set and no sightings.
  v1::Article article;
  // MinHash signature of the body's words (common/minhash.h).
  std::vector<uint32_t> minhash;
};

struct PreparerOptions {
  // Largest title, body and captions together, in bytes, before cleanup.
  size_t max_article_bytes = size_t{1} << 20;
  // Longest title, in characters after cleanup.
  size_t max_title_chars = 1000;
};

// The rules, in the order checked:
//  - every string valid UTF-8, and the text within max_article_bytes;
//  - source: required, a host name (lower-cased first: "AAWSAT.com" is
//    "aawsat.com");
//  - title: one line, at most max_title_chars; body: non-empty after cleanup;
//  - url: optional; an absolute http(s) URL, kept in canonical form;
//  - language: optional; a BCP 47 tag such as "en" or "pt-BR";
//  - published_at: required, between 1990-01-01 and a day after `now`;
//    crawled_at: `now` when unset, else the same bounds;
//  - id and content_digest: optional; when given, those of the normalized
//    title and body.
// near_duplicate_of and sightings are the archive's to set and are cleared.
absl::StatusOr<PreparedArticle> PrepareArticle(const v1::Article& submitted,
                                               absl::Time now,
                                               const PreparerOptions& options);

}  // namespace archive::ingest

#endif  // INGEST_ARTICLE_PREPARER_H_
