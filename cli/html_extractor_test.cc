#include "cli/html_extractor.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kUrl[] = "https://news.example.com/world/2024/03/storm.html";

// Three paragraphs of running text.
constexpr char kParagraphs[] =
    "<p>The storm reached the coast on Tuesday evening, bringing winds of "
    "more than 100 kilometres an hour, and flooding low-lying streets.</p>"
    "<p>Officials said that thousands of homes had lost power, and that "
    "schools would stay closed until the water had gone down.</p>"
    "<p>Forecasters expect the weather to calm by the weekend, though more "
    "rain is likely in the north, where rivers are already high.</p>";

constexpr char kBody[] =
    "The storm reached the coast on Tuesday evening, bringing winds of more "
    "than 100 kilometres an hour, and flooding low-lying streets.\n\n"
    "Officials said that thousands of homes had lost power, and that schools "
    "would stay closed until the water had gone down.\n\n"
    "Forecasters expect the weather to calm by the weekend, though more rain "
    "is likely in the north, where rivers are already high.";

std::string Page(const std::string& head, const std::string& body) {
  return absl::StrCat("<!DOCTYPE html><html><head>", head, "</head><body>",
                      body, "</body></html>");
}

std::string Article(const std::string& inside) {
  return absl::StrCat("<article>", inside, kParagraphs, "</article>");
}

absl::Time Utc(int year, int month, int day, int hour = 0, int minute = 0) {
  return absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute),
                         absl::UTCTimeZone());
}

TEST(ExtractArticleTest, TakesTheHeadlineFromJsonLd) {
  const ExtractedArticle article = ExtractArticle(
      Page(R"(<script type="application/ld+json">
             {"@type": "NewsArticle", "headline": "Storm hits the coast"}
             </script><meta property="og:title" content="Other">)",
           Article("<h1>Storm hits coast, again</h1>")),
      kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kNone);
  EXPECT_EQ(article.title, "Storm hits the coast");
}

TEST(ExtractArticleTest, TakesTheHeadlineFromOgTitleWithoutJsonLd) {
  const ExtractedArticle article = ExtractArticle(
      Page(R"(<meta property="og:title" content="Storm hits the coast">)",
           Article("<h1>Storm</h1>")),
      kUrl);
  EXPECT_EQ(article.title, "Storm hits the coast");
}

TEST(ExtractArticleTest, TakesTheHeadlineFromTheH1RatherThanTheLogo) {
  const ExtractedArticle article = ExtractArticle(
      Page("<title>Storm hits the coast | Example News</title>",
           absl::StrCat("<header><h1 class=logo><a href=/>Example News</a></h1>"
                        "</header>",
                        Article("<h1>Storm hits the coast</h1>"))),
      kUrl);
  EXPECT_EQ(article.title, "Storm hits the coast");
}

TEST(ExtractArticleTest, TakesTheHeadlineFromTheTitleLast) {
  const ExtractedArticle article = ExtractArticle(
      Page("<title>Storm hits the coast</title>", Article("")), kUrl);
  EXPECT_EQ(article.title, "Storm hits the coast");
}

TEST(ExtractArticleTest, StripsTheSiteNameGivenByOgSiteName) {
  for (const char* title :
       {"Storm hits the coast | The Daily Example",
        "Storm hits the coast - The Daily Example",
        "Storm hits the coast — The Daily Example",
        "The Daily Example | Storm hits the coast"}) {
    const ExtractedArticle article = ExtractArticle(
        Page(absl::StrCat("<meta property=og:site_name content='The Daily "
                          "Example'><meta property=og:title content='",
                          title, "'>"),
             Article("")),
        kUrl);
    EXPECT_EQ(article.title, "Storm hits the coast") << title;
  }
}

