// The serialized views read and write the same bytes as the messages they
// view.
#include <string>

#include "archive/v1/query.pb.h"
#include "archive/v1/store.pb.h"
#include "common/testing/article_factory.h"
#include "gtest/gtest.h"
#include "query/serialized_views.pb.h"

namespace archive::query {
namespace {

using ::archive::testing::kJan2023;
using ::archive::testing::MakeArticle;

v1::Article Sample(int i) {
  v1::Article article = MakeArticle("a.com", "Title " + std::to_string(i),
                                    "Body of article " + std::to_string(i), kJan2023 + i);
  article.mutable_published_at()->set_nanos(1000 * i);
  article.add_authors("Someone");
  article.add_sightings()->set_url("https://b.org/" + std::to_string(i));
  return article;
}

TEST(SerializedViewsTest, AScanResponseReadsAsSerializedArticles) {
  v1::ScanResponse response;
  for (int i = 0; i < 3; ++i) *response.add_articles() = Sample(i);
  response.set_next_page_token(std::string("\0\x01token", 7));
  v1::SerializedScanResponse view;
  ASSERT_TRUE(view.ParseFromString(response.SerializeAsString()));
  ASSERT_EQ(view.articles_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(view.articles(i), Sample(i).SerializeAsString());
  }
  EXPECT_EQ(view.next_page_token(), response.next_page_token());
}

TEST(SerializedViewsTest, ASerializedListIsAListArticlesResponse) {
  SerializedListArticlesResponse view;
  for (int i = 0; i < 3; ++i) view.add_articles(Sample(i).SerializeAsString());
  view.set_next_page_token("next");
  v1::ListArticlesResponse response;
  ASSERT_TRUE(response.ParseFromString(view.SerializeAsString()));
  ASSERT_EQ(response.articles_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(response.articles(i).SerializeAsString(), Sample(i).SerializeAsString());
  }
  EXPECT_EQ(response.next_page_token(), "next");
}

TEST(SerializedViewsTest, AnArticleReadsAsItsPosition) {
  ArticlePosition position;
  ASSERT_TRUE(position.ParseFromString(Sample(7).SerializeAsString()));
  EXPECT_EQ(position.id(), Sample(7).id());
  EXPECT_EQ(position.published_at().seconds(), kJan2023 + 7);
  EXPECT_EQ(position.published_at().nanos(), 7000);
  EXPECT_FALSE(position.ParseFromString(std::string("\x0a\x05ab", 4)));  // cut short
}

}  // namespace
}  // namespace archive::query
