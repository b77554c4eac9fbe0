#include "cli/charset.h"

#include <string>

#include "gtest/gtest.h"

namespace archive::cli {
namespace {

TEST(CharsetTest, TheHeaderNamesTheCharset) {
  EXPECT_EQ(SniffHtmlCharset("text/html; charset=windows-1256", "<p>\xc7</p>"),
            "windows-1256");
  EXPECT_EQ(SniffHtmlCharset("text/html;charset=\"EUC-KR\"", ""), "windows-949");
}

TEST(CharsetTest, AMetaInTheFirstKilobyteNamesItWhenTheHeaderDoesNot) {
  EXPECT_EQ(SniffHtmlCharset("text/html", "<html><head><meta charset=\"euc-kr\">"),
            "windows-949");
  EXPECT_EQ(SniffHtmlCharset("", "<meta http-equiv=\"Content-Type\" "
                                 "content=\"text/html; charset=windows-1256\">"),
            "windows-1256");
  const std::string late = std::string(2000, ' ') + "<meta charset=\"euc-kr\">";
  EXPECT_EQ(SniffHtmlCharset("", late), "utf-8");
}

TEST(CharsetTest, AByteOrderMarkWinsOverTheHeader) {
  EXPECT_EQ(SniffHtmlCharset("text/html; charset=iso-8859-1", "\xEF\xBB\xBF<p>"), "utf-8");
}

TEST(CharsetTest, WithoutALabelValidUtf8IsUtf8AndTheRestWindows1252) {
  EXPECT_EQ(SniffHtmlCharset("", "caf\xC3\xA9"), "utf-8");
  EXPECT_EQ(SniffHtmlCharset("", "caf\xE9"), "windows-1252");
}

TEST(CharsetTest, AnUnknownLabelIsPassedOver) {
  EXPECT_EQ(SniffHtmlCharset("text/html; charset=no-such-charset", "<p>a</p>"), "utf-8");
}

TEST(CharsetTest, ConvertsArabicFromWindows1256) {
  // "سلام" in windows-1256.
  absl::StatusOr<std::string> text = ConvertToUtf8("\xD3\xE1\xC7\xE3", "windows-1256");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85");
}

TEST(CharsetTest, ConvertsKoreanFromEucKr) {
  // "한국" in EUC-KR.
  absl::StatusOr<std::string> text = ConvertToUtf8("\xC7\xD1\xB1\xB9", "EUC-KR");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "\xED\x95\x9C\xEA\xB5\xAD");
}

TEST(CharsetTest, Latin1IsReadAsWindows1252) {
  // 0x93 and 0x94 are curly quotes in windows-1252, control codes in Latin-1.
  absl::StatusOr<std::string> text = ConvertToUtf8("\x93hi\x94", "ISO-8859-1");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "\xE2\x80\x9Chi\xE2\x80\x9D");
}

TEST(CharsetTest, InvalidUtf8BecomesReplacementCharacters) {
  absl::StatusOr<std::string> text = ConvertToUtf8("a\xFF" "b", "utf-8");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a\xEF\xBF\xBD" "b");
  EXPECT_TRUE(IsValidUtf8(*text));
}

TEST(CharsetTest, AUtf8ByteOrderMarkIsDropped) {
  EXPECT_EQ(*ConvertToUtf8("\xEF\xBB\xBFok", "utf-8"), "ok");
}

TEST(CharsetTest, AnUnknownCharsetIsAnError) {
  EXPECT_EQ(ConvertToUtf8("x", "klingon").status().message(),
            "charset \"klingon\" is not known");
}

}  // namespace
}  // namespace archive::cli