TEST(ExtractArticleTest, StripsTheSiteNameGivenByJsonLdPublisherOrTheHost) {
  EXPECT_EQ(ExtractArticle(
                Page(R"(<script type="application/ld+json">
                   {"@type": "NewsArticle", "publisher": {"name": "Daily"}}
                   </script><title>Storm hits the coast | Daily</title>)",
                     Article("")),
                kUrl)
                .title,
            "Storm hits the coast");
  EXPECT_EQ(ExtractArticle(Page("<title>Storm hits the coast - Example</title>",
                                Article("")),
                           kUrl)
                .title,
            "Storm hits the coast");
}

TEST(ExtractArticleTest, KeepsADashThatIsPartOfTheHeadline) {
  const ExtractedArticle article = ExtractArticle(
      Page("<meta property=og:site_name content='The Daily Example'>"
           "<meta property=og:title content='Storm - and then the floods'>",
           Article("")),
      kUrl);
  EXPECT_EQ(article.title, "Storm - and then the floods");
}

TEST(ExtractArticleTest, TakesThePublicationTimeFromJsonLd) {
  const ExtractedArticle article = ExtractArticle(
      Page(R"(<script type="application/ld+json">
             {"@type": "NewsArticle", "datePublished": "2024-03-05T10:30:00+01:00"}
             </script><meta property="article:published_time"
             content="2020-01-01T00:00:00Z">)",
           Article("")),
      kUrl);
  ASSERT_TRUE(article.published_at.has_value());
  EXPECT_EQ(*article.published_at, Utc(2024, 3, 5, 9, 30));
  EXPECT_FALSE(article.published_at_from_text);
}

TEST(ExtractArticleTest, TakesThePublicationTimeFromMetaTags) {
  for (const char* meta :
       {R"(<meta property="article:published_time" content="2024-03-05T09:30:00Z">)",
        R"(<meta itemprop="datePublished" content="2024-03-05T09:30:00.000Z">)",
        R"(<meta name="pubdate" content="2024-03-05T10:30:00+0100">)",
        R"(<meta name="DC.date" content="2024-03-05 09:30:00">)"}) {
    const ExtractedArticle article =
        ExtractArticle(Page(meta, Article("")), kUrl);
    ASSERT_TRUE(article.published_at.has_value()) << meta;
    EXPECT_EQ(*article.published_at, Utc(2024, 3, 5, 9, 30)) << meta;
  }
}

TEST(ExtractArticleTest, TakesThePublicationTimeFromATimeElementInTheArticle) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat("<nav><time datetime=2020-01-01>x</time></nav>",
                            Article("<h1>Storm</h1><time datetime="
                                    "'2024-03-05T09:30Z'>5 March</time>"))),
      kUrl);
  ASSERT_TRUE(article.published_at.has_value());
  EXPECT_EQ(*article.published_at, Utc(2024, 3, 5, 9, 30));
}

TEST(ExtractArticleTest, TakesThePublicationDateFromTheTextNearTheHeadline) {
  const ExtractedArticle article = ExtractArticle(
      Page("", Article("<h1>Storm</h1><div class=dateline>Published "
                       "5 March 2024, 10:30</div>")),
      kUrl);
  ASSERT_TRUE(article.published_at.has_value());
  EXPECT_EQ(*article.published_at, Utc(2024, 3, 5));
  EXPECT_TRUE(article.published_at_from_text);
  EXPECT_THAT(article.body, Not(HasSubstr("Published")));
}

TEST(ExtractArticleTest, HasNoPublicationTimeWhenThePageGivesNone) {
  EXPECT_FALSE(ExtractArticle(Page("", Article("")), kUrl).published_at);
}

TEST(ExtractArticleTest, TakesAuthorsFromJsonLdStringsObjectsAndArrays) {
  const ExtractedArticle article = ExtractArticle(
      Page(R"(<script type="application/ld+json">
             {"@type": "NewsArticle", "author": [{"@type": "Person",
              "name": "Jane Doe"}, "John Roe"]}</script>
             <meta name=author content="Someone Else">)",
           Article("")),
      kUrl);
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe", "John Roe"));
}

