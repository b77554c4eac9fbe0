#include "common/article_view.h"

#include <string>

#include "absl/status/status.h"
#include "archive/v1/article.pb.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

// An article with every field set.
v1::Article WholeArticle() {
  v1::Article article;
  article.set_id("0123456789abcdef0123456789abcdef");
  article.set_source("example.com");
  article.set_url("https://example.com/a");
  article.set_title("A title");
  article.set_body("The body.");
  article.add_captions("A caption");
  article.add_authors("A. Writer");
  article.set_language("en");
  article.mutable_published_at()->set_seconds(1'600'000'000);
  article.mutable_crawled_at()->set_seconds(1'600'000'100);
  article.set_content_digest(std::string(64, 'a'));
  article.set_near_duplicate_of("fedcba9876543210fedcba9876543210");
  article.add_sightings()->set_source("other.org");
  article.set_date_source(v1::DATE_SOURCE_TEXT);
  return article;
}

TEST(ArticleViewTest, EveryFieldOfTheArticleIsSetByTheFixture) {
  // So that the tests below see every field: a field added to Article must
  // be set here too.
  const v1::Article article = WholeArticle();
  const auto* descriptor = v1::Article::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    const auto* reflection = article.GetReflection();
    EXPECT_TRUE(field->is_repeated() ? reflection->FieldSize(article, field) > 0
                                     : reflection->HasField(article, field))
        << field->name();
  }
}

TEST(ArticleViewTest, AHeadIsTheArticleWithoutItsTextAndSightings) {
  const v1::Article article = WholeArticle();
  v1::Article expected = article;
  expected.clear_body();
  expected.clear_captions();
  expected.clear_sightings();
  EXPECT_EQ(ArticleHead(article).SerializeAsString(), expected.SerializeAsString());
}

TEST(ArticleViewTest, BasicTrimsAndTheOtherViewsKeepEverything) {
  for (const v1::ArticleView view :
       {v1::ARTICLE_VIEW_UNSPECIFIED, v1::ARTICLE_VIEW_FULL}) {
    v1::Article article = WholeArticle();
    ApplyArticleView(view, &article);
    EXPECT_EQ(article.SerializeAsString(), WholeArticle().SerializeAsString())
        << v1::ArticleView_Name(view);
  }
  v1::Article article = WholeArticle();
  ApplyArticleView(v1::ARTICLE_VIEW_BASIC, &article);
  EXPECT_EQ(article.SerializeAsString(), ArticleHead(WholeArticle()).SerializeAsString());
}

TEST(ArticleViewTest, AnUnknownViewIsAnInvalidArgumentNamingTheField) {
  for (int view : {0, 1, 2}) EXPECT_TRUE(ValidateArticleView(view).ok()) << view;
  const absl::Status status = ValidateArticleView(7);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "view: 7 is not an ArticleView");
  EXPECT_FALSE(ValidateArticleView(-1).ok());
}

}  // namespace
}  // namespace archive
