// Text shown to a person on a terminal, made safe. What the archive holds
// comes from crawled pages and from whoever may submit, and a terminal obeys
// what it is sent: ESC[2J clears the screen, U+202E shows what follows
// backwards. archivectl's output for a person goes through TerminalStream;
// its --json output does not (protobuf's JSON printer escapes controls).
#ifndef CLI_TERMINAL_TEXT_H_
#define CLI_TERMINAL_TEXT_H_

#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace archive::cli {

// `text` with every character that could drive a terminal or reorder what
// it shows written as an escape instead:
//  - C0 control characters other than tab and newline, and DEL: "\x1b";
//  - C1 control characters, U+0080 to U+009F: "\u009b";
//  - the bidi embeddings, overrides and isolates, U+202A to U+202E and
//    U+2066 to U+2069: "\u202e";
//  - each byte that is not part of well-formed UTF-8: "\xff".
// Everything else, backslashes too, is left as it is.
std::string EscapeForTerminal(std::string_view text);

// `json`, as protobuf prints a message, with the bidi isolates U+2066 to
// U+2069 written as JSON escapes ("\u2066"): protobuf leaves those raw while
// it escapes every other character that EscapeForTerminal does. The same
// JSON value, then, and safe on a terminal too.
std::string EscapeBidiIsolatesInJson(std::string_view json);

// An ostream that writes what it is given to `out`, passed through
// EscapeForTerminal. It holds back the end of the text after the last
// newline (which may end in part of a character) until more comes, a flush,
// or its destruction. Not thread-safe; `out` must outlive it.
class TerminalStream final : public std::ostream {
 public:
  explicit TerminalStream(std::ostream& out);
  ~TerminalStream() override;

  TerminalStream(const TerminalStream&) = delete;
  TerminalStream& operator=(const TerminalStream&) = delete;

 private:
  class Buffer final : public std::streambuf {
   public:
    explicit Buffer(std::ostream& out) : out_(out) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* text, std::streamsize size) override;
    int sync() override;

   private:
    // Writes what is held up to its last newline, or all of it.
    void WriteHeld(bool all);

    std::ostream& out_;
    std::string held_;
  };

  Buffer buffer_;
};

}  // namespace archive::cli

#endif  // CLI_TERMINAL_TEXT_H_
