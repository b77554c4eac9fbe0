// Finds the news article in a crawled page's HTML: headline, publication
// time, authors, captions, canonical URL and the main text, with the page
// parsed by gumbo (an HTML5 parser) rather than patterns over its bytes.
//
// Where each comes from, first found wins:
//   headline      JSON-LD NewsArticle/Article `headline`, og:title, the main
//                 <h1>, <title>; without the site's name ("… | The Times")
//   published_at  JSON-LD `datePublished`, article:published_time (and the
//                 like: itemprop=datePublished, dc.date), <time datetime> in
//                 the article, a date written in the text near the headline
//   authors       JSON-LD `author`, <meta name=author>, rel=author, a byline
//                 ("By Jane Doe and John Roe")
//   captions      <figcaption> within the article
//   canonical_url <link rel=canonical>, og:url
//   body          the main block of text by content density, in the manner of
//                 readability and trafilatura: no navigation, header, footer,
//                 share counts, related or most-read lists, advertisements,
//                 scripts or styles; one paragraph a block element
//
// Stateless and thread-safe.
#ifndef CLI_HTML_EXTRACTOR_H_
#define CLI_HTML_EXTRACTOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace archive::cli {

// Why a page yields no article.
enum class NoArticleReason {
  kNone,           // an article was found
  kNoArticleText,  // no block of running text long enough to be an article
                   // (an index or section page, a 404 page, a video page)
  kTooDeeplyNested,  // elements nested deeper than kMaxMarkupDepth: not parsed
};

// gumbo 0.10.1 takes time quadratic in the depth of nesting (9 s for 40,000
// nested <div>s), and no news page nests more than a few hundred deep: a
// page whose markup looks deeper than this is not parsed.
inline constexpr int kMaxMarkupDepth = 2000;

struct ExtractedArticle {
  // Why there is no article; kNone when the fields below hold one.
  NoArticleReason no_article = NoArticleReason::kNone;

  std::string title;
  // The paragraphs, in order, separated by one blank line ("\n\n"); each
  // paragraph's white space collapsed to single spaces, a <br> kept as "\n".
  std::string body;
  std::vector<std::string> captions;
  std::vector<std::string> authors;
  // When the page says it was published (UTC); absent when it does not.
  std::optional<absl::Time> published_at;
  // True when published_at was read from running text rather than markup.
  bool published_at_from_text = false;
  // Absolute (resolved against the page's URL); empty when not given.
  std::string canonical_url;
  // The page's own language tag (<html lang>, og:locale, JSON-LD
  // inLanguage) as a BCP 47 tag ("en-GB", "ar"); empty when not given.
  std::string language;
};

// Extracts the article from `html`, which is UTF-8 (converted from the
// page's charset by the caller). `page_url` is where the page was fetched,
// for resolving relative URLs. Never fails: a page that holds no article
// comes back with `no_article` set, and markup that is not HTML is read as
// HTML5 reads it.
ExtractedArticle ExtractArticle(std::string_view html, std::string_view page_url);

// "no article text", for reports.
std::string_view NoArticleReasonName(NoArticleReason reason);

}  // namespace archive::cli

#endif  // CLI_HTML_EXTRACTOR_H_
