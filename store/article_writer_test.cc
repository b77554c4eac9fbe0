#include "store/article_writer.h"

#include "common/testing/article_factory.h"
#include "gtest/gtest.h"

namespace archive::store {
namespace {

v1::Article Arrived(const std::string& source, const std::string& url,
                    int64_t crawled_seconds) {
  v1::Article article = testing::MakeArticle(source, "Title", "Body.",
                                             testing::kJan2023);
  article.set_url(url);
  article.mutable_crawled_at()->set_seconds(crawled_seconds);
  return article;
}

TEST(ClassifyArrivalTest, TheArrivalThatBroughtTheArticleIsTheOriginal) {
  const v1::Article stored = Arrived("a.com", "https://a.com/1", 100);
  EXPECT_EQ(ClassifyArrival(stored, Arrived("a.com", "https://a.com/1", 100)),
            Arrival::kOriginal);
}

TEST(ClassifyArrivalTest, ASightingAlreadyRecordedIsKnown) {
  v1::Article stored = Arrived("a.com", "https://a.com/1", 100);
  v1::Sighting* seen = stored.add_sightings();
  seen->set_source("b.com");
  seen->set_url("https://b.com/x");
  seen->mutable_crawled_at()->set_seconds(200);
  EXPECT_EQ(ClassifyArrival(stored, Arrived("b.com", "https://b.com/x", 200)),
            Arrival::kKnownSighting);
}

TEST(ClassifyArrivalTest, AnyDifferenceInSourceUrlOrCrawlTimeIsNew) {
  const v1::Article stored = Arrived("a.com", "https://a.com/1", 100);
  EXPECT_EQ(ClassifyArrival(stored, Arrived("b.com", "https://a.com/1", 100)),
            Arrival::kNew);
  EXPECT_EQ(ClassifyArrival(stored, Arrived("a.com", "https://a.com/2", 100)),
            Arrival::kNew);
  EXPECT_EQ(ClassifyArrival(stored, Arrived("a.com", "https://a.com/1", 101)),
            Arrival::kNew);
  v1::Article nanos_later = Arrived("a.com", "https://a.com/1", 100);
  nanos_later.mutable_crawled_at()->set_nanos(1);
  EXPECT_EQ(ClassifyArrival(stored, nanos_later), Arrival::kNew);
}

}  // namespace
}  // namespace archive::store
