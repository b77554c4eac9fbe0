#include "cli/json_ld.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/stringpiece.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace archive::cli {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

// Deeper JSON-LD than this is not looked into.
constexpr int kMaxDepth = 16;

// "NewsArticle" of "NewsArticle", "schema:NewsArticle" and
// "https://schema.org/NewsArticle".
absl::string_view LocalName(absl::string_view type) {
  const size_t cut = type.find_last_of("/:#");
  return cut == absl::string_view::npos ? type : type.substr(cut + 1);
}

template <typename Predicate>
bool HasType(const Struct& object, Predicate predicate) {
  const auto type = object.fields().find("@type");
  if (type == object.fields().end()) return false;
  if (type->second.has_string_value()) {
    return predicate(LocalName(type->second.string_value()));
  }
  if (!type->second.has_list_value()) return false;
  for (const Value& each : type->second.list_value().values()) {
    if (each.has_string_value() && predicate(LocalName(each.string_value()))) {
      return true;
    }
  }
  return false;
}

bool IsArticleType(absl::string_view type) {
  return absl::EndsWith(type, "Article") || type == "BlogPosting" ||
         type == "LiveBlogPosting";
}

bool IsSiteType(absl::string_view type) {
  return type == "WebSite" || type == "Organization" ||
         type == "NewsMediaOrganization";
}

const Value* Field(const Struct& object, const std::string& name) {
  const auto found = object.fields().find(name);
  return found == object.fields().end() ? nullptr : &found->second;
}

// A string field, or the first string of an array field.
std::string StringField(const Struct& object, const std::string& name) {
  const Value* value = Field(object, name);
  if (value == nullptr) return "";
  if (value->has_list_value() && value->list_value().values_size() > 0) {
    value = &value->list_value().values(0);
  }
  if (!value->has_string_value()) return "";
  return std::string(absl::StripAsciiWhitespace(value->string_value()));
}

// A person or organization: "Jane Doe" or {"name": "Jane Doe"}.
std::string NameOf(const Value& value) {
  if (value.has_string_value()) {
    return std::string(absl::StripAsciiWhitespace(value.string_value()));
  }
  if (value.has_struct_value()) return StringField(value.struct_value(), "name");
  return "";
}

void ReadAuthors(const Value& author, std::vector<std::string>& authors) {
  if (author.has_list_value()) {
    for (const Value& each : author.list_value().values()) {
      const std::string name = NameOf(each);
      if (!name.empty()) authors.push_back(name);
    }
    return;
  }
  const std::string name = NameOf(author);
  if (!name.empty()) authors.push_back(name);
}

void SetIfEmpty(std::string& field, std::string value) {
  if (field.empty()) field = std::move(value);
}

void ReadArticle(const Struct& object, JsonLdArticle& article) {
  SetIfEmpty(article.headline, StringField(object, "headline"));
  SetIfEmpty(article.headline, StringField(object, "name"));
  SetIfEmpty(article.date_published, StringField(object, "datePublished"));
  if (article.date_published.empty()) {
    SetIfEmpty(article.date_published, StringField(object, "dateCreated"));
  }
  SetIfEmpty(article.language, StringField(object, "inLanguage"));
  if (const Value* author = Field(object, "author");
      author != nullptr && article.authors.empty()) {
    ReadAuthors(*author, article.authors);
  }
  if (const Value* publisher = Field(object, "publisher")) {
    const std::string name = NameOf(*publisher);
    if (!name.empty()) article.site_names.push_back(name);
  }
}

void Visit(const Value& value, int depth, bool& found, JsonLdArticle& article);

void VisitObject(const Struct& object, int depth, bool& found,
                 JsonLdArticle& article) {
  if (!found && HasType(object, IsArticleType)) {
    ReadArticle(object, article);
    found = true;
  } else if (HasType(object, IsSiteType)) {
    const std::string name = StringField(object, "name");
    if (!name.empty()) article.site_names.push_back(name);
  }
  for (const char* nested : {"@graph", "mainEntity", "mainEntityOfPage"}) {
    if (const Value* value = Field(object, nested)) {
      Visit(*value, depth + 1, found, article);
    }
  }
}

void Visit(const Value& value, int depth, bool& found, JsonLdArticle& article) {
  if (depth > kMaxDepth) return;
  if (value.has_struct_value()) {
    VisitObject(value.struct_value(), depth, found, article);
  } else if (value.has_list_value()) {
    for (const Value& each : value.list_value().values()) {
      Visit(each, depth + 1, found, article);
    }
  }
}

}  // namespace

void ReadJsonLd(std::string_view json, JsonLdArticle& article) {
  Value value;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(json.data(), json.size()), &value)
           .ok()) {
    return;
  }
  bool found = !article.headline.empty() || !article.date_published.empty();
  Visit(value, 0, found, article);
}

}  // namespace archive::cli
