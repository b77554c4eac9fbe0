#include "common/tokenizer.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TokenizeTest, SplitsEnglishIntoLowerCaseWords) {
  EXPECT_THAT(Tokenize("Biden welcomed Kishida to the White House on Friday."),
              ElementsAre("biden", "welcomed", "kishida", "to", "the", "white",
                          "house", "on", "friday"));
}

TEST(TokenizeTest, KeepsNumbersAndDropsPunctuation) {
  EXPECT_THAT(
      Tokenize("Lee won 49.42% of the nearly 35 million votes "
               "(1,000 more) -- US-Japan ties."),
      ElementsAre("lee", "won", "49.42", "of", "the", "nearly", "35", "million",
                  "votes", "1,000", "more", "us", "japan", "ties"));
}

TEST(TokenizeTest, EmptyAndPunctuationOnlyTextHaveNoWords) {
  EXPECT_THAT(Tokenize(""), IsEmpty());
  EXPECT_THAT(Tokenize(" \n\n -- ... (\u201C!\u201D)"), IsEmpty());
}

TEST(TokenizeTest, TypographicAndAsciiApostrophesAreOneTerm) {
  EXPECT_THAT(Tokenize("Japan\u2019s Japan's JAPAN\u2018S"),
              ElementsAre("japan's", "japan's", "japan's"));
  // A closing quotation mark after a word is not part of it.
  EXPECT_THAT(Tokenize("Alkonis\u2019 family"),
              ElementsAre("alkonis", "family"));
}

TEST(TokenizeTest, FoldsCaseFully) {
  EXPECT_THAT(Tokenize("STRASSE Stra\u00DFe"),
              ElementsAre("strasse", "strasse"));
  // Capital, small and final sigma.
  EXPECT_THAT(Tokenize("ΣΟΦΟΣ σοφος"), ElementsAre("σοφοσ", "σοφοσ"));
}

TEST(TokenizeTest, FoldsCompatibilityVariants) {
  // Full-width Latin, the "fi" ligature, half-width katakana.
  EXPECT_THAT(
      Tokenize("\uFF21\uFF22\uFF23 \uFB01nance \uFF76\uFF80\uFF76\uFF85"),
      ElementsAre("abc", "finance", "カタカナ"));
}

TEST(TokenizeTest, SplitsArabicAtSpaces) {
  EXPECT_THAT(Tokenize("قال الرئيس الأمريكي، جو بايدن."),
              ElementsAre("قال", "الرئيس", "الأمريكي", "جو", "بايدن"));
}

TEST(TokenizeTest, PersianWordWithAndWithoutZwnjIsOneTerm) {
  const std::vector<std::string> with_zwnj =
      Tokenize("\u0645\u06CC\u200Cخواهم");
  ASSERT_EQ(with_zwnj.size(), 1);
  EXPECT_THAT(Tokenize("میخواهم"), ElementsAre(with_zwnj[0]));
}

TEST(TokenizeTest, SplitsKoreanAtSpaces) {
  EXPECT_THAT(Tokenize("이재명 대통령은 수요일 취임했다."),
              ElementsAre("이재명", "대통령은", "수요일", "취임했다"));
}

TEST(TokenizeTest, SplitsJapaneseAndChineseByDictionary) {
  EXPECT_THAT(
      Tokenize("岸田首相はワシントンを訪れた。"),
      ElementsAre("岸田", "首相", "は", "ワシントン", "を", "訪れ", "た"));
  EXPECT_THAT(
      Tokenize("中华人民共和国成立于1949年"),
      ElementsAre("中华", "人民", "共和国", "成立", "于", "1949", "年"));
}

TEST(TokenizeWithOffsetsTest, GivesPositionsAndByteOffsetsIntoTheInput) {
  const std::string text = "\u201CWe meet,\u201D Biden told Ｋishida.";
  const std::vector<Token> tokens = TokenizeWithOffsets(text);
  ASSERT_EQ(tokens.size(), 5);
  const char* const words[] = {"We", "meet", "Biden", "told", "Ｋishida"};
  const char* const terms[] = {"we", "meet", "biden", "told", "kishida"};
  for (uint32_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(tokens[i].position, i);
    EXPECT_EQ(tokens[i].term, terms[i]);
    EXPECT_EQ(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin),
              words[i]);
  }
  EXPECT_EQ(tokens[0].begin, 3);
  EXPECT_EQ(tokens[4].end, text.size() - 1);
}

TEST(TokenizeWithOffsetsTest, OffsetsInMultiByteScriptsAreBytes) {
  const std::string text = "이재명 대통령";
  const std::vector<Token> tokens = TokenizeWithOffsets(text);
  ASSERT_EQ(tokens.size(), 2);
  EXPECT_EQ(tokens[0].begin, 0);
  EXPECT_EQ(tokens[0].end, 9);
  EXPECT_EQ(tokens[1].begin, 10);
  EXPECT_EQ(tokens[1].end, text.size());
}

TEST(TokenizeTest, IllFormedUtf8IsNeverAWord) {
  EXPECT_THAT(Tokenize("ab\xFF"
                       "cd \xC3"),
              ElementsAre("ab", "cd"));
}

TEST(TokenizeTest, IsThreadSafe) {
  const std::string text =
      "South Korea's new liberal President Lee Jae-myung pledged on "
      "Wednesday. 이재명 대통령은 수요일 취임했다. "
      "岸田首相はワシントンを訪れた。";
  const std::vector<std::string> expected = Tokenize(text);
  std::vector<std::vector<std::string>> results(8);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&text, &result] {
      for (int i = 0; i < 200; ++i) result = Tokenize(text);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace archive
