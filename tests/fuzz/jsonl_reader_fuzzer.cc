// Fuzzes the JSONL input of `archivectl feed` (cli/jsonl_reader.h).
//
// Properties: any line gives an article or INVALID_ARGUMENT with a one-line
// message naming the line, free of control characters; an article's strings are
// well-formed UTF-8, and printing it as JSON and reading that back gives the
// same article. Read as a whole stream, the input gives one result per
// non-blank line, each naming its own line (a line over the reader's bound
// as such), and reading ends.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "archive/v1/article.pb.h"
#include "cli/jsonl_reader.h"
#include "cli/line_reader.h"
#include "cli/parsed_article.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

constexpr int kLine = 7;

std::string Message(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

// Every string field of `message`, nested messages' too, is UTF-8.
void CheckStringsAreUtf8(const google::protobuf::Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const int count =
        field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      if (field->cpp_type() ==
          google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
        const std::string text =
            field->is_repeated()
                ? reflection->GetRepeatedString(message, field, i)
                : reflection->GetString(message, field);
        FUZZ_CHECK(IsValidUtf8(text), field->name() + ": " + text);
      } else if (field->cpp_type() ==
                 google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        CheckStringsAreUtf8(
            field->is_repeated()
                ? reflection->GetRepeatedMessage(message, field, i)
                : reflection->GetMessage(message, field));
      }
    }
  }
}

void CheckError(const absl::Status& status, int line) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
             Message(status));
  const std::string prefix =
      "line " + std::to_string(line) + ": invalid JSON: ";
  FUZZ_CHECK(Message(status).rfind(prefix, 0) == 0, Message(status));
  // One line, safe to print on a terminal: no control characters.
  for (const char c : Message(status)) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f,
               "control character in the message: " + Message(status));
  }
}

void CheckArticle(const archive::v1::Article& article) {
  CheckStringsAreUtf8(article);
  std::string json;
  const auto printed =
      google::protobuf::util::MessageToJsonString(article, &json);
  FUZZ_CHECK(printed.ok(), printed.ToString());
  const absl::StatusOr<archive::v1::Article> again =
      cli::ParseJsonlLine(json, kLine);
  FUZZ_CHECK(again.ok(), json + ": " + Message(again.status()));
  FUZZ_CHECK(again->SerializeAsString() == article.SerializeAsString(),
             "JSON round trip changed the article: " + json);
}

void CheckLine(std::string_view text) {
  const absl::StatusOr<archive::v1::Article> article =
      cli::ParseJsonlLine(text, kLine);
  if (article.ok()) {
    CheckArticle(*article);
  } else {
    CheckError(article.status(), kLine);
  }
}

// A problem of the reader: one line, free of control characters.
void CheckProblem(const std::string& problem) {
  FUZZ_CHECK(problem.rfind("invalid JSON: ", 0) == 0 ||
                 problem.rfind("line of ", 0) == 0,
             problem);
  for (const char c : problem) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f,
               "control character in the problem: " + problem);
  }
}

void CheckStream(const std::string& text) {
  // Small enough for the fuzzer's inputs to have lines over it.
  constexpr size_t kMaxLineBytes = 256;
  std::istringstream in(text);
  cli::LineReader lines(&in, kMaxLineBytes);
  cli::JsonlReader reader(&lines);
  cli::ParsedArticle next;
  int previous_line = 0;
  for (int results = 0; reader.Next(&next); ++results) {
    FUZZ_CHECK(results <= static_cast<int>(text.size()), "reading never ends");
    FUZZ_CHECK(next.line > previous_line, "line numbers do not increase");
    previous_line = next.line;
    if (next.problem.empty()) {
      FUZZ_CHECK(next.problem_line == 0, "problem line without a problem");
      CheckStringsAreUtf8(next.article);
    } else {
      FUZZ_CHECK(next.problem_line == next.line, "problem names another line");
      CheckProblem(next.problem);
    }
  }
  FUZZ_CHECK(!reader.Next(&next), "reading goes on after the end");
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  archive::fuzz::CheckLine(text);
  archive::fuzz::CheckStream(text);
  return 0;
}
