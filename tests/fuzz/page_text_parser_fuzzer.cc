// Fuzzes the page-text input of `archivectl feed` (cli/page_text_parser.h).
//
// Properties: the same articles come out whether the text is added at once,
// line by line (taking articles as they complete), or read from a stream;
// every article's strings are well-formed UTF-8, its title and captions
// trimmed and non-empty, its body paragraphs one blank line apart without
// trailing spaces; an article has a `problem` exactly when one of its lines
// is not UTF-8, naming that line's first bad byte; a published_at is a day
// since 1990 and its date_source DATE_SOURCE_TEXT; any text with a visible
// character gives an article. Under a small size limit the three ways still
// agree, and no article keeps more text than the limit.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "archive/v1/article.pb.h"
#include "cli/line_reader.h"
#include "cli/page_text_parser.h"
#include "cli/parsed_article.h"
#include "common/article_rules.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

constexpr char kSource[] = "example.org";
// 1990-01-01T00:00:00Z.
constexpr int64_t kEarliestPublication = 631152000;

// Far above any input the fuzzer makes, unless `max_article_bytes` is given.
cli::PageTextParser::Options Options(size_t max_article_bytes = 1 << 20) {
  cli::PageTextParser::Options options;
  options.source = kSource;
  options.max_article_bytes = max_article_bytes;
  return options;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t newline; (newline = text.find('\n')) != std::string_view::npos;) {
    lines.push_back(text.substr(0, newline));
    text.remove_prefix(newline + 1);
  }
  lines.push_back(text);
  return lines;
}

void Drain(cli::PageTextParser& parser, std::vector<cli::ParsedArticle>& out) {
  cli::ParsedArticle article;
  while (parser.Next(&article)) out.push_back(std::move(article));
}

std::vector<cli::ParsedArticle> ParseAtOnce(std::string_view text,
                                            const cli::PageTextParser::Options& options) {
  cli::PageTextParser parser(options);
  parser.AddLine(text);
  parser.Finish();
  std::vector<cli::ParsedArticle> articles;
  Drain(parser, articles);
  return articles;
}

std::vector<cli::ParsedArticle> ParseLineByLine(
    const std::vector<std::string_view>& lines,
    const cli::PageTextParser::Options& options) {
  cli::PageTextParser parser(options);
  std::vector<cli::ParsedArticle> articles;
  for (std::string_view line : lines) {
    parser.AddLine(line);
    Drain(parser, articles);
  }
  parser.Finish();
  Drain(parser, articles);
  return articles;
}

std::vector<cli::ParsedArticle> ParseStream(std::string_view text,
                                            const cli::PageTextParser::Options& options) {
  std::istringstream in{std::string(text)};
  cli::LineReader lines(&in, options.max_article_bytes);
  cli::PageTextParser parser(options);
  std::vector<cli::ParsedArticle> articles;
  cli::ParsedArticle article;
  while (parser.ReadNext(&lines, &article)) articles.push_back(std::move(article));
  return articles;
}

bool Same(const cli::ParsedArticle& a, const cli::ParsedArticle& b) {
  return a.line == b.line && a.problem == b.problem &&
         a.problem_line == b.problem_line &&
         a.article.SerializeAsString() == b.article.SerializeAsString();
}

void CheckSame(const std::vector<cli::ParsedArticle>& expected,
               const std::vector<cli::ParsedArticle>& actual,
               std::string_view how) {
  FUZZ_CHECK(actual.size() == expected.size(),
             std::string(how) + ": another number of articles");
  for (size_t i = 0; i < actual.size(); ++i) {
    FUZZ_CHECK(
        Same(expected[i], actual[i]),
        std::string(how) + ": article " + std::to_string(i) + " differs");
  }
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
         c == '\f';
}

bool IsTrimmed(std::string_view text) {
  return !text.empty() && !IsSpace(text.front()) && !IsSpace(text.back());
}

