#include "cli/date_in_text.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FindDatesInTextTest, DayMonthYear) {
  EXPECT_THAT(FindDatesInText("Washington, DC, US 13 January 2023. (EPA)"),
              ElementsAre(absl::CivilDay(2023, 1, 13)));
  EXPECT_THAT(FindDatesInText("on 3rd Sept. 2024"),
              ElementsAre(absl::CivilDay(2024, 9, 3)));
  EXPECT_THAT(FindDatesInText("13 JANUARY, 2023"),
              ElementsAre(absl::CivilDay(2023, 1, 13)));
}

TEST(FindDatesInTextTest, MonthDayYear) {
  EXPECT_THAT(
      FindDatesInText("Seoul, South Korea, Wednesday, June 4, 2025. (AP)"),
      ElementsAre(absl::CivilDay(2025, 6, 4)));
  EXPECT_THAT(FindDatesInText("Dec. 31 1999"),
              ElementsAre(absl::CivilDay(1999, 12, 31)));
  EXPECT_THAT(FindDatesInText("June\u00A04,\u00A02025"),
              ElementsAre(absl::CivilDay(2025, 6, 4)));
}

TEST(FindDatesInTextTest, Iso) {
  EXPECT_THAT(FindDatesInText("(2025-06-04)"),
              ElementsAre(absl::CivilDay(2025, 6, 4)));
  EXPECT_THAT(FindDatesInText("at 2025-06-04T10:00:00Z"),
              ElementsAre(absl::CivilDay(2025, 6, 4)));
}

TEST(FindDatesInTextTest, YearMonthDayWithDotsOrSlashes) {
  EXPECT_THAT(FindDatesInText("입력 2024.03.05 10:30"),
              ElementsAre(absl::CivilDay(2024, 3, 5)));
  EXPECT_THAT(FindDatesInText("2024/3/5"),
              ElementsAre(absl::CivilDay(2024, 3, 5)));
  EXPECT_THAT(FindDatesInText("2024.03/05 2024.3.5x 2024.02.30"), IsEmpty());
}

TEST(FindDatesInTextTest, KoreanChineseAndJapaneseYearMonthDay) {
  EXPECT_THAT(FindDatesInText("2024년 3월 5일 오전"),
              ElementsAre(absl::CivilDay(2024, 3, 5)));
  EXPECT_THAT(FindDatesInText("2024年3月5日"),
              ElementsAre(absl::CivilDay(2024, 3, 5)));
  EXPECT_THAT(FindDatesInText("2024년 3월"), IsEmpty());
}

TEST(FindDatesInTextTest, AllDatesInOrder) {
  EXPECT_THAT(
      FindDatesInText("2024-02-29, then 1 March 2024 and May 2, 2024"),
      ElementsAre(absl::CivilDay(2024, 2, 29), absl::CivilDay(2024, 3, 1),
                  absl::CivilDay(2024, 5, 2)));
}

TEST(FindDatesInTextTest, RejectsWhatIsNoDate) {
  EXPECT_THAT(FindDatesInText(""), IsEmpty());
  EXPECT_THAT(FindDatesInText("in May 2021, 35 million votes"), IsEmpty());
  EXPECT_THAT(FindDatesInText("February 30, 2024"), IsEmpty());
  EXPECT_THAT(FindDatesInText("2023-13-01 2023-1-01 20230-01-01"), IsEmpty());
  EXPECT_THAT(FindDatesInText("A13 January 2023"), IsEmpty());
  EXPECT_THAT(FindDatesInText("13 January 20234"), IsEmpty());
  EXPECT_THAT(FindDatesInText("Marching 4, 2025"), IsEmpty());
  EXPECT_THAT(FindDatesInText("June 4, 2025abc"), IsEmpty());
  EXPECT_THAT(FindDatesInText("123 June 2025"), IsEmpty());
}

TEST(FindDatesInTextTest, TruncatedAndBinaryInput) {
  for (const char* text :
       {"13", "13 ", "13 Jan", "13 January 2", "June", "June 4", "June 4,",
        "2025-", "2025-06-0", "\xFF\xFE\x00\x80", "June 44, 2025"}) {
    EXPECT_THAT(FindDatesInText(text), IsEmpty()) << text;
  }
}

}  // namespace
}  // namespace archive::cli
