#include "cli/warc_article_reader.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "cli/charset.h"
#include "cli/html_extractor.h"
#include "cli/http_response.h"
#include "cli/jsonl_reader.h"
#include "cli/warc_digest.h"
#include "common/canonical_url.h"
#include "common/proto_time.h"
#include "common/string_view.h"

namespace archive::cli {
namespace {

// A page may be far larger than its text: markup, scripts, inline images.
size_t MaxPageBytes(size_t max_article_bytes) {
  return std::max<size_t>(16 << 20, 8 * max_article_bytes);
}

// WARC-Target-URI as written: wget (WARC/1.0 of its day) puts it in angle
// brackets.
std::string TargetUri(const WarcRecord& record) {
  std::string_view uri = record.Field("WARC-Target-URI");
  if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') {
    uri = uri.substr(1, uri.size() - 2);
  }
  return std::string(uri);
}

// The host of an http(s) URL, lower case, without a leading "www."; "" when
// the URL is not one.
std::string SiteOf(std::string_view url) {
  absl::StatusOr<std::string> canonical = CanonicalUrl(url);
  if (!canonical.ok()) return "";
  absl::string_view rest = *canonical;
  rest = rest.substr(rest.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of(":/"));
  absl::ConsumePrefix(&rest, "www.");
  return std::string(rest);
}

std::optional<absl::Time> WarcDate(const WarcRecord& record) {
  absl::Time time;
  std::string error;
  const std::string_view date = record.Field("WARC-Date");
  if (!absl::ParseTime(absl::RFC3339_full, AbslView(date), &time, &error)) return std::nullopt;
  return time;
}

bool IsHtml(std::string_view media_type, std::string_view body) {
  if (media_type == "text/html" || media_type == "application/xhtml+xml") return true;
  if (!media_type.empty()) return false;
  // No Content-Type: what the bytes start with, as browsers sniff.
  const std::string start = absl::AsciiStrToLower(absl::StripLeadingAsciiWhitespace(
      AbslView(body.substr(0, std::min<size_t>(body.size(), 512)))));
  return absl::StartsWith(start, "<!doctype html") || absl::StartsWith(start, "<html");
}

// Writers differ in the case of base32 digests.
std::string DigestKey(std::string_view digest) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(AbslView(digest)));
}

}  // namespace

void RevisitMemory::Remember(std::string_view payload_digest, std::string_view record_id,
                             const v1::Article& article) {
  auto kept = std::make_shared<const v1::Article>(article);
  const size_t bytes = article.ByteSizeLong();
  for (std::string key : {DigestKey(payload_digest), std::string(record_id)}) {
    if (key.empty()) continue;
    articles_[key] = kept;
    order_.push_back({std::move(key), kept, bytes});
    bytes_ += bytes;
  }
  while (bytes_ > max_bytes_ && !order_.empty()) {
    const Entry& oldest = order_.front();
    auto found = articles_.find(oldest.key);
    // A key remembered again since stays with its later article.
    if (found != articles_.end() && found->second == oldest.article) articles_.erase(found);
    bytes_ -= oldest.bytes;
    order_.pop_front();
  }
}

const v1::Article* RevisitMemory::Find(std::string_view payload_digest,
                                       std::string_view record_id) const {
  for (const std::string& key : {DigestKey(payload_digest), std::string(record_id)}) {
    if (key.empty()) continue;
    if (auto found = articles_.find(key); found != articles_.end()) return found->second.get();
  }
  return nullptr;
}

std::string WarcCounts::Summary() const {
  std::string summary = absl::StrCat(records, " records, ", articles, " articles");
  if (revisits > 0) absl::StrAppend(&summary, " (", revisits, " revisits)");
  if (problems > 0) absl::StrAppend(&summary, ", ", problems, " malformed");
  if (!skipped.empty()) {
    absl::StrAppend(&summary, "; skipped: ",
                    absl::StrJoin(skipped, ", ", [](std::string* out, const auto& entry) {
                      absl::StrAppend(out, entry.second, " ", entry.first);
                    }));
  }
  return summary;
}

WarcArticleReader::WarcArticleReader(std::istream* in, Options options,
                                     RevisitMemory* memory)
    : options_(std::move(options)),
      reader_(in, MaxPageBytes(options_.max_article_bytes)),
      memory_(memory) {}

bool WarcArticleReader::Next(ParsedArticle* out) {
  WarcRecord record;
  WarcProblem problem;
  for (;;) {
    *out = ParsedArticle();
    switch (reader_.Next(&record, &problem)) {
      case WarcReader::Result::kEnd:
        return false;
      case WarcReader::Result::kProblem:
        ++counts_.problems;
        out->offset = static_cast<int64_t>(problem.offset);
        out->problem = std::move(problem.reason);
        return true;
      case WarcReader::Result::kRecord:
        ++counts_.records;
        out->offset = static_cast<int64_t>(record.offset);
        switch (Take(record, out)) {
          case Outcome::kArticle:
            ++counts_.articles;
            return true;
          case Outcome::kProblem:
            ++counts_.problems;
            return true;
          case Outcome::kSkipped:
            break;
        }
    }
  }
}

WarcArticleReader::Outcome WarcArticleReader::Skip(std::string reason) {
  ++counts_.skipped[std::move(reason)];
  return Outcome::kSkipped;
}

