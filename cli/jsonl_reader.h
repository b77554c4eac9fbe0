// The `jsonl` input format of `archivectl feed`: one archive.v1.Article a
// line, in protobuf's JSON mapping ({"source": "aawsat.com", "title": ...,
// "publishedAt": "2023-01-13T00:00:00Z"}).
#ifndef CLI_JSONL_READER_H_
#define CLI_JSONL_READER_H_

#include <istream>
#include <string_view>

#include "absl/status/statusor.h"
#include "archive/v1/article.pb.h"
#include "cli/parsed_article.h"

namespace archive::cli {

// Parses `text`, line number `line` of a JSONL input, into an Article.
// Unknown fields are errors. An error is INVALID_ARGUMENT with a one-line
// message such as "line 7: invalid JSON: headline: Cannot find field.".
absl::StatusOr<archive::v1::Article> ParseJsonlLine(std::string_view text,
                                                    int line);

// Reads articles from a JSONL stream one line at a time, skipping blank lines
// (and a byte order mark). A malformed line is reported and reading goes on
// with the next. Does not own the stream; not thread-safe.
class JsonlReader {
 public:
  explicit JsonlReader(std::istream* in);

  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  // Reads up to the next non-blank line and returns true, with `*out` set to
  // its article and line number, or to its error (see ParseJsonlLine).
  // Returns false at the end of the stream.
  bool Next(absl::StatusOr<ParsedArticle>* out);

  // The number of the last line read, 1-based: after Next, that of `*out`.
  int line() const { return line_; }

 private:
  std::istream* const in_;
  int line_ = 0;
};

}  // namespace archive::cli

#endif  // CLI_JSONL_READER_H_
