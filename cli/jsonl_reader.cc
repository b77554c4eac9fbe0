#include "cli/jsonl_reader.h"

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/stringpiece.h"
#include "google/protobuf/util/json_util.h"

namespace archive::cli {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Why a protobuf JSON error happened, on one line. A syntax error says why on
// its first line; later lines echo the input with a caret under the fault.
// Other errors name the field's path, which comes from the input and so may
// hold any character: control characters are escaped, so that the reason
// stays on one line and is safe to print. An error at the root has an empty
// field path, which leaves a ": " in front.
std::string Reason(std::string_view message) {
  const std::string_view last_line = message.substr(message.rfind('\n') + 1);
  if (last_line.size() < message.size() && !last_line.empty() &&
      last_line.find_first_not_of(' ') == last_line.size() - 1 &&
      last_line.back() == '^') {
    message = message.substr(0, message.find('\n'));
  }
  if (message.substr(0, 2) == ": ") message.remove_prefix(2);
  std::string reason;
  for (const char c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      reason += absl::CEscape(absl::string_view(&c, 1));
    } else {
      reason += c;
    }
  }
  return reason;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

}  // namespace

absl::StatusOr<archive::v1::Article> ParseJsonlLine(std::string_view text,
                                                    int line) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  archive::v1::Article article;
  const google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(text.data(), text.size()), &article,
          options);
  if (!status.ok()) {
    const std::string reason = Reason(
        std::string_view(status.message().data(), status.message().size()));
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": invalid JSON: ", reason));
  }
  return article;
}

JsonlReader::JsonlReader(std::istream* in) : in_(in) {}

bool JsonlReader::Next(absl::StatusOr<ParsedArticle>* out) {
  std::string text;
  while (std::getline(*in_, text)) {
    ++line_;
    std::string_view json = text;
    if (line_ == 1 && json.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
      json.remove_prefix(kByteOrderMark.size());
    }
    if (IsBlank(json)) continue;

    absl::StatusOr<archive::v1::Article> article = ParseJsonlLine(json, line_);
    if (!article.ok()) {
      *out = std::move(article).status();
    } else {
      ParsedArticle parsed;
      parsed.article = *std::move(article);
      parsed.line = line_;
      *out = std::move(parsed);
    }
    return true;
  }
  return false;
}

}  // namespace archive::cli
