// Reads what a page says of its article in JSON-LD (schema.org, in
// <script type="application/ld+json">): the article object's headline,
// datePublished, authors, publisher and language, and the site's name.
//
// An article object is one whose @type (a string or an array of them, with or
// without a "schema:" or "https://schema.org/" prefix) is Article or a kind of
// it (NewsArticle, ReportageNewsArticle, ...: any type ending in "Article"),
// BlogPosting or LiveBlogPosting; it is looked for at the top level, in
// arrays, in @graph and in mainEntity. JSON that does not parse is ignored.
// Stateless and thread-safe.
#ifndef CLI_JSON_LD_H_
#define CLI_JSON_LD_H_

#include <string>
#include <string_view>
#include <vector>

namespace archive::cli {

struct JsonLdArticle {
  // Empty when not given; the first article object found gives each field.
  std::string headline;
  std::string date_published;  // as written, such as "2024-03-05T10:00:00Z"
  std::vector<std::string> authors;
  std::string language;  // inLanguage
  // The publisher's name, and the name of any WebSite or Organization object:
  // what a title's " | Site" suffix may say.
  std::vector<std::string> site_names;
};

// Adds what the JSON-LD text `json` says to `article`, leaving fields that are
// already set as they are.
void ReadJsonLd(std::string_view json, JsonLdArticle& article);

}  // namespace archive::cli

#endif  // CLI_JSON_LD_H_