TEST(ExtractArticleTest, TakesAuthorsFromMetaAuthor) {
  const ExtractedArticle article = ExtractArticle(
      Page("<meta name=author content='Jane Doe and John Roe'>", Article("")),
      kUrl);
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe", "John Roe"));
}

TEST(ExtractArticleTest, TakesAuthorsFromRelAuthorLinks) {
  const ExtractedArticle article = ExtractArticle(
      Page("", Article("<p class=by>By <a rel=author href=/jane>Jane Doe</a>"
                       "</p>")),
      kUrl);
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe"));
}

TEST(ExtractArticleTest, TakesAuthorsFromABylineAndLeavesItOutOfTheBody) {
  const ExtractedArticle article = ExtractArticle(
      Page("", Article("<h1>Storm</h1><p>By Jane Doe, John Roe and Ann Poe</p>")),
      kUrl);
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe", "John Roe", "Ann Poe"));
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, KeepsParagraphsAndSubheadingsButNotTheHeadline) {
  const ExtractedArticle article = ExtractArticle(
      Page("<title>Storm</title>",
           absl::StrCat("<article><h1>Storm</h1>", kParagraphs,
                        "<h2>What comes next</h2><p>More rain, and then "
                        "sun, say the forecasters of the weather office.</p>"
                        "</article>")),
      kUrl);
  EXPECT_EQ(article.body,
            absl::StrCat(kBody,
                         "\n\nWhat comes next\n\nMore rain, and then sun, say "
                         "the forecasters of the weather office."));
}

TEST(ExtractArticleTest, CollapsesWhiteSpaceAndDecodesCharacterReferences) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat("<article><p>  Caf&eacute;&nbsp;owners\n\t said "
                            "&quot;no&quot;, <b>loudly</b>,&#x20;again.</p>",
                            kParagraphs, "</article>")),
      kUrl);
  EXPECT_THAT(article.body, HasSubstr("Café owners said \"no\", loudly, again."));
}

TEST(ExtractArticleTest, LeavesOutNavigationShareCountsRelatedAndAds) {
  const std::string chrome = absl::StrCat(
      "<header><nav><ul><li><a href=/>Home</a></li><li><a href=/w>World, "
      "Politics, Business and everything else we cover</a></li></ul></nav>"
      "</header>",
      "<main><article><h1>Storm</h1>",
      "<div class=share-bar><span>20</span> Share Tweet</div>", kParagraphs,
      "<div class='ad ad-slot'>Advertisement: buy the best umbrellas, in all "
      "colours, at the best prices, today only</div>",
      "<aside><h2>Related</h2><p>Another storm hit the coast last year, and "
      "flooded many streets in the old town.</p></aside>",
      "<div class=most-read><h2>Most read</h2><ol><li><a href=/a>A much "
      "longer headline about something else entirely</a></li></ol></div>",
      "<script>var text = 'not this, nor this, nor this';</script>"
      "<style>p { color: red }</style>"
      "<form><p>Sign up to our newsletter, every morning, free of "
      "charge</p></form>",
      "</article></main><footer><p>Copyright 2024 Example News, all rights "
      "reserved, and more words here.</p></footer>");
  const ExtractedArticle article = ExtractArticle(Page("", chrome), kUrl);
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, ReadsChromeNamesFromDataAttributesAndCustomTags) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat(
                   "<article><div data-component=byline-block><span>Example "
                   "News, North Yorkshire</span></div>",
                   kParagraphs,
                   "<div data-component=links-block><h2>Related</h2><ul><li>"
                   "<a href=/r>Bus passengers urged to have their say on "
                   "routes</a></li></ul></div>"
                   "<amp-twitter><blockquote><p>Beaches are closed to "
                   "swimming today, because of the storm and its "
                   "floods.</p></blockquote></amp-twitter>"
                   "<div id=jp-relatedposts><p>In the news, another story "
                   "about the weather, and rain.</p></div></article>")),
      kUrl);
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, LeavesOutChromeInsideAParagraphsBlock) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat("<article>", kParagraphs,
                            "<section><div class=dfp-slot></div><span "
                            "class=ad-label>Advertisement</span></section>"
                            "</article>")),
      kUrl);
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, TakesTheInnermostBylineAndStopsAtASeparator) {
  const ExtractedArticle article = ExtractArticle(
      Page("", Article("<h1>Storm</h1><div class=byline><div class=authors>By "
                       "<a href=/j>Jane Doe</a> · 5 March 2024</div><div>"
                       "Updated 10:30 <a href=/s>Share</a></div></div>")),
      kUrl);
  EXPECT_THAT(article.authors, ElementsAre("Jane Doe"));
}

