// The `text` input format of `archivectl feed`: what the crawler saves of news
// pages, several articles to a file.
#ifndef CLI_PAGE_TEXT_PARSER_H_
#define CLI_PAGE_TEXT_PARSER_H_

#include <deque>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cli/line_reader.h"
#include "cli/parsed_article.h"
#include "common/article_rules.h"

namespace archive::cli {

// Splits page text into articles, as lines arrive.
//
// A page, as the crawler prints it, is a headline; a blank line; the photo
// caption twice; page chrome ("TT", a share count such as "20"); a blank
// line; the headline again; a blank line; the caption twice again; a blank
// line; then the body's paragraphs, separated by blank lines. Pages follow one
// another after a few blank lines.
//
// Each article gets the headline as title, each caption once, and the body's
// paragraphs with trailing spaces removed and one blank line between them;
// the chrome and the repeats are dropped. A new article starts at a one-line
// paragraph followed by a page header (a line printed twice in a row, or a
// "TT" line), or at a short line that does not end a sentence coming after two
// or more blank lines. Pages that lack parts still come out: without a caption
// or chrome, the first paragraph is the title and the rest the body; without a
// body, the body is empty (and ingest rejects the article, at its line).
// published_at is the first date since 1990 found in the captions, else in the
// title, else at the start of the body (a dateline), read as 00:00 UTC, with
// date_source DATE_SOURCE_TEXT; otherwise both are left unset (ingest then
// takes the crawl time, and says so). source comes from the options; id,
// content_digest and the other fields are left empty.
//
// Every input is parsed: bytes that are not UTF-8 become U+FFFD, and the
// article that holds them comes out with `problem` set (naming the line and
// byte), so that the caller can report it rather than send altered text.
// Likewise an article over `max_article_bytes`: a line or a paragraph over
// it is reported at its own line ("line of N bytes is over the limit of M"),
// a whole article at its first. Memory is bounded by the largest article
// allowed, not by the input: text past the limit is counted, not kept.
// Not thread-safe.
class PageTextParser {
 public:
  struct Options {
    // The outlet's host name ("aawsat.com"), copied into every article.
    std::string source;
    // The largest article's title, captions and body together, in bytes.
    size_t max_article_bytes = kDefaultMaxArticleBytes;
  };

  explicit PageTextParser(Options options);

  PageTextParser(const PageTextParser&) = delete;
  PageTextParser& operator=(const PageTextParser&) = delete;

  // Adds the next line of input, numbered one more than the line before (the
  // first is line 1). `line` excludes its terminator; a trailing '\r' is
  // dropped, and a '\n' within it ends a line.
  void AddLine(std::string_view line);

  // Declares the end of the input, which completes the last article.
  void Finish();

  // Moves the next complete article into `*out` and returns true, or returns
  // false if no article is complete yet. An article is complete once the
  // next one has started, or the input has finished.
  bool Next(ParsedArticle* out);

  // Adds lines from `*in` until an article is complete, calling Finish at the
  // end of `*in`, then moves that article into `*out`. Returns false once
  // `*in` is exhausted and every article has been returned. Lines may have
  // been added with AddLine before. A line that `*in` found too long counts
  // as a line over the limit, whatever the limit.
  bool ReadNext(LineReader* in, ParsedArticle* out);

 private:
  // A run of non-blank lines.
  struct Block {
    int line = 0;  // number of its first line
    int blank_lines_before = 0;
    // Trailing white space removed; only those within the limit.
    std::vector<std::string> lines;
    // Of all its lines joined by '\n', kept or not.
    size_t bytes = 0;
    // The first thing wrong with it (a line not UTF-8, or over the limit)
    // and the line it concerns; empty when nothing is.
    std::string problem;
    int problem_line = 0;
  };

  enum class Phase {
    kNoArticle,
    kHeader,  // after the headline, before the body's first paragraph
    kBody,
  };

  // `bytes` is the length of the whole line, of which `raw_line` may be only
  // the beginning.
  void AddOneLine(std::string_view raw_line, size_t bytes);
  void EndBlock();
  void ProcessBlock(Block block, const Block* next);
  bool StartsArticle(const Block& block, const Block* next) const;
  void StartArticle(Block block);
  bool TakeHeaderBlock(const Block& block);
  void AppendToBody(const Block& block);
  bool IsKnownCaption(std::string_view text) const;
  bool IsOverLimit(const Block& block) const;
  void CompleteArticle();

  const Options options_;

  int line_count_ = 0;
  int blank_run_ = 0;
  Block open_block_;
  // Complete blocks not yet assigned; each waits for the block after it,
  // which decides whether it starts an article. At most one between calls.
  std::deque<Block> blocks_;

  Phase phase_ = Phase::kNoArticle;
  ParsedArticle current_;
  // The bytes of current_'s title, captions and body, kept or not.
  size_t current_bytes_ = 0;

  std::deque<ParsedArticle> complete_;
};

}  // namespace archive::cli

#endif  // CLI_PAGE_TEXT_PARSER_H_
