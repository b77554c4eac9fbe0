// Valid articles for tests: fingerprinted as ingest would, so the store
// accepts them. Test-only.
#ifndef COMMON_TESTING_ARTICLE_FACTORY_H_
#define COMMON_TESTING_ARTICLE_FACTORY_H_

#include <cstdint>
#include <string>

#include "archive/v1/article.pb.h"

namespace archive::testing {

// An article of `source` with the given text, published `published_seconds`
// after the Unix epoch, crawled an hour later, with id and content_digest set.
v1::Article MakeArticle(const std::string& source, const std::string& title,
                        const std::string& body, int64_t published_seconds);

// Deterministic, distinct article text of `words` made-up words in
// paragraphs of `paragraph_words`, different for every `seed`: bulk
// articles for stream and load tests.
std::string GeneratedBody(uint64_t seed, int words = 300, int paragraph_words = 60);

// Recomputes content_digest and id after a test changed title or body.
void Refingerprint(v1::Article* article);

// A Unix time in 2023, well inside the valid range: 2023-01-13T00:00:00Z.
inline constexpr int64_t kJan2023 = 1'673'568'000;

}  // namespace archive::testing

#endif  // COMMON_TESTING_ARTICLE_FACTORY_H_
