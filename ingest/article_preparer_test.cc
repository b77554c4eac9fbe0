#include "ingest/article_preparer.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "common/fingerprint.h"
#include "gtest/gtest.h"

namespace archive::ingest {
namespace {

constexpr int64_t kJan2023 = 1'673'568'000;

v1::Article Crawled() {
  v1::Article article;
  article.set_source("aawsat.com");
  article.set_url("https://AAWSAT.com/english/news/123?utm_source=x&page=2#top");
  article.set_title("  Biden and Kishida Discuss Japan ‘Stepping up’ Security ");
  article.set_body(
      "President Joe Biden and Japanese Prime Minister Fumio Kishida were "
      "holding talks. \n\n\n"
      "The two administrations were also ready to seal an agreement.  ");
  article.add_captions("US President Joe Biden (R) and Fumio Kishida. (EPA)");
  article.add_captions("US President Joe Biden (R) and Fumio Kishida. (EPA)");
  article.mutable_published_at()->set_seconds(kJan2023);
  article.mutable_crawled_at()->set_seconds(kJan2023 + 3600);
  return article;
}

absl::StatusOr<PreparedArticle> Prepare(const v1::Article& article) {
  return PrepareArticle(article, absl::Now(), PreparerOptions());
}

TEST(PrepareArticleTest, NormalizesAndFingerprints) {
  auto prepared = Prepare(Crawled());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const v1::Article& a = prepared->article;
  EXPECT_EQ(a.title(), "Biden and Kishida Discuss Japan ‘Stepping up’ Security");
  EXPECT_EQ(a.body(),
            "President Joe Biden and Japanese Prime Minister Fumio Kishida were "
            "holding talks.\n\n"
            "The two administrations were also ready to seal an agreement.");
  EXPECT_EQ(a.url(), "https://aawsat.com/english/news/123?page=2");
  ASSERT_EQ(a.captions_size(), 1);  // the repeat is dropped
  EXPECT_EQ(a.content_digest(), ContentDigest(a.title(), a.body()));
  EXPECT_EQ(a.id(), IdFromDigest(a.content_digest()));
  EXPECT_EQ(prepared->minhash.size(), 128u);
}

TEST(PrepareArticleTest, InvisibleDifferencesGiveTheSameDigest) {
  v1::Article crlf = Crawled();
  std::string body = crlf.body();
  std::string changed;
  for (char c : body) {
    if (c == '\n') changed += "\r\n";
    else if (c == ' ') changed += "\xc2\xa0";  // no-break space
    else changed += c;
  }
  crlf.set_body("\xe2\x80\x8b" + changed + "   \r\n\r\n");  // zero-width space
  crlf.set_source("AAWSAT.COM");
  auto a = Prepare(Crawled());
  auto b = Prepare(crlf);
  ASSERT_TRUE(a.ok() && b.ok()) << b.status();
  EXPECT_EQ(a->article.content_digest(), b->article.content_digest());
  EXPECT_EQ(b->article.source(), "aawsat.com");
}

TEST(PrepareArticleTest, UnsetCrawlTimeIsNow) {
  v1::Article article = Crawled();
  article.clear_crawled_at();
  const absl::Time now = absl::FromUnixSeconds(kJan2023 + 99);
  auto prepared = PrepareArticle(article, now, PreparerOptions());
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->article.crawled_at().seconds(), kJan2023 + 99);
}

TEST(PrepareArticleTest, NoPublicationTimeIsTheCrawlTimeAndSaysSo) {
  v1::Article article = Crawled();
  article.clear_published_at();
  auto prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->article.published_at().seconds(), kJan2023 + 3600);
  EXPECT_EQ(prepared->article.date_source(), v1::DATE_SOURCE_CRAWL_TIME);

