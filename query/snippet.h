// A search hit's snippet: the passage of the article where the query's
// terms cluster, with each matched word marked **like this**.
#ifndef QUERY_SNIPPET_H_
#define QUERY_SNIPPET_H_

#include <string>
#include <vector>

#include "archive/v1/article.pb.h"

namespace archive::query {

// At most about `max_words` words of the body (or of the title when the body
// has none of the terms), chosen to hold the most distinct terms, with
// "…" where text was cut. `terms` are tokenizer terms.
std::string MakeSnippet(const v1::Article& article,
                        const std::vector<std::string>& terms,
                        int max_words = 30);

}  // namespace archive::query

#endif  // QUERY_SNIPPET_H_
