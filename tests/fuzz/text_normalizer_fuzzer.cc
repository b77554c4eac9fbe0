// Fuzzes the text that ingest and query share: NormalizeBody and
// NormalizeLine (common/text_normalizer.h), Tokenize (common/tokenizer.h) and
// CanonicalUrl (common/canonical_url.h), all on the raw input bytes.
//
// Properties: a normalizer accepts exactly the well-formed UTF-8 inputs and
// otherwise names the first bad byte; its output is well-formed UTF-8, laid
// out as the header promises, and normalizing it again changes nothing; a line
// is the body with its breaks as spaces. Tokens lie inside the text, in order.
// A canonical URL is printable ASCII and its own canonical form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/canonical_url.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

std::string Message(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

void CheckLayout(std::string_view text, bool one_line) {
  FUZZ_CHECK(IsValidUtf8(text), text);
  for (char c : text) {
    FUZZ_CHECK(c != '\r' && c != '\t' && c != '\v' && c != '\f', text);
    FUZZ_CHECK(
        (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) || c == '\n',
        text);
  }
  if (text.empty()) return;
  FUZZ_CHECK(text.front() != ' ' && text.back() != ' ', text);
  FUZZ_CHECK(!Contains(text, "  "), text);
  if (one_line) {
    FUZZ_CHECK(!Contains(text, "\n"), text);
  } else {
    FUZZ_CHECK(text.front() != '\n' && text.back() != '\n', text);
    FUZZ_CHECK(!Contains(text, " \n") && !Contains(text, "\n "), text);
    FUZZ_CHECK(!Contains(text, "\n\n\n"), text);
  }
}

// Normalizes `input` with `normalize`, checks the result and returns it.
absl::StatusOr<std::string> CheckNormalizer(
    absl::StatusOr<std::string> (*normalize)(std::string_view),
    std::string_view input, bool one_line) {
  absl::StatusOr<std::string> normalized = normalize(input);
  const size_t bad = FirstInvalidUtf8(input);
  if (bad != std::string_view::npos) {
    FUZZ_CHECK(!normalized.ok(), "ill-formed UTF-8 accepted");
    FUZZ_CHECK(normalized.status().code() == absl::StatusCode::kInvalidArgument,
               Message(normalized.status()));
    FUZZ_CHECK(Message(normalized.status()) ==
                   "invalid UTF-8 at byte " + std::to_string(bad),
               Message(normalized.status()));
    return normalized;
  }
  FUZZ_CHECK(normalized.ok(), Message(normalized.status()));
  CheckLayout(*normalized, one_line);
  absl::StatusOr<std::string> again = normalize(*normalized);
  FUZZ_CHECK(again.ok(), Message(again.status()));
  FUZZ_CHECK(*again == *normalized, "not idempotent: \"" + *normalized +
                                        "\" became \"" + *again + "\"");
  return normalized;
}

void CheckTokens(std::string_view text) {
  const std::vector<Token> tokens = TokenizeWithOffsets(text);
  uint32_t previous_end = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    FUZZ_CHECK(token.position == i, "positions are not 0, 1, 2, ...");
    FUZZ_CHECK(previous_end <= token.begin && token.begin < token.end &&
                   token.end <= text.size(),
               "token outside the text or out of order");
    FUZZ_CHECK(!token.term.empty() && IsValidUtf8(token.term), token.term);
    previous_end = token.end;
  }
  const std::vector<std::string> terms = Tokenize(text);
  FUZZ_CHECK(terms.size() == tokens.size(), "Tokenize differs");
  for (size_t i = 0; i < terms.size(); ++i) {
    FUZZ_CHECK(terms[i] == tokens[i].term, "Tokenize differs");
  }
}

void CheckCanonicalUrl(std::string_view input) {
  const absl::StatusOr<std::string> url = CanonicalUrl(input);
  if (!url.ok()) {
    FUZZ_CHECK(url.status().code() == absl::StatusCode::kInvalidArgument,
               Message(url.status()));
    FUZZ_CHECK(Message(url.status()).rfind("url: ", 0) == 0,
               Message(url.status()));
    return;
  }
  FUZZ_CHECK(url->rfind("http://", 0) == 0 || url->rfind("https://", 0) == 0,
             *url);
  for (char c : *url) {
    FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '#', *url);
  }
  const absl::StatusOr<std::string> again = CanonicalUrl(*url);
  FUZZ_CHECK(again.ok(), *url + ": " + Message(again.status()));
  FUZZ_CHECK(*again == *url, "not idempotent: " + *url + " became " + *again);
}

void TestOneInput(std::string_view input) {
  const absl::StatusOr<std::string> body =
      CheckNormalizer(&NormalizeBody, input, /*one_line=*/false);
  const absl::StatusOr<std::string> line =
      CheckNormalizer(&NormalizeLine, input, /*one_line=*/true);
  if (body.ok()) {
    const absl::StatusOr<std::string> line_of_body = NormalizeLine(*body);
    FUZZ_CHECK(line_of_body.ok() && *line_of_body == *line,
               "NormalizeLine(NormalizeBody(x)) != NormalizeLine(x)");
    CheckTokens(*body);
  }
  CheckTokens(input);
  CheckCanonicalUrl(input);
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::TestOneInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
