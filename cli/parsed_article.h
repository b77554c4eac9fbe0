// An article read from an input file of `archivectl feed`, with the line
// where it starts, so that a rejection can be reported as FILE:LINE.
#ifndef CLI_PARSED_ARTICLE_H_
#define CLI_PARSED_ARTICLE_H_

#include <string>

#include "archive/v1/article.pb.h"

namespace archive::cli {

struct ParsedArticle {
  archive::v1::Article article;
  // 1-based number of the input line where the article starts.
  int line = 0;
  // Why the article cannot be sent as it is, such as "invalid UTF-8 at byte
  // 17", and the line it concerns; empty when nothing is wrong.
  std::string problem;
  int problem_line = 0;
};

}  // namespace archive::cli

#endif  // CLI_PARSED_ARTICLE_H_