  article.clear_crawled_at();
  const absl::Time now = absl::FromUnixSeconds(kJan2023 + 99);
  prepared = PrepareArticle(article, now, PreparerOptions());
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->article.published_at().seconds(), kJan2023 + 99);
  EXPECT_EQ(prepared->article.date_source(), v1::DATE_SOURCE_CRAWL_TIME);
}

TEST(PrepareArticleTest, AGivenPublicationTimeIsThePublishersUnlessSaidOtherwise) {
  v1::Article article = Crawled();
  auto prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->article.date_source(), v1::DATE_SOURCE_PUBLISHER);
  article.set_date_source(v1::DATE_SOURCE_TEXT);
  prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->article.date_source(), v1::DATE_SOURCE_TEXT);
}

TEST(PrepareArticleTest, ServerFieldsFromTheClientAreCleared) {
  v1::Article article = Crawled();
  article.set_near_duplicate_of("0123456789abcdef0123456789abcdef");
  article.add_sightings()->set_source("x.com");
  auto prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok());
  EXPECT_TRUE(prepared->article.near_duplicate_of().empty());
  EXPECT_EQ(prepared->article.sightings_size(), 0);
}

TEST(PrepareArticleTest, AGivenDigestMustBeTheRightOne) {
  v1::Article article = Crawled();
  auto right = Prepare(article);
  ASSERT_TRUE(right.ok());
  article.set_content_digest(right->article.content_digest());
  article.set_id(right->article.id());
  EXPECT_TRUE(Prepare(article).ok());
}

struct Rule {
  std::string name;
  std::function<void(v1::Article*)> breaks;
  std::string message_start;
};

class RuleTest : public ::testing::TestWithParam<Rule> {};

TEST_P(RuleTest, IsInvalidArgumentNamingTheField) {
  v1::Article article = Crawled();
  GetParam().breaks(&article);
  PreparerOptions options;
  options.max_article_bytes = 64 << 10;
  auto prepared = PrepareArticle(article, absl::Now(), options);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(prepared.status().message().substr(0, GetParam().message_start.size()),
            GetParam().message_start)
      << prepared.status();
}

int64_t Now() { return absl::ToUnixSeconds(absl::Now()); }

INSTANTIATE_TEST_SUITE_P(
    EachRule, RuleTest,
    ::testing::Values(
        Rule{"NoSource", [](v1::Article* a) { a->clear_source(); },
             "article.source: required"},
        Rule{"SourceNotAHost", [](v1::Article* a) { a->set_source("not a host"); },
             "article.source:"},
        Rule{"SourceWithScheme",
             [](v1::Article* a) { a->set_source("https://aawsat.com"); },
             "article.source:"},
        Rule{"EmptyBody", [](v1::Article* a) { a->set_body(" \n\n \t "); },
             "article.body: empty after cleanup"},
        Rule{"TitleTooLong",
             [](v1::Article* a) { a->set_title(std::string(1001, 'x')); },
             "article.title: 1001 characters"},
        Rule{"RelativeUrl", [](v1::Article* a) { a->set_url("/news/1"); },
             "article.url:"},
        Rule{"FtpUrl", [](v1::Article* a) { a->set_url("ftp://aawsat.com/x"); },
             "article.url:"},
        Rule{"UnknownDateSource",
             [](v1::Article* a) { a->set_date_source(static_cast<v1::DateSource>(7)); },
             "article.date_source: unknown value 7"},
        Rule{"SourceWithNul",
             [](v1::Article* a) { a->set_source(std::string("example.com\0evil", 16)); },
             "article.source: \"example.com\\000evil\" is not"},
        Rule{"SourceWithEscape",
             [](v1::Article* a) { a->set_source("\x1b[2Jexample.com"); },
             "article.source:"},
        Rule{"Before1990",
             [](v1::Article* a) { a->mutable_published_at()->set_seconds(600'000'000); },
             "article.published_at:"},
        Rule{"AfterTomorrow",
             [](v1::Article* a) {
               a->mutable_published_at()->set_seconds(Now() + 3 * 86400);
             },
             "article.published_at:"},
        Rule{"CrawledAfterTomorrow",
             [](v1::Article* a) {
               a->mutable_crawled_at()->set_seconds(Now() + 3 * 86400);
             },
             "article.crawled_at:"},
        Rule{"TooBig",
             [](v1::Article* a) { a->set_body(std::string(65 << 10, 'x')); },
             "article.body: the article's text is"},
        Rule{"InvalidUtf8InBody",
             [](v1::Article* a) { a->set_body("fine \xff\xfe broken"); },
             "article.body: invalid UTF-8 at byte 5"},
        Rule{"InvalidUtf8InTitle",
             [](v1::Article* a) { a->set_title("\xc3"); },
             "article.title: invalid UTF-8"},
        Rule{"InvalidUtf8InCaption",
             [](v1::Article* a) { a->add_captions("ok \xe2\x82"); },
             "article.captions[2]: invalid UTF-8"},
        Rule{"BadLanguage", [](v1::Article* a) { a->set_language("english!"); },
             "article.language:"},
        Rule{"WrongDigest",
             [](v1::Article* a) { a->set_content_digest(std::string(64, 'a')); },
             "article.content_digest:"},
        Rule{"WrongId",
             [](v1::Article* a) { a->set_id("0123456789abcdef0123456789abcdef"); },
             "article.id:"}),
    [](const ::testing::TestParamInfo<Rule>& info) { return info.param.name; });

