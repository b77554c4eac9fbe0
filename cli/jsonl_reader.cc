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

}  // namespace

absl::StatusOr<archive::v1::Article> ParseArticleJson(std::string_view text) {
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
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", reason));
  }
  return article;
}

absl::StatusOr<archive::v1::Article> ParseJsonlLine(std::string_view text,
                                                    int line) {
  absl::StatusOr<archive::v1::Article> article = ParseArticleJson(text);
  if (!article.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": ", article.status().message()));
  }
  return article;
}

size_t MaxJsonlLineBytes(size_t max_article_bytes) {
  return 6 * max_article_bytes + (64 << 10);
}

JsonlReader::JsonlReader(LineReader* lines) : lines_(lines) {}

bool JsonlReader::Next(ParsedArticle* out) {
  InputLine line;
  while (lines_->Next(&line)) {
    if (line.blank()) continue;
    *out = ParsedArticle();
    out->line = line.number;
    if (line.too_long()) {
      out->problem =
          OverLimitProblem("line", line.bytes, lines_->max_line_bytes());
    } else if (absl::StatusOr<archive::v1::Article> article =
                   ParseArticleJson(line.text);
               article.ok()) {
      out->article = *std::move(article);
    } else {
      out->problem = std::string(article.status().message());
    }
    if (!out->problem.empty()) out->problem_line = line.number;
    return true;
  }
  return false;
}

}  // namespace archive::cli
