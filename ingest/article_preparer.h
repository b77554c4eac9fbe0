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
#include "common/article_rules.h"

namespace archive::ingest {

struct PreparedArticle {
  // Normalized, with id and content_digest set and no sightings.
  v1::Article article;
  // MinHash signature of the body's words (common/minhash.h).
  std::vector<uint32_t> minhash;
};

struct PreparerOptions {
  // Largest title, body and captions together, in bytes, before cleanup
  // (and so after it).
  size_t max_article_bytes = kDefaultMaxArticleBytes;
};

// The rules, in the order checked:
//  - every string valid UTF-8, and the text within max_article_bytes;
//  - source: required, a host name as sent (trimmed and lower-cased first:
//    " AAWSAT.com" is "aawsat.com"; nothing else is cleaned out of it);
//  - title: one line, at most kMaxTitleChars; body: non-empty after cleanup;
//  - url: optional; an absolute http(s) URL, kept in canonical form;
//  - language: optional; a BCP 47 tag such as "en" or "pt-BR"; when unset,
//    detected from the cleaned title and body (ingest/language_detector.h),
//    and left empty when the detector is unsure;
//  - crawled_at: `now` when unset, else between 1990-01-01 and a day after
//    `now`;
//  - published_at: the same bounds; when unset, crawled_at stands in and
//    date_source is DATE_SOURCE_CRAWL_TIME; when set, date_source is what
//    the client said or DATE_SOURCE_PUBLISHER;
//  - then everything ValidateStoredArticle (common/article_rules.h) checks;
//  - id and content_digest: optional; when given, those of the normalized
//    title and body.
// near_duplicate_of and sightings are the archive's to set and are cleared.
absl::StatusOr<PreparedArticle> PrepareArticle(const v1::Article& submitted,
                                               absl::Time now,
                                               const PreparerOptions& options);

}  // namespace archive::ingest

#endif  // INGEST_ARTICLE_PREPARER_H_