TEST(ExtractArticleTest, TakesNoAuthorFromASentence) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat("<article><h1>Storm</h1><p>By the time the storm "
                            "came, most had left</p>",
                            kParagraphs,
                            "<a rel=author href=/j>View all of Jane Doe's "
                            "posts.</a></article>")),
      kUrl);
  EXPECT_THAT(article.authors, IsEmpty());
  EXPECT_THAT(article.body, HasSubstr("By the time the storm came"));
}

TEST(ExtractArticleTest, FindsTheTextByDensityWithoutArticleMarkup) {
  const std::string page = absl::StrCat(
      "<div id=top><div class=links><a href=/1>One story, with a headline</a> "
      "<a href=/2>Two stories, with more headlines</a></div></div>",
      "<div id=wrapper><div class=col-left><p>Short teaser text.</p></div>"
      "<div class=col-main><h1>Storm</h1>",
      kParagraphs, "</div></div>");
  const ExtractedArticle article = ExtractArticle(Page("", page), kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kNone);
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, TakesFigcaptionsAsCaptionsAndNotAsBody) {
  const ExtractedArticle article = ExtractArticle(
      Page("", Article("<figure><img src=a.jpg><figcaption>Waves on the "
                       "sea wall. <span>Photo: AP</span></figcaption></figure>")),
      kUrl);
  EXPECT_THAT(article.captions, ElementsAre("Waves on the sea wall. Photo: AP"));
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, ResolvesTheCanonicalUrl) {
  EXPECT_EQ(ExtractArticle(Page("<link rel=canonical href='/world/storm'>",
                                Article("")),
                           kUrl)
                .canonical_url,
            "https://news.example.com/world/storm");
  EXPECT_EQ(
      ExtractArticle(Page("<meta property=og:url content='https://"
                          "news.example.com/s'>",
                          Article("")),
                     kUrl)
          .canonical_url,
      "https://news.example.com/s");
}

TEST(ExtractArticleTest, TakesTheLanguageFromTheHtmlElement) {
  const ExtractedArticle article = ExtractArticle(
      absl::StrCat("<html lang=en-GB><body>", Article(""), "</body></html>"),
      kUrl);
  EXPECT_EQ(article.language, "en-GB");
}

TEST(ExtractArticleTest, FindsNoArticleOnAnIndexPage) {
  std::string cards;
  for (int i = 0; i < 12; ++i) {
    absl::StrAppend(&cards, "<div class=card><h2><a href=/s", i,
                    ">A headline of a story number ", i,
                    "</a></h2><p>The teaser of that story, which says in a "
                    "sentence or two what it is about, and why.</p></div>");
  }
  const ExtractedArticle article =
      ExtractArticle(Page("<title>World | Example</title>",
                          absl::StrCat("<h1>World</h1><div class=list>", cards,
                                       "</div>")),
                     kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kNoArticleText);
}

TEST(ExtractArticleTest, FindsNoArticleOnA404Page) {
  const ExtractedArticle article = ExtractArticle(
      Page("<title>Page not found | Example</title>",
           "<nav><a href=/>Home</a></nav><h1>Page not found</h1><p>Sorry, "
           "the page you asked for is not here. Try the search.</p>"),
      kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kNoArticleText);
  EXPECT_EQ(NoArticleReasonName(article.no_article), "no article text");
}

