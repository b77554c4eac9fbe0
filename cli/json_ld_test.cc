#include "cli/json_ld.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ReadJsonLdTest, ReadsANewsArticle) {
  JsonLdArticle article;
  ReadJsonLd(R"({"@context": "https://schema.org", "@type": "NewsArticle",
      "headline": " Storm hits coast ", "datePublished": "2024-03-05T10:00:00Z",
      "author": {"@type": "Person", "name": "Jane Doe"},
      "publisher": {"@type": "Organization", "name": "The Daily"},
      "inLanguage": "en-GB"})",
             article);
  EXPECT_EQ(article.headline, "Storm hits coast");
  EXPECT_EQ(article.date_published, "2024-03-05T10:00:00Z");
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe"));
  EXPECT_EQ(article.language, "en-GB");
  EXPECT_THAT(article.site_names, ElementsAre("The Daily"));
}

TEST(ReadJsonLdTest, FindsTheArticleInAGraphBesideTheWebSite) {
  JsonLdArticle article;
  ReadJsonLd(R"({"@graph": [
      {"@type": "WebSite", "name": "Example News"},
      {"@type": ["ReportageNewsArticle"], "headline": "A",
       "author": ["Jane Doe", {"name": "John Roe"}]}]})",
             article);
  EXPECT_EQ(article.headline, "A");
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe", "John Roe"));
  EXPECT_THAT(article.site_names, ElementsAre("Example News"));
}

TEST(ReadJsonLdTest, FindsTheArticleInATopLevelArray) {
  JsonLdArticle article;
  ReadJsonLd(R"([{"@type": "BreadcrumbList"},
      {"@type": "http://schema.org/BlogPosting", "headline": "B",
       "author": "Jane Doe"}])",
             article);
  EXPECT_EQ(article.headline, "B");
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe"));
}

TEST(ReadJsonLdTest, KeepsTheFirstArticlesFields) {
  JsonLdArticle article;
  ReadJsonLd(R"({"@type": "NewsArticle", "headline": "First"})", article);
  ReadJsonLd(R"({"@type": "NewsArticle", "headline": "Second"})", article);
  EXPECT_EQ(article.headline, "First");
}

TEST(ReadJsonLdTest, IgnoresObjectsThatAreNotArticles) {
  JsonLdArticle article;
  ReadJsonLd(R"({"@type": "VideoObject", "headline": "Video"})", article);
  EXPECT_THAT(article.headline, IsEmpty());
}

TEST(ReadJsonLdTest, IgnoresMalformedJson) {
  JsonLdArticle article;
  for (const char* json : {"", "{", R"({"@type": "NewsArticle", "headline": })",
                           "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                           "\xff\xfe", "null", "42"}) {
    ReadJsonLd(json, article);
  }
  EXPECT_THAT(article.headline, IsEmpty());
  EXPECT_THAT(article.authors, IsEmpty());
}

}  // namespace
}  // namespace archive::cli
