#include "ingest/article_preparer.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/article_rules.h"
#include "common/canonical_url.h"
#include "common/fingerprint.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"
#include "ingest/language_detector.h"

namespace archive::ingest {
namespace {

absl::Status Invalid(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("article.", field, ": ", why));
}

// Prefixes a normalizer's error ("invalid UTF-8 at byte 17") with the field.
absl::StatusOr<std::string> Clean(const std::string& text,
                                  const std::string& field, bool one_line) {
  absl::StatusOr<std::string> cleaned =
      one_line ? NormalizeLine(text) : NormalizeBody(text);
  if (!cleaned.ok()) return Invalid(field, std::string(cleaned.status().message()));
  return cleaned;
}

}  // namespace

absl::StatusOr<PreparedArticle> PrepareArticle(const v1::Article& submitted,
                                               absl::Time now,
                                               const PreparerOptions& options) {
  // Checked before cleanup too, so that an oversized article costs no work.
  const size_t text_bytes = ArticleTextBytes(submitted);
  if (text_bytes > options.max_article_bytes) {
    return Invalid("body", absl::StrCat("the article's text is ", text_bytes,
                                        " bytes, over the limit of ",
                                        options.max_article_bytes));
  }

  PreparedArticle prepared;
  v1::Article& article = prepared.article;

  // The source is checked as sent, only trimmed and lower-cased: cleaning
  // would turn "example.com\x00evil" into another host.
  article.set_source(absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(submitted.source())));
  RETURN_IF_ERROR(ValidateSource(article.source(), "article.source"));

  ASSIGN_OR_RETURN(*article.mutable_title(),
                   Clean(submitted.title(), "title", true));
  ASSIGN_OR_RETURN(*article.mutable_body(), Clean(submitted.body(), "body", false));
  if (article.body().empty()) return Invalid("body", "empty after cleanup");

  for (int i = 0; i < submitted.captions_size(); ++i) {
    ASSIGN_OR_RETURN(std::string caption,
                     Clean(submitted.captions(i), absl::StrCat("captions[", i, "]"),
                           true));
    bool seen = caption.empty();
    for (const std::string& kept : article.captions()) seen |= kept == caption;
    if (!seen) article.add_captions(std::move(caption));
  }
  for (int i = 0; i < submitted.authors_size(); ++i) {
    ASSIGN_OR_RETURN(std::string author,
                     Clean(submitted.authors(i), absl::StrCat("authors[", i, "]"),
                           true));
    if (!author.empty()) article.add_authors(std::move(author));
  }

  if (!submitted.url().empty()) {
    absl::StatusOr<std::string> url = CanonicalUrl(submitted.url());
    // CanonicalUrl's messages already start with "url: ".
    if (!url.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("article.", url.status().message()));
    }
    article.set_url(*std::move(url));
  }

  RETURN_IF_ERROR(ValidateLanguage(submitted.language(), "article.language"));
  article.set_language(submitted.language().empty()
                           ? DetectLanguage(article.title(), article.body())
                           : submitted.language());

  if (submitted.has_crawled_at()) {
    RETURN_IF_ERROR(
        ValidateArticleTime(submitted.crawled_at(), now, "article.crawled_at"));
    *article.mutable_crawled_at() = submitted.crawled_at();
  } else {
    *article.mutable_crawled_at() = ToProtoTimestamp(now);
  }
  if (!v1::DateSource_IsValid(submitted.date_source())) {
    return Invalid("date_source",
                   absl::StrCat("unknown value ", submitted.date_source()));
  }
  if (submitted.has_published_at()) {
    RETURN_IF_ERROR(ValidateArticleTime(submitted.published_at(), now,
                                        "article.published_at"));
    *article.mutable_published_at() = submitted.published_at();
    article.set_date_source(submitted.date_source() == v1::DATE_SOURCE_UNSPECIFIED
                                ? v1::DATE_SOURCE_PUBLISHER
                                : submitted.date_source());
  } else {
    // No date: the crawl time stands in, and says so (docs/RELIABILITY.md).
    *article.mutable_published_at() = article.crawled_at();
    article.set_date_source(v1::DATE_SOURCE_CRAWL_TIME);
  }

  article.set_content_digest(ContentDigest(article.title(), article.body()));
  article.set_id(IdFromDigest(article.content_digest()));
  if (!submitted.content_digest().empty() &&
      submitted.content_digest() != article.content_digest()) {
    return Invalid("content_digest",
                   "does not match the normalized title and body (leave it "
                   "empty to have it computed)");
  }
  if (!submitted.id().empty() && submitted.id() != article.id()) {
    return Invalid("id",
                   "does not match the normalized title and body (leave it "
                   "empty to have it computed)");
  }

  // The store checks the same rules; checking here too keeps a bad article
  // out of a batch it would otherwise fail for everyone in it.
  RETURN_IF_ERROR(ValidateStoredArticle(article, now, options.max_article_bytes,
                                        "article."));
  prepared.minhash = MinHashSignature(Tokenize(article.body()));
  return prepared;
}

}  // namespace archive::ingest