TEST(PrepareArticleTest, LanguageTagsInUse) {
  for (const char* tag : {"en", "ar", "pt-BR", "zh-Hant-TW", "ko"}) {
    v1::Article article = Crawled();
    article.set_language(tag);
    EXPECT_TRUE(Prepare(article).ok()) << tag;
  }
}

// A story from ingest/testdata/language/ (relative to the runfiles root):
// headline, then body.
v1::Article CrawledIn(const std::string& tag) {
  const std::string path = "ingest/testdata/language/" + tag + ".txt";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  v1::Article article = Crawled();
  article.clear_captions();
  article.set_title(all.substr(0, all.find('\n')));
  article.set_body(all.substr(all.find('\n') + 1));
  return article;
}

TEST(PrepareArticleTest, AnArticleWithoutALanguageGetsTheDetectedOne) {
  for (const char* tag : {"en", "ar", "ko", "ja", "fr", "es"}) {
    auto prepared = Prepare(CrawledIn(tag));
    ASSERT_TRUE(prepared.ok()) << tag << ": " << prepared.status();
    EXPECT_EQ(prepared->article.language(), tag);
  }
}

TEST(PrepareArticleTest, TheLanguageIsDetectedOnTheCleanedText) {
  // Every space a no-break space and a zero-width space after every
  // character would leave CLD2 no words; the normalizer removes both.
  v1::Article article = CrawledIn("ar");
  std::string noisy;
  for (char c : article.body()) {
    if (c == ' ') {
      noisy += "\xc2\xa0\xe2\x80\x8b";
    } else {
      noisy += c;
    }
  }
  article.set_body(noisy);
  auto prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->article.language(), "ar");
  EXPECT_EQ(prepared->article.id(), Prepare(CrawledIn("ar"))->article.id());
}

TEST(PrepareArticleTest, TheCrawlersLanguageWinsOverTheDetectedOne) {
  v1::Article article = CrawledIn("fr");
  article.set_language("fr-CA");
  auto prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->article.language(), "fr-CA");
}

TEST(PrepareArticleTest, AnArticleTooShortToTellIsLeftWithoutALanguage) {
  v1::Article article = Crawled();
  article.clear_captions();
  article.set_title("Kishida");
  article.set_body("Fumio Kishida, Joe Biden (AFP)");
  auto prepared = Prepare(article);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->article.language(), "");
}

}  // namespace
}  // namespace archive::ingest
