// Fuzzes the article rules that ingest and the store share
// (common/article_rules.h) with ingest's preparation of an article
// (ingest/article_preparer.h).
//
// Properties: neither crashes on any input; whatever ingest prepares the
// store accepts (else an article could be acknowledged by no store); and
// what the rules accept is in the form they promise: text as the
// normalizer leaves it, a canonical URL, a host name as source, an id
// derived from the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "common/article_rules.h"
#include "common/canonical_url.h"
#include "common/fingerprint.h"
#include "common/text_normalizer.h"
#include "ingest/article_preparer.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

// The input's fields, separated by 0x1f (ASCII unit separator): source,
// title, body, url, language, near_duplicate_of, then captions.
std::vector<std::string> Fields(std::string_view input) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() < 12) {
    const size_t end = input.find('\x1f', start);
    fields.emplace_back(input.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  fields.resize(std::max<size_t>(fields.size(), 6));
  return fields;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

void CheckAccepted(const v1::Article& article) {
  FUZZ_CHECK(IsHostName(article.source()), article.source());
  const absl::StatusOr<std::string> title = NormalizeLine(article.title());
  FUZZ_CHECK(title.ok() && *title == article.title(), article.title());
  const absl::StatusOr<std::string> body = NormalizeBody(article.body());
  FUZZ_CHECK(body.ok() && *body == article.body() && !body->empty(), article.body());
  if (!article.url().empty()) {
    const absl::StatusOr<std::string> url = CanonicalUrl(article.url());
    FUZZ_CHECK(url.ok() && *url == article.url(), article.url());
  }
  FUZZ_CHECK(article.id() == IdFromDigest(ContentDigest(article.title(), article.body())),
             article.id());
  FUZZ_CHECK(ArticleTextBytes(article) <= kDefaultMaxArticleBytes, "over the limit");
}

void TestOneInput(std::string_view input) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  const std::vector<std::string> fields = Fields(input);
  v1::Article article;
  article.set_source(fields[0]);
  article.set_title(fields[1]);
  article.set_body(fields[2]);
  article.set_url(fields[3]);
  article.set_language(fields[4]);
  for (size_t i = 6; i < fields.size(); ++i) article.add_captions(fields[i]);
  article.mutable_published_at()->set_seconds(1'673'568'000);
  article.mutable_crawled_at()->set_seconds(1'673'571'600);

  // As ingest would take it from a crawler.
  absl::StatusOr<ingest::PreparedArticle> prepared =
      ingest::PrepareArticle(article, now, ingest::PreparerOptions());
  if (prepared.ok()) {
    v1::Article kept = prepared->article;
    if (!fields[5].empty()) kept.set_near_duplicate_of(fields[5]);
    const absl::Status stored = ValidateStoredArticle(kept, now, kDefaultMaxArticleBytes, "");
    if (fields[5].empty()) {
      FUZZ_CHECK(stored.ok(), "ingest prepared what the store refuses: " + Message(stored));
      CheckAccepted(kept);
    }
  } else {
    FUZZ_CHECK(prepared.status().code() == absl::StatusCode::kInvalidArgument,
               Message(prepared.status()));
  }

  // As anyone could send it straight to a store: fingerprinted, not cleaned.
  article.set_near_duplicate_of(fields[5]);
  article.set_content_digest(ContentDigest(article.title(), article.body()));
  article.set_id(IdFromDigest(article.content_digest()));
  const absl::Status raw = ValidateStoredArticle(article, now, kDefaultMaxArticleBytes, "");
  if (raw.ok()) {
    CheckAccepted(article);
  } else {
    FUZZ_CHECK(raw.code() == absl::StatusCode::kInvalidArgument, Message(raw));
  }
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::TestOneInput(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
