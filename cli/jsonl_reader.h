// The `jsonl` input format of `archivectl feed`: one archive.v1.Article a
// line, in protobuf's JSON mapping ({"source": "aawsat.com", "title": ...,
// "publishedAt": "2023-01-13T00:00:00Z"}).
#ifndef CLI_JSONL_READER_H_
#define CLI_JSONL_READER_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "archive/v1/article.pb.h"
#include "cli/line_reader.h"
#include "cli/parsed_article.h"

namespace archive::cli {

// Parses one Article in protobuf's JSON mapping (a JSONL line, a WARC
// export record's block). Unknown fields are errors. An error is
// INVALID_ARGUMENT "invalid JSON: why", the why on one line.
absl::StatusOr<archive::v1::Article> ParseArticleJson(std::string_view text);

// Parses `text`, line number `line` of a JSONL input, into an Article.
// Unknown fields are errors. An error is INVALID_ARGUMENT with a one-line
// message such as "line 7: invalid JSON: headline: Cannot find field.".
absl::StatusOr<archive::v1::Article> ParseJsonlLine(std::string_view text,
                                                    int line);

// The longest JSONL line that can hold an article of `max_article_bytes`:
// six times as many, since JSON may escape each byte of the text as six
// ("\u001b"; a character of two to four bytes as six or twelve), and 64 KiB
// for the other fields and the syntax. A longer line is not read.
size_t MaxJsonlLineBytes(size_t max_article_bytes);

// Reads articles from a JSONL input one line at a time, skipping blank lines.
// A malformed line, or one that `lines` found too long, comes out with its
// `problem` set and reading goes on with the next. Does not own `lines`; not
// thread-safe.
class JsonlReader {
 public:
  explicit JsonlReader(LineReader* lines);

  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  // Reads up to the next non-blank line and returns true, with `*out` set to
  // its article and line number, or to its problem ("invalid JSON: ...",
  // "line of N bytes is over the limit of M"). Returns false at the end of
  // the input.
  bool Next(ParsedArticle* out);

 private:
  LineReader* const lines_;
};

}  // namespace archive::cli

#endif  // CLI_JSONL_READER_H_
