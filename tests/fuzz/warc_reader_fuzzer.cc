// Fuzzes the WARC input of `archivectl feed` below the HTML extractor:
// cli/gzip_reader.h, cli/warc_reader.h, cli/http_response.h, cli/charset.h.
//
// Properties: reading any bytes ends, and never returns more records and
// problems than the input could hold; a record's kept block is within the
// bound and its Content-Length; record offsets lie within the input (plain
// input) and grow; parsing a block as HTTP gives a response whose body is
// within the bound or an error with a one-line message; a page converted
// from the charset sniffed for it is well-formed UTF-8.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cli/charset.h"
#include "cli/http_response.h"
#include "cli/warc_reader.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

constexpr size_t kMaxBlockBytes = 4096;
constexpr size_t kMaxBodyBytes = 1 << 16;

void CheckHttp(const std::string& block) {
  absl::StatusOr<cli::HttpResponse> response = cli::ParseHttpResponse(block, kMaxBodyBytes);
  if (!response.ok()) {
    const std::string_view message(response.status().message().data(),
                                   response.status().message().size());
    FUZZ_CHECK(!message.empty() && message.find('\n') == std::string_view::npos,
               "an HTTP error is one line");
    return;
  }
  FUZZ_CHECK(response->body.size() <= kMaxBodyBytes, "the body is within its bound");
  const std::string charset =
      cli::SniffHtmlCharset(response->Header("Content-Type"), response->body);
  absl::StatusOr<std::string> text = cli::ConvertToUtf8(response->body, charset);
  FUZZ_CHECK(text.ok(), "a sniffed charset is one ICU knows");
  FUZZ_CHECK(cli::IsValidUtf8(*text), "converted text is UTF-8");
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace archive;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  cli::WarcReader reader(&in, fuzz::kMaxBlockBytes);
  cli::WarcRecord record;
  cli::WarcProblem problem;
  size_t results = 0;
  bool have_offset = false;
  uint64_t last_offset = 0;
  for (;;) {
    const cli::WarcReader::Result result = reader.Next(&record, &problem);
    if (result == cli::WarcReader::Result::kEnd) break;
    // Every result consumes at least a line; gzip input expands at most
    // 1032 times, and members are at least 18 bytes.
    FUZZ_CHECK(++results <= 1032 * size + 1, "reading ends");
    if (result == cli::WarcReader::Result::kProblem) {
      FUZZ_CHECK(!problem.reason.empty() && problem.reason.find('\n') == std::string::npos,
                 "a problem is one line");
      continue;
    }
    FUZZ_CHECK(record.block.size() <= fuzz::kMaxBlockBytes, "the kept block is bounded");
    FUZZ_CHECK(record.block.size() <= record.block_bytes, "the block is within Content-Length");
    if (!reader.gzip()) {
      FUZZ_CHECK(record.offset < size, "a record starts within the input");
      FUZZ_CHECK(!have_offset || record.offset > last_offset, "offsets grow");
      have_offset = true;
      last_offset = record.offset;
    }
    fuzz::CheckHttp(record.block);
  }
  return 0;
}
