#include "tests/extraction/word_overlap.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(WordOverlapTest, TheSameTextIsAPerfectMatch) {
  const WordOverlap overlap = MeasureWordOverlap(
      "The bus leaves at noon.\n\nIt is late.", "The bus leaves at noon. It is late.");
  EXPECT_EQ(overlap.expected_words, 8);
  EXPECT_EQ(overlap.extracted_words, 8);
  EXPECT_EQ(overlap.common_words, 8);
  EXPECT_DOUBLE_EQ(overlap.Precision(), 1.0);
  EXPECT_DOUBLE_EQ(overlap.Recall(), 1.0);
}

TEST(WordOverlapTest, CaseAndPunctuationDoNotCount) {
  const WordOverlap overlap =
      MeasureWordOverlap("“Japan’s rail,” he said.", "JAPAN'S RAIL HE SAID");
  EXPECT_EQ(overlap.common_words, 4);
  EXPECT_DOUBLE_EQ(overlap.Precision(), 1.0);
  EXPECT_DOUBLE_EQ(overlap.Recall(), 1.0);
}

TEST(WordOverlapTest, ExtraWordsLowerPrecisionAndMissingWordsLowerRecall) {
  // Expected: 4 words. Extracted: 3 of them plus "share" and "42".
  const WordOverlap overlap =
      MeasureWordOverlap("rain fell on Leeds", "Share 42 rain fell on");
  EXPECT_EQ(overlap.common_words, 3);
  EXPECT_DOUBLE_EQ(overlap.Precision(), 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(overlap.Recall(), 3.0 / 4.0);
}

TEST(WordOverlapTest, WordsCountWithTheirMultiplicity) {
  // "the" twice expected, three times extracted: two of the three match.
  const WordOverlap overlap =
      MeasureWordOverlap("the cat and the dog", "the the the cat");
  EXPECT_EQ(overlap.common_words, 3);
  EXPECT_DOUBLE_EQ(overlap.Precision(), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(overlap.Recall(), 3.0 / 5.0);
}

TEST(WordOverlapTest, KoreanArabicAndJapaneseSplitIntoWords) {
  const WordOverlap korean =
      MeasureWordOverlap("서울시가 쉼터를 늘린다", "서울시가 쉼터를 늘린다 공유 57");
  EXPECT_EQ(korean.expected_words, 3);
  EXPECT_EQ(korean.common_words, 3);
  EXPECT_DOUBLE_EQ(korean.Precision(), 3.0 / 5.0);

  const WordOverlap arabic = MeasureWordOverlap("افتتحت الحكومة المصرية امتداداً جديداً",
                                                "افتتحت الحكومة المصرية");
  EXPECT_EQ(arabic.expected_words, 5);
  EXPECT_DOUBLE_EQ(arabic.Recall(), 3.0 / 5.0);

  // Unspaced Japanese is split by ICU's dictionary into several words.
  const WordOverlap japanese = MeasureWordOverlap("東京都は新しい計画を発表した", "");
  EXPECT_GT(japanese.expected_words, 3);
}

TEST(WordOverlapTest, NothingExtractedHasNoWrongWordButNoRecall) {
  const WordOverlap overlap = MeasureWordOverlap("a real article", "");
  EXPECT_DOUBLE_EQ(overlap.Precision(), 1.0);
  EXPECT_DOUBLE_EQ(overlap.Recall(), 0.0);
}

TEST(WordOverlapTest, SumsAreMicroAveraged) {
  WordOverlap total = MeasureWordOverlap("one two three four", "one two three four");
  total += MeasureWordOverlap("five six", "");
  EXPECT_EQ(total.expected_words, 6);
  EXPECT_EQ(total.common_words, 4);
  EXPECT_DOUBLE_EQ(total.Recall(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(total.Precision(), 1.0);
}

TEST(DiffWordsTest, NamesTheMissingAndTheExtraWordsInTheirOrder) {
  const WordDifference difference =
      DiffWords("the cat and the dog", "Share 12 the the the cat");
  EXPECT_THAT(difference.missing, ElementsAre("and", "dog"));
  EXPECT_THAT(difference.extra, ElementsAre("share", "12", "the"));
}

TEST(DiffWordsTest, TheSameWordsMakeNoDifference) {
  const WordDifference difference = DiffWords("A b, c.", "c b a");
  EXPECT_THAT(difference.missing, IsEmpty());
  EXPECT_THAT(difference.extra, IsEmpty());
}

}  // namespace
}  // namespace archive::testing
