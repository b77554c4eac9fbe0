#include "cli/terminal_text.h"

#include <cstdio>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace archive::cli {
namespace {

TEST(EscapeForTerminalTest, LeavesTextTabsAndNewlinesAlone) {
  for (const std::string text :
       {"", "Biden and Kishida", "tab\tand\nnewline", "back\\slash \\x1b",
        "\u2018quotes\u2019 \u00e9\u00e8 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 "
        "\ud55c\uad6d\uc5b4 \U0001F600",
        // Marks, not overrides or embeddings: they reorder nothing.
        "\u200e\u200f"}) {
    EXPECT_EQ(EscapeForTerminal(text), text);
  }
}

TEST(EscapeForTerminalTest, EscapesControlCharacters) {
  EXPECT_EQ(EscapeForTerminal("\x1b[2Jcleared"), "\\x1b[2Jcleared");
  EXPECT_EQ(EscapeForTerminal(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeForTerminal("over\rwritten\x07\x7f"), "over\\x0dwritten\\x07\\x7f");
  EXPECT_EQ(EscapeForTerminal("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  // C1, such as CSI (U+009B), in UTF-8.
  EXPECT_EQ(EscapeForTerminal("\xc2\x9b" "2J \xc2\x85"), "\\u009b2J \\u0085");
  // The next character after C1 is not.
  EXPECT_EQ(EscapeForTerminal("\xc2\xa0"), "\xc2\xa0");
}

TEST(EscapeForTerminalTest, EscapesBidiOverridesEmbeddingsAndIsolates) {
  EXPECT_EQ(EscapeForTerminal("abc\u202egnp.exe"), "abc\\u202egnp.exe");
  for (char32_t c : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
                     0x2069}) {
    std::string utf8 = {static_cast<char>(0xE0 | (c >> 12)),
                        static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                        static_cast<char>(0x80 | (c & 0x3F))};
    char expected[8];
    std::snprintf(expected, sizeof expected, "\\u%04x", static_cast<unsigned>(c));
    EXPECT_EQ(EscapeForTerminal(utf8), expected);
  }
  EXPECT_EQ(EscapeForTerminal("\u2029\u206a"), "\u2029\u206a");
}

TEST(EscapeForTerminalTest, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(EscapeForTerminal("a\x9b" "b"), "a\\x9bb");
  EXPECT_EQ(EscapeForTerminal("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(EscapeForTerminal("cut \xe2\x80"), "cut \\xe2\\x80");
}

TEST(EscapeBidiIsolatesInJsonTest, EscapesOnlyTheIsolates) {
  EXPECT_EQ(EscapeBidiIsolatesInJson(R"({"title":"a)" "\u2066" "b" "\u2069" R"("})"),
            R"({"title":"a\u2066b\u2069"})");
  for (const std::string json :
       {R"({"title":"\u202e \u001b"})", R"({"t":"\u2065\u206a \u2028"})", "\xe2\x81"}) {
    EXPECT_EQ(EscapeBidiIsolatesInJson(json), json);
  }
}

TEST(TerminalStreamTest, EscapesWhatIsWrittenEvenAcrossWrites) {
  std::ostringstream out;
  {
    TerminalStream stream(out);
    stream << "line \x1b" << "[2J " << 42 << '\n';
    // A character split over two writes.
    stream << "\xe2\x80";
    EXPECT_EQ(out.str(), "line \\x1b[2J 42\n");
    stream << "\xae" "end";
  }
  EXPECT_EQ(out.str(), "line \\x1b[2J 42\n\\u202eend");
}

TEST(TerminalStreamTest, FlushWritesWhatIsHeld) {
  std::ostringstream out;
  TerminalStream stream(out);
  stream << "no newline\x07" << std::flush;
  EXPECT_EQ(out.str(), "no newline\\x07");
}

}  // namespace
}  // namespace archive::cli
