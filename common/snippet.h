// A search hit's snippet: the passage of the article where the query's
// terms cluster, with each matched word marked **like this**.
//
// Its cost is bounded whatever the article's length: a body of a few KB is
// tokenized whole; in a longer one a cheap byte search (ASCII case folded)
// picks the places where the terms may cluster, and ICU tokenizes only the
// text around the most promising of them, within a fixed budget, stopping as
// soon as one window holds every term. The byte search only chooses where to
// look: which words match is decided by the tokenizer alone. So in a long
// body a passage may be missed when it lies past the byte search's reach
// (256 KiB), or when only NFKC casefolding shows its words to be the terms
// (full-width letters, ligatures, upper case past a word's first letter
// outside ASCII) and it lies past the body's first KB, which is always
// tokenized when it is not plain ASCII.
//
// Thread-safe.
#ifndef COMMON_SNIPPET_H_
#define COMMON_SNIPPET_H_

#include <string>
#include <vector>

#include "archive/v1/article.pb.h"

namespace archive {

// About `max_words` words of the body, chosen to hold the most distinct
// terms found (the first such passage), starting a few words before its
// first match when that drops none, with "…" where text was cut. When the
// body shows none of the terms: the title if it holds one, else the body's
// first words. `terms` are tokenizer terms (common/tokenizer.h).
std::string MakeSnippet(const v1::Article& article, const std::vector<std::string>& terms,
                        int max_words = 30);

}  // namespace archive

#endif  // COMMON_SNIPPET_H_
