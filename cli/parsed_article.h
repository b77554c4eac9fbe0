// An article read from an input file of `archivectl feed`, with the line
// where it starts, so that a rejection can be reported as FILE:LINE.
#ifndef CLI_PARSED_ARTICLE_H_
#define CLI_PARSED_ARTICLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/v1/article.pb.h"

namespace archive::cli {

struct ParsedArticle {
  archive::v1::Article article;
  // 1-based number of the input line where the article starts.
  int line = 0;
  // For WARC input, where the article's record starts (see
  // cli/warc_reader.h), and line is 0; -1 for the formats read by line.
  int64_t offset = -1;
  // Why the article cannot be sent as it is, such as "invalid UTF-8 at byte
  // 17", and the line it concerns (for WARC, the record at `offset`); empty
  // when nothing is wrong.
  std::string problem;
  int problem_line = 0;
};

// The problem of a piece of input over its size limit, as feed reports it:
// "article of 3145728 bytes is over the limit of 1048576". `what` names the
// piece: "article", "line", "paragraph".
std::string OverLimitProblem(std::string_view what, size_t bytes, size_t limit);

}  // namespace archive::cli

#endif  // CLI_PARSED_ARTICLE_H_
