// The gold set of the HTML extractor (tests/extraction/gold, see README.md):
// each page NAME.html beside NAME.expected.json, which says what a careful
// editor finds in it:
//
//   {"url": "https://...", "headline": "...", "published_at": "RFC 3339" or
//    null, "authors": ["..."], "body": "paragraphs separated by a blank line",
//    "no_article": false}
//
// or, for a page that holds no article, {"url": "https://...",
// "no_article": true}. Unknown fields, missing fields and times without an
// offset are errors, so that a typo in a gold file is not read as a blank.
//
// Thread-compatible: the functions keep no state.
#ifndef TESTS_EXTRACTION_GOLD_SET_H_
#define TESTS_EXTRACTION_GOLD_SET_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace archive::testing {

struct GoldPage {
  // The file name without ".html": "bbc-rural-buses".
  std::string name;
  std::string html;
  // Where the page was fetched.
  std::string url;
  bool no_article = false;
  // The rest is set only when no_article is false.
  std::string headline;
  std::optional<absl::Time> published_at;
  std::vector<std::string> authors;
  std::string body;
};

// The fields of one NAME.expected.json (name and html are left empty).
// INVALID_ARGUMENT naming the field when the JSON does not say what a gold
// page must.
absl::StatusOr<GoldPage> ParseExpected(std::string_view json);

// Every page of `dir`, sorted by name. NOT_FOUND when the directory cannot
// be read or a page's .html or .expected.json is missing; the error of
// ParseExpected, prefixed with the file's name, when one is malformed.
absl::StatusOr<std::vector<GoldPage>> LoadGoldSet(const std::string& dir);

}  // namespace archive::testing

#endif  // TESTS_EXTRACTION_GOLD_SET_H_
