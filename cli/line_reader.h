// The lines of an input of `archivectl feed`, read with a bound: whatever the
// input (a JSONL file, page text, /dev/zero), no more than the bound of one
// line is ever held.
#ifndef CLI_LINE_READER_H_
#define CLI_LINE_READER_H_

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archive::cli {

struct InputLine {
  // 1-based.
  int number = 0;
  // The line without its '\n' (a '\r' before it stays). Of a line longer
  // than the bound, only its first max_line_bytes bytes.
  std::string text;
  // The length of the whole line, without its '\n'.
  size_t bytes = 0;

  bool too_long() const { return bytes > text.size(); }
  // Nothing but ASCII white space (a line too long never is).
  bool blank() const {
    return !too_long() &&
           text.find_first_not_of(" \t\r\v\f") == std::string::npos;
  }
};

// Reads a stream a line at a time. A line longer than `max_line_bytes` comes
// out too long (its length counted, the rest of it read and dropped) and
// reading goes on at the next line. A UTF-8 byte order mark that starts the
// input is dropped here, so that every format, and the detection of the
// format, reads such an input as if it had none. Does not own the stream;
// not thread-safe.
class LineReader {
 public:
  LineReader(std::istream* in, size_t max_line_bytes);

  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Moves the next line into `*line` and returns true, or returns false at
  // the end of the input (or at a read error: see bad()).
  bool Next(InputLine* line);

  // Reads ahead to the first line not yet returned that is not blank (ASCII
  // white space only) and returns its text (its beginning, when too long),
  // or "" when there is none; Next returns it in its turn. The blank lines
  // read on the way are counted, not kept: Next returns them empty.
  std::string_view PeekNonBlank();

  size_t max_line_bytes() const { return max_line_bytes_; }

  // Whether reading stopped at an error of the stream.
  bool bad() const { return in_->bad(); }

 private:
  bool ReadLine(InputLine* line);

  std::istream* const in_;
  const size_t max_line_bytes_;
  std::vector<char> chunk_;
  int lines_read_ = 0;
  // Read ahead by PeekNonBlank: blank lines, then the line that is not.
  int blank_lines_ahead_ = 0;
  std::optional<InputLine> line_ahead_;
};

}  // namespace archive::cli

#endif  // CLI_LINE_READER_H_
