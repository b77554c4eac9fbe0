#include "cli/warc_reader.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace archive::cli {
namespace {

// No header line of a record is longer (the standard sets no bound; real
// ones are under 8 KiB, a long URL included).
constexpr size_t kMaxLineBytes = 64 << 10;
constexpr size_t kReadBytes = 64 << 10;

bool Blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// A line as a reason may quote it: its first 60 bytes, control characters
// shown as '?'.
std::string Quoted(std::string_view line) {
  std::string quoted(line.substr(0, 60));
  for (char& c : quoted) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return absl::StrCat("\"", quoted, line.size() > 60 ? "...\"" : "\"");
}

}  // namespace

std::string_view WarcRecord::Field(std::string_view name) const {
  for (const auto& [field, value] : fields) {
    if (absl::EqualsIgnoreCase(field, AbslView(name))) {
      return value;
    }
  }
  return "";
}

std::string WarcRecord::Type() const {
  return absl::AsciiStrToLower(AbslView(Field("WARC-Type")));
}

WarcReader::WarcReader(std::istream* in, size_t max_block_bytes)
    : content_(in), max_block_bytes_(max_block_bytes) {}

bool WarcReader::Fill() {
  if (ended_ || damaged_) return false;
  if (start_ == buffer_.size()) {
    buffer_position_ += buffer_.size();
    buffer_.clear();
    start_ = 0;
  } else if (start_ > kReadBytes) {
    buffer_.erase(0, start_);
    buffer_position_ += start_;
    start_ = 0;
  }
  const size_t held = buffer_.size();
  buffer_.resize(held + kReadBytes);
  const size_t read = content_.Read(buffer_.data() + held, kReadBytes);
  buffer_.resize(held + read);
  damaged_ = content_.TakeDamage();
  if (read == 0 && !damaged_) ended_ = true;
  return read > 0;
}

bool WarcReader::ReadLine(std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  bool any = false;
  for (;;) {
    const size_t newline = buffer_.find('\n', start_);
    const size_t end = newline == std::string::npos ? buffer_.size() : newline;
    const size_t length = end - start_;
    if (length > 0 || newline != std::string::npos) any = true;
    const size_t room = kMaxLineBytes - std::min(kMaxLineBytes, line->size());
    if (length > room) *too_long = true;
    line->append(buffer_, start_, std::min(length, room));
    if (newline != std::string::npos) {
      start_ = newline + 1;
      break;
    }
    start_ = buffer_.size();
    if (!Fill()) break;
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return any;
}

uint64_t WarcReader::ReadBlock(uint64_t size, size_t keep, std::string* out,
                               WarcDigest* digest) {
  out->clear();
  out->reserve(static_cast<size_t>(std::min<uint64_t>(size, keep)));
  uint64_t got = 0;
  while (got < size) {
    if (start_ == buffer_.size() && !Fill()) break;
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(size - got, buffer_.size() - start_));
    if (out->size() < keep) out->append(buffer_, start_, std::min(n, keep - out->size()));
    if (digest != nullptr) digest->Update(std::string_view(buffer_).substr(start_, n));
    start_ += n;
    got += n;
  }
  return got;
}

// The damaged member's bytes are dropped with the record they held; the
// next member is read from its start.
bool WarcReader::TakeDamage(WarcProblem* problem) {
  if (!damaged_) return false;
  problem->offset = damaged_->file_offset;
  problem->reason = damaged_->reason;
  buffer_position_ += buffer_.size();
  buffer_.clear();
  start_ = 0;
  have_line_ahead_ = false;
  damaged_.reset();
  return true;
}

void WarcReader::Resynchronize() {
  std::string line;
  bool too_long = false;
  for (;;) {
    const uint64_t at = position();
    if (!ReadLine(&line, &too_long)) return;
    if (absl::StartsWith(line, "WARC/1.") || absl::StartsWith(line, "WARC/0.")) {
      have_line_ahead_ = true;
      line_ahead_ = std::move(line);
      line_ahead_position_ = at;
      return;
    }
  }
}

WarcReader::Result WarcReader::Next(WarcRecord* record, WarcProblem* problem) {
  std::string line;
  bool too_long = false;
  uint64_t line_position = 0;
  // The version line, after the blank lines that end the record before.
  for (;;) {
    if (have_line_ahead_) {
      have_line_ahead_ = false;
      line = std::move(line_ahead_);
      line_position = line_ahead_position_;
      break;
    }
    line_position = position();
    if (!ReadLine(&line, &too_long)) {
      return TakeDamage(problem) ? Result::kProblem : Result::kEnd;
    }
    if (!Blank(line)) break;
  }
  const uint64_t offset = content_.FileOffsetOf(line_position).value_or(line_position);
  auto fail = [&](std::string reason) {
    if (!TakeDamage(problem)) {
      problem->offset = offset;
      problem->reason = std::move(reason);
      Resynchronize();
    }
    return Result::kProblem;
  };
  if (line != "WARC/1.0" && line != "WARC/1.1") {
    if (absl::StartsWith(line, "WARC/")) {
      return fail(absl::StrCat("WARC version ", Quoted(line),
                               " is not supported (WARC/1.0 and WARC/1.1 are)"));
    }
    return fail(absl::StrCat("expected a record's version line (WARC/1.1), found ",
                             Quoted(line)));
  }
  record->offset = offset;
  record->version = line;
  record->fields.clear();
  record->block.clear();
  record->block_bytes = 0;
  for (;;) {
    if (!ReadLine(&line, &too_long)) {
      return fail("the file ends inside the record's header");
    }
    if (too_long) {
      return fail(absl::StrCat("a header line of the record is over ", kMaxLineBytes,
                               " bytes"));
    }
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !record->fields.empty()) {
      // A folded line continues the field before (WARC/1.0 allows it).
      absl::StrAppend(&record->fields.back().second, " ",
                      absl::StripAsciiWhitespace(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return fail(absl::StrCat("header line without a field name: ", Quoted(line)));
    }
    record->fields.emplace_back(
        std::string(absl::StripAsciiWhitespace(absl::string_view(line).substr(0, colon))),
        std::string(absl::StripAsciiWhitespace(absl::string_view(line).substr(colon + 1))));
  }
  const std::string_view length_field = record->Field("Content-Length");
  if (length_field.empty()) return fail("the record has no Content-Length");
  if (!absl::SimpleAtoi(AbslView(length_field),
                        &record->block_bytes)) {
    return fail(absl::StrCat("Content-Length ", Quoted(length_field), " is not a number"));
  }
  const std::string_view stated = record->Field("WARC-Block-Digest");
  std::optional<WarcDigest> digest;
  // Not of revisit records: GNU Wget 1.21 writes the empty block's digest
  // on them, whatever their block (the HTTP header) holds.
  if (absl::StartsWithIgnoreCase(AbslView(stated), "sha1:") &&
      record->Type() != "revisit") {
    digest.emplace();
  }
  const uint64_t got = ReadBlock(record->block_bytes, max_block_bytes_, &record->block,
                                 digest ? &*digest : nullptr);
  if (got < record->block_bytes) {
    return fail(absl::StrCat("the file ends inside the record: ", got, " of its ",
                             record->block_bytes, " bytes"));
  }
  if (digest && !SameWarcDigest(digest->Finish(), stated)) {
    problem->offset = offset;
    problem->reason = "WARC-Block-Digest does not match the block";
    return Result::kProblem;
  }
  return Result::kRecord;
}

}  // namespace archive::cli
