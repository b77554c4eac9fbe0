#include "cli/line_reader.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/match.h"

namespace archive::cli {
namespace {

constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";

// What one istream::getline may take; a longer line takes several.
constexpr size_t kChunkBytes = 64 << 10;

}  // namespace

LineReader::LineReader(std::istream* in, size_t max_line_bytes)
    : in_(in), max_line_bytes_(max_line_bytes), chunk_(kChunkBytes) {}

bool LineReader::Next(InputLine* line) {
  if (blank_lines_ahead_ > 0) {
    --blank_lines_ahead_;
    line->text.clear();
    line->bytes = 0;
    line->number = (line_ahead_ ? line_ahead_->number : lines_read_ + 1) -
                   blank_lines_ahead_ - 1;
    return true;
  }
  if (line_ahead_) {
    *line = *std::move(line_ahead_);
    line_ahead_.reset();
    return true;
  }
  return ReadLine(line);
}

std::string_view LineReader::PeekNonBlank() {
  while (!line_ahead_) {
    InputLine line;
    if (!ReadLine(&line)) return "";
    if (line.blank()) {
      ++blank_lines_ahead_;
    } else {
      line_ahead_ = std::move(line);
    }
  }
  return line_ahead_->text;
}

// istream::getline stores at most a chunk and says which of three things
// ended it: the end of the input (eofbit), a full chunk (failbit alone), or
// the '\n', which it takes and counts but does not store.
bool LineReader::ReadLine(InputLine* line) {
  line->text.clear();
  line->bytes = 0;
  bool read_any = false;
  for (;;) {
    in_->getline(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
    size_t stored = static_cast<size_t>(in_->gcount());
    const bool at_end = in_->eof() || in_->bad();
    const bool chunk_full = !at_end && in_->fail();
    if (!at_end && !chunk_full) --stored;  // the '\n'
    if (at_end && stored == 0 && !read_any) return false;
    read_any = true;
    line->bytes += stored;
    const size_t room = max_line_bytes_ - std::min(max_line_bytes_, line->text.size());
    if (room > 0) {
      // One allocation for a long line rather than doublings: pages are
      // touched only as they are written.
      if (line->text.size() + stored > kChunkBytes) {
        line->text.reserve(max_line_bytes_);
      }
      line->text.append(chunk_.data(), std::min(stored, room));
    }
    if (!chunk_full) break;
    in_->clear();
  }
  ++lines_read_;
  line->number = lines_read_;
  if (line->number == 1 && absl::StartsWith(line->text, kByteOrderMark)) {
    line->text.erase(0, kByteOrderMark.size());
    line->bytes -= kByteOrderMark.size();
  }
  return true;
}

}  // namespace archive::cli