WarcArticleReader::Outcome WarcArticleReader::Take(const WarcRecord& record,
                                                   ParsedArticle* out) {
  const std::string type = record.Type();
  if (type == "warcinfo" || type == "request" || type == "metadata") return Outcome::kSkipped;
  if (record.block_truncated()) {
    return Skip(absl::StrCat("page over ", MaxPageBytes(options_.max_article_bytes), " bytes"));
  }
  const std::string media_type = MediaTypeOf(record.Field("Content-Type"));
  if (media_type == kArticleRecordContentType &&
      (type == "conversion" || type == "resource")) {
    return TakeExported(record, out);
  }
  if (type == "response" || type == "resource") return TakePage(record, out);
  if (type == "revisit") return TakeRevisit(record, out);
  if (type == "conversion") return Skip("not an article record");
  return Skip(absl::StrCat("record type \"", type, "\""));
}

WarcArticleReader::Outcome WarcArticleReader::TakePage(const WarcRecord& record,
                                                       ParsedArticle* out) {
  const std::string url = TargetUri(record);
  const bool http = record.Type() == "response";
  std::string media_type;
  std::string content_type;
  std::string body;
  std::optional<absl::Time> last_modified;
  std::string payload_digest(record.Field("WARC-Payload-Digest"));
  if (http) {
    const std::string record_type = MediaTypeOf(record.Field("Content-Type"));
    if (!record_type.empty() && record_type != "application/http") {
      return Skip("not HTTP");  // dns: records, and the like
    }
    absl::StatusOr<HttpResponse> response =
        ParseHttpResponse(record.block, MaxPageBytes(options_.max_article_bytes));
    if (!response.ok()) {
      out->problem = absl::StrCat("HTTP response for ", url, ": ", response.status().message());
      return Outcome::kProblem;
    }
    if (response->status != 200) return Skip("not 200");
    media_type = response->MediaType();
    content_type = std::string(response->Header("Content-Type"));
    last_modified = response->LastModified();
    body = std::move(response->body);
  } else {
    content_type = std::string(record.Field("Content-Type"));
    media_type = MediaTypeOf(content_type);
    body = record.block;
  }
  if (!IsHtml(media_type, body)) return Skip("not HTML");
  if (payload_digest.empty()) payload_digest = WarcSha1Digest(body);

  absl::StatusOr<std::string> html =
      ConvertToUtf8(body, SniffHtmlCharset(content_type, body));
  if (!html.ok()) html = ConvertToUtf8(body, "windows-1252");
  ExtractedArticle page = ExtractArticle(*html, url);
  if (page.no_article != NoArticleReason::kNone) {
    return Skip(std::string(NoArticleReasonName(page.no_article)));
  }

  v1::Article& article = out->article;
  const std::string site = SiteOf(url);
  article.set_source(!options_.source.empty() ? options_.source : site);
  // The page's own name for itself, when it is on the same site (a
  // syndicated copy may name the original elsewhere: that is not this page).
  article.set_url(!page.canonical_url.empty() && SiteOf(page.canonical_url) == site
                      ? page.canonical_url
                      : url);
  article.set_title(std::move(page.title));
  article.set_body(std::move(page.body));
  for (std::string& caption : page.captions) article.add_captions(std::move(caption));
  for (std::string& author : page.authors) article.add_authors(std::move(author));
  article.set_language(std::move(page.language));
  if (page.published_at) {
    *article.mutable_published_at() = ToProtoTimestamp(*page.published_at);
    article.set_date_source(page.published_at_from_text ? v1::DATE_SOURCE_TEXT
                                                        : v1::DATE_SOURCE_PUBLISHER);
  } else if (last_modified) {
    *article.mutable_published_at() = ToProtoTimestamp(*last_modified);
    article.set_date_source(v1::DATE_SOURCE_HTTP_LAST_MODIFIED);
  }
  if (std::optional<absl::Time> crawled = WarcDate(record)) {
    *article.mutable_crawled_at() = ToProtoTimestamp(*crawled);
  }
  if (article.source().empty()) {
    out->problem = absl::StrCat("no source: the record's URL \"", url,
                                "\" names no host; give --source");
    return Outcome::kProblem;
  }
  memory_->Remember(payload_digest, record.Field("WARC-Record-ID"), article);
  return Outcome::kArticle;
}

WarcArticleReader::Outcome WarcArticleReader::TakeRevisit(const WarcRecord& record,
                                                          ParsedArticle* out) {
  const v1::Article* found =
      memory_->Find(record.Field("WARC-Payload-Digest"), record.Field("WARC-Refers-To"));
  if (found == nullptr) return Skip("revisit of a page not in this run");
  const std::string url = TargetUri(record);
  out->article = *found;
  out->article.set_source(!options_.source.empty() ? options_.source : SiteOf(url));
  out->article.set_url(url);
  out->article.clear_crawled_at();
  if (std::optional<absl::Time> crawled = WarcDate(record)) {
    *out->article.mutable_crawled_at() = ToProtoTimestamp(*crawled);
  }
  ++counts_.revisits;
  return Outcome::kArticle;
}

WarcArticleReader::Outcome WarcArticleReader::TakeExported(const WarcRecord& record,
                                                           ParsedArticle* out) {
  absl::StatusOr<v1::Article> article = ParseArticleJson(record.block);
  if (!article.ok()) {
    out->problem = std::string(article.status().message());
    return Outcome::kProblem;
  }
  out->article = *std::move(article);
  if (out->article.source().empty()) out->article.set_source(options_.source);
  return Outcome::kArticle;
}

}  // namespace archive::cli
