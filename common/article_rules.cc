#include "common/article_rules.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/canonical_url.h"
#include "common/fingerprint.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/text_normalizer.h"

namespace archive {
namespace {

absl::Status Invalid(std::string_view prefix, std::string_view field,
                     std::string_view why) {
  std::string message(prefix);
  message.append(field).append(": ").append(why);
  return absl::InvalidArgumentError(message);
}

size_t CountCharacters(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++count;
  }
  return count;
}

bool IsLanguageTag(std::string_view tag) {
  size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    size_t end = tag.find('-', start);
    if (end == std::string_view::npos) end = tag.size();
    const size_t length = end - start;
    if (first ? (length < 2 || length > 3) : (length < 1 || length > 8)) {
      return false;
    }
    for (size_t i = start; i < end; ++i) {
      const char c = tag[i];
      if (first ? !absl::ascii_isalpha(c) : !absl::ascii_isalnum(c)) return false;
    }
    first = false;
    start = end + 1;
  }
  return true;
}

// The text as the normalizer leaves it.
absl::Status CheckNormalized(std::string_view text, bool one_line,
                             std::string_view prefix, std::string_view field) {
  absl::StatusOr<std::string> normalized =
      one_line ? NormalizeLine(text) : NormalizeBody(text);
  if (!normalized.ok()) {
    return Invalid(prefix, field, std::string(normalized.status().message()));
  }
  if (*normalized != text) {
    return Invalid(prefix, field,
                   one_line ? "not normalized: control characters, line breaks "
                              "or spacing that ingest removes"
                            : "not normalized: control characters, line endings "
                              "or spacing that ingest removes");
  }
  return absl::OkStatus();
}

absl::Status CheckUrl(std::string_view url, std::string_view prefix,
                      std::string_view field) {
  if (url.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> canonical = CanonicalUrl(url);
  if (!canonical.ok()) {
    // CanonicalUrl's messages start with "url: ".
    std::string why(canonical.status().message());
    if (absl::StartsWith(why, "url: ")) why.erase(0, 5);
    return Invalid(prefix, field, why);
  }
  if (*canonical != url) return Invalid(prefix, field, "not in canonical form");
  return absl::OkStatus();
}

}  // namespace

size_t ArticleTextBytes(const v1::Article& article) {
  size_t bytes = article.title().size() + article.body().size();
  for (const std::string& caption : article.captions()) bytes += caption.size();
  return bytes;
}

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
                   absl::StrCat("\"", absl::CEscape(std::string(source.substr(0, 100))),
                                "\" is not a lower-case host name such as "
                                "aawsat.com"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLanguage(std::string_view language, std::string_view field) {
  if (language.empty() || IsLanguageTag(language)) return absl::OkStatus();
  return Invalid("", field,
                 absl::StrCat("\"", absl::CEscape(std::string(language.substr(0, 40))),
                              "\" is not a BCP 47 tag such as en or pt-BR"));
}

absl::Status ValidateStoredArticle(const v1::Article& article, absl::Time now,
                                   size_t max_article_bytes,
                                   std::string_view field_prefix) {
  const std::string p(field_prefix);
  RETURN_IF_ERROR(ValidateSource(article.source(), p + "source"));

  const size_t text_bytes = ArticleTextBytes(article);
  if (text_bytes > max_article_bytes) {
    return Invalid(p, "body", absl::StrCat("the article's text is ", text_bytes,
                                           " bytes, over the limit of ",
                                           max_article_bytes));
  }
  RETURN_IF_ERROR(CheckNormalized(article.title(), true, p, "title"));
  const size_t title_chars = CountCharacters(article.title());
  if (title_chars > kMaxTitleChars) {
    return Invalid(p, "title", absl::StrCat(title_chars, " characters, over the limit of ",
                                            kMaxTitleChars));
  }
  if (article.body().empty()) return Invalid(p, "body", "required");
  RETURN_IF_ERROR(CheckNormalized(article.body(), false, p, "body"));
  if (article.captions_size() > kMaxCaptions) {
    return Invalid(p, "captions", absl::StrCat(article.captions_size(),
                                               " captions, over the limit of ",
                                               kMaxCaptions));
  }
  for (int i = 0; i < article.captions_size(); ++i) {
    const std::string field = absl::StrCat("captions[", i, "]");
    if (article.captions(i).empty()) return Invalid(p, field, "empty");
    RETURN_IF_ERROR(CheckNormalized(article.captions(i), true, p, field));
  }
  if (article.authors_size() > kMaxAuthors) {
    return Invalid(p, "authors", absl::StrCat(article.authors_size(),
                                              " authors, over the limit of ",
                                              kMaxAuthors));
  }
  for (int i = 0; i < article.authors_size(); ++i) {
    const std::string field = absl::StrCat("authors[", i, "]");
    if (article.authors(i).empty()) return Invalid(p, field, "empty");
    RETURN_IF_ERROR(CheckNormalized(article.authors(i), true, p, field));
  }
  RETURN_IF_ERROR(CheckUrl(article.url(), p, "url"));
  RETURN_IF_ERROR(ValidateLanguage(article.language(), p + "language"));
  if (!v1::DateSource_IsValid(article.date_source())) {
    return Invalid(p, "date_source",
                   absl::StrCat("unknown value ", article.date_source()));
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
  if (!article.near_duplicate_of().empty()) {
    if (!IsWellFormedId(article.near_duplicate_of())) {
      return Invalid(p, "near_duplicate_of", "must be 32 lower-case hex digits");
    }
    if (article.near_duplicate_of() == article.id()) {
      return Invalid(p, "near_duplicate_of", "names the article itself");
    }
  }
  for (int i = 0; i < article.sightings_size(); ++i) {
    const v1::Sighting& sighting = article.sightings(i);
    const std::string field = absl::StrCat(p, "sightings[", i, "].");
    RETURN_IF_ERROR(ValidateSource(sighting.source(), field + "source"));
    RETURN_IF_ERROR(CheckUrl(sighting.url(), field, "url"));
    if (sighting.has_crawled_at()) {
      RETURN_IF_ERROR(
          ValidateArticleTime(sighting.crawled_at(), now, field + "crawled_at"));
    }
  }
  return absl::OkStatus();
}

}  // namespace archive