TEST(ExtractArticleTest, FindsNoArticleInAnEmptyOrBinaryInput) {
  for (const std::string& input :
       {std::string(), std::string("\0\xff\xfe<", 4), std::string("just text")}) {
    EXPECT_EQ(ExtractArticle(input, "").no_article,
              NoArticleReason::kNoArticleText);
  }
}

TEST(ExtractArticleTest, ReadsMalformedMarkupAsHtml5Does) {
  const ExtractedArticle article = ExtractArticle(
      "<html><body></td><article><h1>Storm</h2><p>The storm reached the coast on "
      "Tuesday evening, bringing winds of more than 100 kilometres an hour, "
      "and flooding low-lying streets.<p>Officials said that thousands of "
      "homes had lost power, and that schools would stay closed until the "
      "water had gone down.<div><p>Forecasters expect the weather to calm by "
      "the weekend, though more rain is likely in the north, where rivers are "
      "already high.</i></b></span>",
      kUrl);
  EXPECT_EQ(article.title, "Storm");
  EXPECT_EQ(article.body, kBody);
}

TEST(ExtractArticleTest, IgnoresInvalidJsonLd) {
  const ExtractedArticle article = ExtractArticle(
      Page(R"(<script type="application/ld+json">{"@type": "NewsArticle",
             "headline": "Broken" "x"}</script>
             <script type="application/ld+json">[[[[</script>
             <meta property=og:title content="Storm hits the coast">)",
           Article("")),
      kUrl);
  EXPECT_EQ(article.title, "Storm hits the coast");
}

TEST(ExtractArticleTest, OutputsValidUtf8ForInvalidInput) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat("<article><p>Bad \xff\xc3 bytes, \xe2\x82 here, "
                            "and more words after them, for length.</p>",
                            kParagraphs, "</article>")),
      kUrl);
  EXPECT_THAT(article.body, HasSubstr("Bad \uFFFD\uFFFD bytes"));
}

TEST(ExtractArticleTest, ReadsARightToLeftArabicPage) {
  const std::string page = R"(<!DOCTYPE html><html lang="ar" dir="rtl"><head>
      <meta property="og:site_name" content="الشرق الأوسط">
      <meta property="og:title" content="العاصفة تضرب الساحل | الشرق الأوسط">
      <meta property="article:published_time" content="2024-03-05T09:30:00Z">
      </head><body><nav><a href="/">الرئيسية</a> <a href="/w">العالم</a></nav>
      <article><h1>العاصفة تضرب الساحل</h1>
      <p>وصلت العاصفة إلى الساحل مساء الثلاثاء، مع رياح تجاوزت سرعتها مئة كيلومتر في الساعة، وغمرت المياه الشوارع المنخفضة.</p>
      <p>وقال المسؤولون إن آلاف المنازل فقدت الكهرباء، وإن المدارس ستبقى مغلقة حتى تنحسر المياه.</p>
      <p>ويتوقع خبراء الأرصاد أن يهدأ الطقس بحلول نهاية الأسبوع، مع احتمال هطول مزيد من الأمطار في الشمال.</p>
      </article></body></html>)";
  const ExtractedArticle article = ExtractArticle(page, kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kNone);
  EXPECT_EQ(article.title, "العاصفة تضرب الساحل");
  EXPECT_EQ(article.language, "ar");
  EXPECT_EQ(article.published_at, Utc(2024, 3, 5, 9, 30));
  EXPECT_EQ(article.body,
            "وصلت العاصفة إلى الساحل مساء الثلاثاء، مع رياح تجاوزت سرعتها مئة "
            "كيلومتر في الساعة، وغمرت المياه الشوارع المنخفضة.\n\n"
            "وقال المسؤولون إن آلاف المنازل فقدت الكهرباء، وإن المدارس ستبقى "
            "مغلقة حتى تنحسر المياه.\n\n"
            "ويتوقع خبراء الأرصاد أن يهدأ الطقس بحلول نهاية الأسبوع، مع احتمال "
            "هطول مزيد من الأمطار في الشمال.");
}

