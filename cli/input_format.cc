#include "cli/input_format.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace archive::cli {
namespace {

constexpr char kExpected[] = "expected auto, text, jsonl or warc";

}  // namespace

absl::StatusOr<InputFormat> ParseInputFormat(std::string_view value) {
  for (InputFormat format :
       {InputFormat::kAuto, InputFormat::kText, InputFormat::kJsonl, InputFormat::kWarc}) {
    if (value == InputFormatName(format)) return format;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--format=", AbslView(value),
                   ": ", kExpected));
}

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto:
      return "auto";
    case InputFormat::kText:
      return "text";
    case InputFormat::kJsonl:
      return "jsonl";
    case InputFormat::kWarc:
      return "warc";
  }
  return "auto";
}

InputFormat DetectFormat(std::string_view first_bytes) {
  if (absl::StartsWith(AbslView(first_bytes), "\x1f\x8b") ||
      absl::StartsWith(AbslView(first_bytes), "WARC/1.")) {
    return InputFormat::kWarc;
  }
  const size_t first = first_bytes.find_first_not_of(" \t\r\n\v\f");
  if (first != std::string_view::npos && first_bytes[first] == '{') {
    return InputFormat::kJsonl;
  }
  return InputFormat::kText;
}

bool AbslParseFlag(absl::string_view text, InputFormat* format,
                   std::string* error) {
  absl::StatusOr<InputFormat> parsed =
      ParseInputFormat(std::string_view(text.data(), text.size()));
  if (!parsed.ok()) {
    *error = kExpected;
    return false;
  }
  *format = *parsed;
  return true;
}

std::string AbslUnparseFlag(InputFormat format) {
  return std::string(InputFormatName(format));
}

}  // namespace archive::cli
