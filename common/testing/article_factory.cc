#include "common/testing/article_factory.h"

#include <random>

#include "common/fingerprint.h"

namespace archive::testing {

v1::Article MakeArticle(const std::string& source, const std::string& title,
                        const std::string& body, int64_t published_seconds) {
  v1::Article article;
  article.set_source(source);
  article.set_url("https://" + source + "/news/" +
                  std::to_string(published_seconds));
  article.set_title(title);
  article.set_body(body);
  article.set_language("en");
  article.mutable_published_at()->set_seconds(published_seconds);
  article.mutable_crawled_at()->set_seconds(published_seconds + 3600);
  Refingerprint(&article);
  return article;
}

std::string GeneratedBody(uint64_t seed, int words, int paragraph_words) {
  std::mt19937 random(static_cast<std::mt19937::result_type>(seed * 7919 + 17));
  static const char* const kSyllables[] = {
      "ka", "lo", "mi", "ne", "ru", "ta", "shi", "vo", "pe", "zu",
      "an", "el", "or", "is", "um", "dra", "ble", "tor", "qua", "fen"};
  std::uniform_int_distribution<int> syllable(0, 19);
  std::uniform_int_distribution<int> length(2, 4);
  std::string body;
  for (int w = 0; w < words; ++w) {
    if (w > 0) body += (w % paragraph_words == 0) ? ".\n\n" : " ";
    for (int s = length(random); s > 0; --s) body += kSyllables[syllable(random)];
  }
  body += ".";
  return body;
}

void Refingerprint(v1::Article* article) {
  article->set_content_digest(ContentDigest(article->title(), article->body()));
  article->set_id(IdFromDigest(article->content_digest()));
}

}  // namespace archive::testing
