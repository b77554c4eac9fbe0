#include "common/text_normalizer.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

constexpr char kArticle[] =
    "President Joe Biden and Japanese Prime Minister Fumio Kishida were "
    "holding wide-ranging talks at the White House on Friday.\n"
    "\n"
    "\u201CWe meet at a remarkable moment,\u201D Biden told Kishida.\n"
    "\n"
    "Japan\u2019s defense spending has historically remained below 1% of "
    "GDP.";

constexpr char kArticleWithInvisibles[] =
    "President Joe Bi\u200Bden and Japanese Prime Minister Fumio "
    "Kishida were holding wide-ranging talks at the White House on "
    "Fri\u00ADday.\n"
    "\n"
    "\u201CWe meet at a remarkable moment,\u201D Biden told "
    "Kishida.\u2060\n"
    "\n"
    "Japan\u2019s defense spending has historically remained\a below "
    "1% of GDP.\0";

std::string Body(std::string_view text) {
  absl::StatusOr<std::string> normalized = NormalizeBody(text);
  EXPECT_TRUE(normalized.ok()) << normalized.status();
  return normalized.value_or("<error>");
}

std::string Line(std::string_view text) {
  absl::StatusOr<std::string> normalized = NormalizeLine(text);
  EXPECT_TRUE(normalized.ok()) << normalized.status();
  return normalized.value_or("<error>");
}

TEST(NormalizeBodyTest, NormalTextIsUnchanged) {
  EXPECT_EQ(Body(kArticle), kArticle);
  EXPECT_EQ(Body("one line"), "one line");
  EXPECT_EQ(Body(""), "");
}

TEST(NormalizeBodyTest, CrawlVariantsOfOneArticleAreIdentical) {
  const std::string variants[] = {
      // Windows line endings, trailing spaces, and the article's own
      // paragraphs separated by several blank lines.
      "President Joe Biden and Japanese Prime Minister Fumio Kishida were "
      "holding wide-ranging talks at the White House on Friday. \r\n"
      "\r\n\r\n \r\n"
      "\u201CWe meet at a remarkable moment,\u201D Biden told "
      "Kishida.\t\r\n"
      "\r\n"
      "Japan\u2019s defense spending has historically remained below 1% "
      "of GDP.\r\n",
      // Old Mac line endings, a BOM, blank lines around the text.
      "\uFEFF\r\r"
      "President Joe Biden and Japanese Prime Minister Fumio Kishida were "
      "holding wide-ranging talks at the White House on Friday.\r\r"
      "\u201CWe meet at a remarkable moment,\u201D Biden told "
      "Kishida.\r\r"
      "Japan\u2019s defense spending has historically remained below 1% "
      "of GDP.\r\r\r",
      // No-break spaces (U+00A0, U+2007, U+202F), a tab, doubled spaces and
      // leading indentation.
      "  President\u00A0Joe Biden and Japanese Prime\u2007Minister "
      "Fumio\u202FKishida were holding  wide-ranging talks at the\t"
      "White House on Friday.\n"
      "\n"
      "\t\u201CWe meet at a remarkable moment,\u201D Biden told "
      "Kishida.\n"
      "\n"
      "Japan\u2019s defense spending has historically remained below "
      "1%\u00A0of GDP.\u00A0",
      // Zero-width characters, a word joiner, a soft hyphen and stray control
      // characters (BEL, and a NUL at the end).
      std::string(kArticleWithInvisibles, sizeof(kArticleWithInvisibles) - 1),
      // Paragraph and line separators.
      "President Joe Biden and Japanese Prime Minister Fumio Kishida were "
      "holding wide-ranging talks at the White House on Friday."
      "\u2029"
      "\u201CWe meet at a remarkable moment,\u201D Biden told "
      "Kishida.\u2028\u2028"
      "Japan\u2019s defense spending has historically remained below 1% "
      "of GDP.",
  };
  for (const std::string& variant : variants) {
    EXPECT_EQ(Body(variant), kArticle) << variant;
  }
}

TEST(NormalizeBodyTest, CollapsesSpacesAndTrimsEveryLine) {
  EXPECT_EQ(Body("  a  \t b  \n   c\u3000\u3000d   "), "a b\nc d");
}

TEST(NormalizeBodyTest, SeparatesParagraphsByExactlyOneBlankLine) {
  EXPECT_EQ(Body("\n\n\na\n\n\n\n\nb\n \n\t\nc\nd\n\n\n"), "a\n\nb\n\nc\nd");
}

TEST(NormalizeBodyTest, WhitespaceOnlyIsEmpty) {
  EXPECT_EQ(Body(" \r\n\t\u00A0\n\u200B\n"), "");
}

