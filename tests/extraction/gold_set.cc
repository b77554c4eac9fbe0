#include "tests/extraction/gold_set.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/stubs/stringpiece.h"
#include "google/protobuf/util/json_util.h"

namespace archive::testing {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr absl::string_view kHtmlSuffix = ".html";
constexpr absl::string_view kExpectedSuffix = ".expected.json";

absl::Status FieldError(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::StatusOr<std::string> StringField(const Struct& json,
                                        absl::string_view field) {
  const auto it = json.fields().find(std::string(field));
  if (it == json.fields().end()) return FieldError(field, "missing");
  if (it->second.kind_case() != Value::kStringValue) {
    return FieldError(field, "not a string");
  }
  return it->second.string_value();
}

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<GoldPage> ParseExpected(std::string_view json) {
  Struct root;
  const google::protobuf::util::Status parsed =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &root);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid JSON: ",
        absl::string_view(parsed.message().data(), parsed.message().size())));
  }
  const std::set<std::string> known = {"url",     "headline", "published_at",
                                        "authors", "body",     "no_article"};
  for (const auto& [field, value] : root.fields()) {
    if (known.count(field) == 0) return FieldError(field, "unknown field");
  }

  GoldPage page;
  absl::StatusOr<std::string> url = StringField(root, "url");
  if (!url.ok()) return url.status();
  if (!absl::StartsWith(*url, "https://") && !absl::StartsWith(*url, "http://")) {
    return FieldError("url", "not an http(s) URL");
  }
  page.url = *std::move(url);

  const auto no_article = root.fields().find("no_article");
  if (no_article == root.fields().end()) return FieldError("no_article", "missing");
  if (no_article->second.kind_case() != Value::kBoolValue) {
    return FieldError("no_article", "not a boolean");
  }
  page.no_article = no_article->second.bool_value();
  if (page.no_article) {
    if (root.fields_size() != 2) {
      return FieldError("no_article", "a page without an article has only url and no_article");
    }
    return page;
  }

  absl::StatusOr<std::string> headline = StringField(root, "headline");
  if (!headline.ok()) return headline.status();
  if (headline->empty()) return FieldError("headline", "empty");
  page.headline = *std::move(headline);

  absl::StatusOr<std::string> body = StringField(root, "body");
  if (!body.ok()) return body.status();
  if (body->empty()) return FieldError("body", "empty");
  page.body = *std::move(body);

  const auto published = root.fields().find("published_at");
  if (published == root.fields().end()) return FieldError("published_at", "missing");
  if (published->second.kind_case() == Value::kStringValue) {
    absl::Time time;
    std::string why;
    if (!absl::ParseTime(absl::RFC3339_full, published->second.string_value(),
                         &time, &why)) {
      return FieldError("published_at", absl::StrCat("not RFC 3339: ", why));
    }
    page.published_at = time;
  } else if (published->second.kind_case() != Value::kNullValue) {
    return FieldError("published_at", "neither a string nor null");
  }

  const auto authors = root.fields().find("authors");
  if (authors == root.fields().end()) return FieldError("authors", "missing");
  if (authors->second.kind_case() != Value::kListValue) {
    return FieldError("authors", "not a list");
  }
  for (const Value& author : authors->second.list_value().values()) {
    if (author.kind_case() != Value::kStringValue || author.string_value().empty()) {
      return FieldError("authors", "holds something other than a name");
    }
    page.authors.push_back(author.string_value());
  }
  return page;
}

absl::StatusOr<std::vector<GoldPage>> LoadGoldSet(const std::string& dir) {
  std::error_code error;
  std::filesystem::directory_iterator entries(dir, error);
  if (error) {
    return absl::NotFoundError(absl::StrCat("cannot list ", dir, ": ", error.message()));
  }
  std::set<std::string> html_names;
  std::set<std::string> expected_names;
  for (const std::filesystem::directory_entry& entry : entries) {
    const std::string file = entry.path().filename().string();
    if (absl::EndsWith(file, kExpectedSuffix)) {
      expected_names.insert(file.substr(0, file.size() - kExpectedSuffix.size()));
    } else if (absl::EndsWith(file, kHtmlSuffix)) {
      html_names.insert(file.substr(0, file.size() - kHtmlSuffix.size()));
    }
  }
  for (const std::string& name : expected_names) {
    if (html_names.count(name) == 0) {
      return absl::NotFoundError(absl::StrCat(name, kExpectedSuffix, " has no ", name, kHtmlSuffix));
    }
  }

  std::vector<GoldPage> pages;
  for (const std::string& name : html_names) {  // std::set: sorted
    const std::filesystem::path base = std::filesystem::path(dir) / name;
    if (expected_names.count(name) == 0) {
      return absl::NotFoundError(absl::StrCat(name, kHtmlSuffix, " has no ", name, kExpectedSuffix));
    }
    absl::StatusOr<std::string> json = ReadFile(absl::StrCat(base.string(), kExpectedSuffix));
    if (!json.ok()) return json.status();
    absl::StatusOr<GoldPage> page = ParseExpected(*json);
    if (!page.ok()) {
      return absl::Status(page.status().code(),
                          absl::StrCat(name, kExpectedSuffix, ": ", page.status().message()));
    }
    absl::StatusOr<std::string> html = ReadFile(absl::StrCat(base.string(), kHtmlSuffix));
    if (!html.ok()) return html.status();
    page->name = name;
    page->html = *std::move(html);
    pages.push_back(*std::move(page));
  }
  return pages;
}

}  // namespace archive::testing
