#include "common/article_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/canonical_url.h"
#include "common/fingerprint.h"
#include "common/proto_time.h"
#include "common/status_macros.h"

namespace archive {
namespace {

absl::Status Invalid(std::string_view prefix, std::string_view field,
                     std::string_view why) {
  std::string message(prefix);
  message.append(field).append(": ").append(why);
  return absl::InvalidArgumentError(message);
}

}  // namespace

absl::Time EarliestArticleTime() {
  return absl::FromCivil(absl::CivilDay(1990, 1, 1), absl::UTCTimeZone());
}

absl::Time LatestArticleTime(absl::Time now) { return now + absl::Hours(24); }

absl::Status ValidateArticleTime(const google::protobuf::Timestamp& time,
                                 absl::Time now, std::string_view field) {
  if (!HasValidNanos(time)) {
    return Invalid("", field, "nanos out of range");
  }
  const absl::Time value = ToAbslTime(time);
  if (value < EarliestArticleTime()) {
    return Invalid("", field,
                   absl::StrCat(FormatTimestamp(time), " is before 1990-01-01"));
  }
  if (value > LatestArticleTime(now)) {
    return Invalid("", field,
                   absl::StrCat(FormatTimestamp(time),
                                " is more than a day in the future"));
  }
  return absl::OkStatus();
}

absl::Status ValidateSource(std::string_view source, std::string_view field) {
  if (source.empty()) return Invalid("", field, "required");
  if (!IsHostName(source)) {
    return Invalid("", field,
                   absl::StrCat("\"", std::string(source.substr(0, 100)),
                                "\" is not a lower-case host name such as "
                                "aawsat.com"));
  }
  return absl::OkStatus();
}

absl::Status ValidateStoredArticle(const v1::Article& article, absl::Time now,
                                   std::string_view field_prefix) {
  const std::string p(field_prefix);
  RETURN_IF_ERROR(ValidateSource(article.source(), p + "source"));
  if (article.body().empty()) return Invalid(p, "body", "required");
  if (article.title().find('\n') != std::string::npos) {
    return Invalid(p, "title", "must be one line");
  }
  if (!article.has_published_at()) return Invalid(p, "published_at", "required");
  RETURN_IF_ERROR(
      ValidateArticleTime(article.published_at(), now, p + "published_at"));
  if (article.has_crawled_at()) {
    RETURN_IF_ERROR(
        ValidateArticleTime(article.crawled_at(), now, p + "crawled_at"));
  }
  if (!IsWellFormedDigest(article.content_digest())) {
    return Invalid(p, "content_digest", "must be 64 lower-case hex digits");
  }
  if (article.content_digest() !=
      ContentDigest(article.title(), article.body())) {
    return Invalid(p, "content_digest", "does not match title and body");
  }
  if (article.id() != IdFromDigest(article.content_digest())) {
    return Invalid(p, "id", "does not match content_digest");
  }
  if (!article.near_duplicate_of().empty() &&
      !IsWellFormedId(article.near_duplicate_of())) {
    return Invalid(p, "near_duplicate_of", "must be 32 lower-case hex digits");
  }
  return absl::OkStatus();
}

}  // namespace archive