TEST(ExtractArticleTest, ReadsAKoreanPage) {
  const std::string page = R"(<html lang="ko"><head>
      <title>태풍, 남해안 강타 - 예시일보</title>
      <meta property="og:site_name" content="예시일보"></head><body>
      <div class="gnb"><a href="/">홈</a></div>
      <div id="article-view"><h1>태풍, 남해안 강타</h1>
      <div class="info">입력 2024.03.05 10:30</div>
      <p>태풍이 화요일 저녁 남해안에 상륙해 시속 100킬로미터가 넘는 강풍과 함께 저지대 도로를 물에 잠기게 했다.</p>
      <p>당국은 수천 가구에 전기 공급이 끊겼으며, 물이 빠질 때까지 학교 문을 닫겠다고 밝혔다.</p>
      <p>기상청은 주말에는 날씨가 풀리겠지만, 강 수위가 이미 높은 북부에는 비가 더 내릴 것으로 내다봤다.</p></div></body></html>)";
  const ExtractedArticle article = ExtractArticle(page, kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kNone);
  EXPECT_EQ(article.title, "태풍, 남해안 강타");
  EXPECT_EQ(article.body,
            "태풍이 화요일 저녁 남해안에 상륙해 시속 100킬로미터가 넘는 강풍과 "
            "함께 저지대 도로를 물에 잠기게 했다.\n\n"
            "당국은 수천 가구에 전기 공급이 끊겼으며, 물이 빠질 때까지 학교 "
            "문을 닫겠다고 밝혔다.\n\n"
            "기상청은 주말에는 날씨가 풀리겠지만, 강 수위가 이미 높은 북부에는 "
            "비가 더 내릴 것으로 내다봤다.");
  EXPECT_EQ(article.published_at, Utc(2024, 3, 5));
}

TEST(ExtractArticleTest, KeepsLineBreaksOfBrElements) {
  const ExtractedArticle article = ExtractArticle(
      Page("", absl::StrCat("<article><p>First line of a poem, and then<br>"
                            "the second line of the same poem.</p>",
                            kParagraphs, "</article>")),
      kUrl);
  EXPECT_THAT(article.body, HasSubstr("and then\nthe second line"));
}

TEST(ExtractArticleTest, SurvivesDeeplyNestedMarkup) {
  std::string page;
  for (int i = 0; i < 1500; ++i) page += "<div>";
  page += kParagraphs;
  EXPECT_EQ(ExtractArticle(page, kUrl).body, kBody);
}

TEST(ExtractArticleTest, MarkupNestedDeeperThanTheBoundIsNotParsed) {
  std::string page;
  for (int i = 0; i < kMaxMarkupDepth + 1; ++i) page += "<div>";
  page += kParagraphs;
  const ExtractedArticle article = ExtractArticle(page, kUrl);
  EXPECT_EQ(article.no_article, NoArticleReason::kTooDeeplyNested);
  EXPECT_EQ(NoArticleReasonName(article.no_article), "markup nested too deeply");
}

TEST(ExtractArticleTest, TagsThatNeedNoEndTagDoNotCountAsNesting) {
  // Unclosed paragraphs, list items, cells and line breaks, as old pages
  // write them, and tags inside a script, are not depth.
  std::string page = "<script>";
  for (int i = 0; i < 3000; ++i) page += "<div>";
  page += "</script>";
  for (int i = 0; i < 3000; ++i) page += "<p>x<li>y<td>z<br><img src=a.png>";
  page += kParagraphs;
  EXPECT_NE(ExtractArticle(page, kUrl).no_article, NoArticleReason::kTooDeeplyNested);
}

}  // namespace
}  // namespace archive::cli