TEST(NormalizeBodyTest, RemovesControlCharactersButKeepsLineFeeds) {
  constexpr char kControls[] = "a\0b\ac\x1B\nd\x7F\u0080";
  EXPECT_EQ(Body(std::string(kControls, sizeof(kControls) - 1)), "abc\nd");
}

TEST(NormalizeBodyTest, ComposesToNfc) {
  // e + COMBINING ACUTE ACCENT -> U+00E9.
  EXPECT_EQ(Body("cafe\u0301"), "caf\u00E9");
  // Conjoining Hangul jamo U+1100 U+1161 U+11A8 -> U+AC01.
  EXPECT_EQ(Body("\u1100\u1161\u11A8"), "\uAC01");
  // KA + COMBINING VOICED SOUND MARK -> GA.
  EXPECT_EQ(Body("\u304B\u3099"), "\u304C");
  // Removing a zero-width space lets the mark after it compose.
  EXPECT_EQ(Body("e\u200B\u0301"), "\u00E9");
}

TEST(NormalizeBodyTest, NfdAndNfcCrawlsAreIdentical) {
  // "Renée à São Paulo", composed and decomposed.
  EXPECT_EQ(Body("Ren\u00E9e \u00E0 S\u00E3o Paulo"),
            Body("Rene\u0301e a\u0300 Sa\u0303o Paulo"));
}

TEST(NormalizeBodyTest, KeepsNonLatinScripts) {
  // Arabic, Korean and Japanese text are already normalized.
  const std::string arabic = "قال الرئيس الأمريكي";
  const std::string korean = "이재명 대통령은 수요일";
  const std::string japanese = "岸田首相はワシントンを訪れた。";
  EXPECT_EQ(Body(arabic), arabic);
  EXPECT_EQ(Body(korean), korean);
  // The ideographic space between sentences is a space like any other.
  EXPECT_EQ(Body(japanese + "\u3000" + japanese), japanese + " " + japanese);
  EXPECT_EQ(Body(arabic + "\r\n\r\n\r\n" + korean + "\u00A0"),
            arabic + "\n\n" + korean);
}

TEST(NormalizeBodyTest, KeepsZeroWidthJoinerAndNonJoiner) {
  // Persian "mi-khaham" is written with a ZWNJ after the prefix.
  const std::string persian =
      "\u0645\u06CC\u200C"  // mi ZWNJ
      "خواهم";
  EXPECT_EQ(Body(persian), persian);
  // Devanagari KSSA written with a ZWJ.
  const std::string hindi = "\u0915\u094D\u200D\u0937";
  EXPECT_EQ(Body(hindi), hindi);
}

TEST(NormalizeBodyTest, RejectsInvalidUtf8NamingTheByte) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"0123456789abcdef!\xC3\x28", "invalid UTF-8 at byte 17"},
      {"\x80", "invalid UTF-8 at byte 0"},
      {"ab\xC0\xAF", "invalid UTF-8 at byte 2"},          // overlong '/'
      {"abc\xED\xA0\x80", "invalid UTF-8 at byte 3"},     // surrogate
      {"x\xF4\x90\x80\x80", "invalid UTF-8 at byte 1"},   // above U+10FFFF
      {"caf\u00E9 \xE2\x82", "invalid UTF-8 at byte 6"},  // truncated
      {"\xFF", "invalid UTF-8 at byte 0"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> body = NormalizeBody(c.text);
    EXPECT_EQ(body.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(body.status().message(), c.message);
    absl::StatusOr<std::string> line = NormalizeLine(c.text);
    EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(line.status().message(), c.message);
  }
}

TEST(NormalizeBodyTest, IsIdempotent) {
  const std::string messy =
      "\uFEFF  Title\u00A0 line \r\n\r\n\r\nRene\u0301e\t\t"
      "\u200Bsaid\u2029\u2029\uD55C\uAD6D "
      "\u1100\u1161\n";
  const std::string once = Body(messy);
  EXPECT_EQ(Body(once), once);
  EXPECT_EQ(Line(once), Line(messy));
}

TEST(NormalizeLineTest, MakesOneTrimmedLine) {
  EXPECT_EQ(Line("  Biden and Kishida\r\nDiscuss\n\n Japan\u2019s "
                 "\u2018Stepping up\u2019 Security\u00A0\n"),
            "Biden and Kishida Discuss Japan\u2019s "
            "\u2018Stepping up\u2019 Security");
  EXPECT_EQ(Line("a\u2029b\u2028c\fd"), "a b c d");
  EXPECT_EQ(Line("\n \t\n"), "");
}

TEST(NormalizeLineTest, SameTitleFromDifferentCrawlsIsIdentical) {
  EXPECT_EQ(Line("South Korea\u2019s New President  Lee\r\n"),
            Line("\uFEFFSouth\u00A0Korea\u2019s New "
                 "President\tLee\u200B"));
}

}  // namespace
}  // namespace archive
