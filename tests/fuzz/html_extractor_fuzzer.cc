// Fuzzes the HTML article extractor of crawled pages (cli/html_extractor.h).
//
// The input is a length-prefixed page URL (FuzzInput::String) and the HTML.
// Properties: every string comes out well-formed UTF-8 whatever the bytes; the
// title, captions, authors and canonical URL are one line, trimmed and
// non-empty (but the title and URL, which may be empty); the body's paragraphs
// are one blank line apart, with no line starting or ending in a space and no
// blank line at either end; the same input gives the same article.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/html_extractor.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

void CheckLine(std::string_view text, bool may_be_empty, std::string_view what) {
  FUZZ_CHECK(IsValidUtf8(text), std::string(what) + " is not UTF-8");
  FUZZ_CHECK(text.find('\n') == std::string_view::npos,
             std::string(what) + " has a line break: " + std::string(text));
  if (text.empty()) {
    FUZZ_CHECK(may_be_empty, std::string(what) + " is empty");
    return;
  }
  FUZZ_CHECK(text.front() != ' ' && text.back() != ' ',
             std::string(what) + " is not trimmed: " + std::string(text));
}

void CheckBody(std::string_view body) {
  FUZZ_CHECK(IsValidUtf8(body), "body is not UTF-8");
  if (body.empty()) return;
  FUZZ_CHECK(body.front() != '\n' && body.back() != '\n', body);
  FUZZ_CHECK(body.find("\n\n\n") == std::string_view::npos, body);
  FUZZ_CHECK(body.find(" \n") == std::string_view::npos &&
                 body.find("\n ") == std::string_view::npos &&
                 body.front() != ' ' && body.back() != ' ',
             "a body line starts or ends in a space");
}

bool Same(const cli::ExtractedArticle& a, const cli::ExtractedArticle& b) {
  return a.no_article == b.no_article && a.title == b.title &&
         a.body == b.body && a.captions == b.captions &&
         a.authors == b.authors && a.published_at == b.published_at &&
         a.published_at_from_text == b.published_at_from_text &&
         a.canonical_url == b.canonical_url && a.language == b.language;
}

void TestOneInput(const uint8_t* data, size_t size) {
  FuzzInput input(data, size);
  const std::string page_url = input.String();
  const std::string html = input.Rest();
  const cli::ExtractedArticle article = cli::ExtractArticle(html, page_url);
  CheckLine(article.title, true, "title");
  CheckLine(article.canonical_url, true, "canonical URL");
  CheckLine(article.language, true, "language");
  for (const std::string& caption : article.captions) {
    CheckLine(caption, false, "a caption");
  }
  for (const std::string& author : article.authors) {
    CheckLine(author, false, "an author");
  }
  CheckBody(article.body);
  FUZZ_CHECK(!cli::NoArticleReasonName(article.no_article).empty(), "no name");
  FUZZ_CHECK(Same(article, cli::ExtractArticle(html, page_url)),
             "another article from the same input");
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::TestOneInput(data, size);
  return 0;
}
