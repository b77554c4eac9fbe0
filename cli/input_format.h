// The input formats of `archivectl feed` and its --format flag.
#ifndef CLI_INPUT_FORMAT_H_
#define CLI_INPUT_FORMAT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace archive::cli {

enum class InputFormat {
  kAuto,   // decided by DetectFormat
  kText,   // crawler page text: PageTextParser
  kJsonl,  // one Article a line in protobuf's JSON mapping: JsonlReader
  kWarc,   // WARC records, plain or gzip: WarcArticleReader
};

// Parses a --format value: "auto", "text", "jsonl" or "warc". Anything
// else is INVALID_ARGUMENT naming the flag and the values it takes.
absl::StatusOr<InputFormat> ParseInputFormat(std::string_view value);

// The --format value of `format`: "auto", "text", "jsonl" or "warc".
std::string_view InputFormatName(InputFormat format);

// Picks the format of an input by its content: kWarc if it starts with a
// gzip member (1f 8b) or a WARC version line ("WARC/1."), kJsonl if the
// first character other than white space is '{', else kText; never kAuto.
// `first_bytes` is the input's beginning, as much as is at hand (for the
// line formats, without the byte order mark that LineReader drops).
InputFormat DetectFormat(std::string_view first_bytes);

// The bytes DetectFormat needs to see kWarc.
inline constexpr size_t kWarcSignatureBytes = 7;

// For ABSL_FLAG(archive::cli::InputFormat, ...).
bool AbslParseFlag(absl::string_view text, InputFormat* format,
                   std::string* error);
std::string AbslUnparseFlag(InputFormat format);

}  // namespace archive::cli

#endif  // CLI_INPUT_FORMAT_H_
