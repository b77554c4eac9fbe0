#include "common/testing/article_factory.h"

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

void Refingerprint(v1::Article* article) {
  article->set_content_digest(ContentDigest(article->title(), article->body()));
  article->set_id(IdFromDigest(article->content_digest()));
}

}  // namespace archive::testing