void CheckBody(std::string_view body) {
  FUZZ_CHECK(IsValidUtf8(body), body);
  if (body.empty()) return;
  FUZZ_CHECK(body.front() != '\n' && body.back() != '\n', body);
  FUZZ_CHECK(body.find("\n\n\n") == std::string_view::npos, body);
  for (std::string_view line : SplitLines(body)) {
    FUZZ_CHECK(line.empty() || (line.back() != ' ' && line.back() != '\t'),
               "trailing space in body line: " + std::string(line));
  }
}

void CheckArticle(const cli::ParsedArticle& parsed,
                  const std::vector<std::string_view>& lines) {
  const archive::v1::Article& article = parsed.article;
  FUZZ_CHECK(article.source() == kSource, article.source());
  FUZZ_CHECK(parsed.line >= 1 && parsed.line <= static_cast<int>(lines.size()),
             "line " + std::to_string(parsed.line));
  FUZZ_CHECK(IsValidUtf8(article.title()) && IsTrimmed(article.title()),
             article.title());
  for (const std::string& caption : article.captions()) {
    FUZZ_CHECK(IsValidUtf8(caption) && IsTrimmed(caption), caption);
  }
  CheckBody(article.body());
  if (article.has_published_at()) {
    const google::protobuf::Timestamp& day = article.published_at();
    FUZZ_CHECK(day.seconds() >= kEarliestPublication &&
                   day.seconds() % 86400 == 0 && day.nanos() == 0,
               "published_at " + std::to_string(day.seconds()));
    FUZZ_CHECK(article.date_source() == archive::v1::DATE_SOURCE_TEXT,
               "a date from the text that does not say so");
  } else {
    FUZZ_CHECK(article.date_source() == archive::v1::DATE_SOURCE_UNSPECIFIED,
               "a date source without a date");
  }
  if (parsed.problem.empty()) {
    FUZZ_CHECK(parsed.problem_line == 0, "problem line without a problem");
    return;
  }
  FUZZ_CHECK(parsed.problem_line >= parsed.line &&
                 parsed.problem_line <= static_cast<int>(lines.size()),
             "problem line " + std::to_string(parsed.problem_line));
  const size_t bad = FirstInvalidUtf8(lines[parsed.problem_line - 1]);
  FUZZ_CHECK(bad != std::string_view::npos,
             "problem on a well-formed line: " + parsed.problem);
  FUZZ_CHECK(parsed.problem == "invalid UTF-8 at byte " +
                                   std::to_string(bad + 1) + " of the line",
             parsed.problem);
}

void TestSmallLimit(std::string_view text,
                    const std::vector<std::string_view>& lines) {
  constexpr size_t kSmallLimit = 200;
  const cli::PageTextParser::Options options = Options(kSmallLimit);
  const std::vector<cli::ParsedArticle> articles = ParseAtOnce(text, options);
  CheckSame(articles, ParseLineByLine(lines, options), "small limit, line by line");
  CheckSame(articles, ParseStream(text, options), "small limit, from a stream");
  // Text past the limit is not kept, whether the article is rejected or not.
  for (const cli::ParsedArticle& article : articles) {
    FUZZ_CHECK(ArticleTextBytes(article.article) <= kSmallLimit,
               "text over the limit was kept");
  }
}

void TestOneInput(std::string_view text) {
  const std::vector<std::string_view> lines = SplitLines(text);
  const std::vector<cli::ParsedArticle> articles = ParseAtOnce(text, Options());
  CheckSame(articles, ParseLineByLine(lines, Options()), "line by line");
  CheckSame(articles, ParseStream(text, Options()), "from a stream");
  TestSmallLimit(text, lines);

  int previous_line = 0;
  bool any_problem = false;
  for (const cli::ParsedArticle& article : articles) {
    CheckArticle(article, lines);
    FUZZ_CHECK(article.line > previous_line, "articles out of line order");
    previous_line = article.line;
    any_problem = any_problem || !article.problem.empty();
  }
  FUZZ_CHECK(any_problem == !IsValidUtf8(text),
             "a problem must be reported exactly when the text is not UTF-8");
  for (char c : text) {
    if (c > ' ' && c < 0x7f) {
      FUZZ_CHECK(!articles.empty(), "visible text gave no article");
      break;
    }
  }
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::TestOneInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
