// An article read from an input file of `archivectl feed`, with the line
// where it starts, so that a rejection can be reported as FILE:LINE.
#ifndef CLI_PARSED_ARTICLE_H_
#define CLI_PARSED_ARTICLE_H_

#include "archive/v1/article.pb.h"

namespace archive::cli {

struct ParsedArticle {
  archive::v1::Article article;
  // 1-based number of the input line where the article starts.
  int line = 0;
};

}  // namespace archive::cli

#endif  // CLI_PARSED_ARTICLE_H_
