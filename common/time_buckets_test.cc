#include "common/time_buckets.h"

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

absl::Time Utc(int year, int month, int day, int hour = 0, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0),
                         absl::UTCTimeZone());
}

TimeBuckets Make(v1::CountInterval interval, const std::string& zone = "") {
  absl::StatusOr<TimeBuckets> buckets = TimeBuckets::Make(interval, zone);
  EXPECT_TRUE(buckets.ok()) << buckets.status();
  return *buckets;
}

TEST(TimeBucketsTest, DaysOfUtcStartAtMidnight) {
  const TimeBuckets days = Make(v1::COUNT_INTERVAL_DAY);
  EXPECT_EQ(days.StartOf(Utc(2024, 3, 5, 23, 59)), Utc(2024, 3, 5));
  EXPECT_EQ(days.StartOf(Utc(2024, 3, 5)), Utc(2024, 3, 5));
  EXPECT_EQ(days.Next(Utc(2024, 2, 28)), Utc(2024, 2, 29));
  EXPECT_EQ(days.Next(Utc(2024, 2, 29)), Utc(2024, 3, 1));
}

TEST(TimeBucketsTest, UnspecifiedIsDays) {
  const TimeBuckets buckets = Make(v1::COUNT_INTERVAL_UNSPECIFIED);
  EXPECT_EQ(buckets.interval(), v1::COUNT_INTERVAL_DAY);
  EXPECT_EQ(buckets.StartOf(Utc(2024, 3, 5, 12)), Utc(2024, 3, 5));
}

TEST(TimeBucketsTest, WeeksStartOnMonday) {
  const TimeBuckets weeks = Make(v1::COUNT_INTERVAL_WEEK);
  // 2024-03-04 was a Monday.
  EXPECT_EQ(weeks.StartOf(Utc(2024, 3, 10, 23)), Utc(2024, 3, 4));  // Sunday
  EXPECT_EQ(weeks.StartOf(Utc(2024, 3, 4)), Utc(2024, 3, 4));
  EXPECT_EQ(weeks.StartOf(Utc(2024, 3, 11, 1)), Utc(2024, 3, 11));
  EXPECT_EQ(weeks.Next(Utc(2024, 3, 4)), Utc(2024, 3, 11));
  // Across a year's end: 2024-12-30 was a Monday.
  EXPECT_EQ(weeks.StartOf(Utc(2025, 1, 2)), Utc(2024, 12, 30));
}

TEST(TimeBucketsTest, MonthsAndYears) {
  const TimeBuckets months = Make(v1::COUNT_INTERVAL_MONTH);
  EXPECT_EQ(months.StartOf(Utc(2024, 2, 29, 10)), Utc(2024, 2, 1));
  EXPECT_EQ(months.Next(Utc(2024, 12, 1)), Utc(2025, 1, 1));
  const TimeBuckets years = Make(v1::COUNT_INTERVAL_YEAR);
  EXPECT_EQ(years.StartOf(Utc(2024, 7, 1)), Utc(2024, 1, 1));
  EXPECT_EQ(years.Next(Utc(2024, 1, 1)), Utc(2025, 1, 1));
  EXPECT_EQ(years.StartOf(Utc(1969, 12, 31, 23)), Utc(1969, 1, 1));
}

TEST(TimeBucketsTest, FollowTheZonesCalendar) {
  const TimeBuckets days = Make(v1::COUNT_INTERVAL_DAY, "America/New_York");
  // 03:00 UTC on 5 March is 22:00 on 4 March in New York (UTC-5).
  EXPECT_EQ(days.StartOf(Utc(2024, 3, 5, 3)), Utc(2024, 3, 4, 5));
  // The day clocks go forward (10 March 2024) is 23 hours long.
  EXPECT_EQ(days.Next(Utc(2024, 3, 10, 5)), Utc(2024, 3, 11, 4));
  const TimeBuckets tokyo = Make(v1::COUNT_INTERVAL_MONTH, "Asia/Tokyo");
  EXPECT_EQ(tokyo.StartOf(Utc(2024, 3, 31, 16)), Utc(2024, 3, 31, 15));  // 1 April 01:00
}

TEST(TimeBucketsTest, ADaySkippingMidnightStartsAtItsFirstInstant) {
  // São Paulo moved its clocks from 00:00 to 01:00 on 4 November 2018.
  const TimeBuckets days = Make(v1::COUNT_INTERVAL_DAY, "America/Sao_Paulo");
  EXPECT_EQ(days.StartOf(Utc(2018, 11, 4, 12)), Utc(2018, 11, 4, 3));
  EXPECT_EQ(days.Next(Utc(2018, 11, 3, 3)), Utc(2018, 11, 4, 3));
}

TEST(TimeBucketsTest, RefusesUnknownZonesAndIntervals) {
  absl::StatusOr<TimeBuckets> zone = TimeBuckets::Make(v1::COUNT_INTERVAL_DAY, "Mars/Olympus");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("time_zone: \"Mars/Olympus\""), absl::string_view::npos)
      << zone.status();
  absl::StatusOr<TimeBuckets> interval =
      TimeBuckets::Make(static_cast<v1::CountInterval>(42), "");
  ASSERT_FALSE(interval.ok());
  EXPECT_NE(interval.status().message().find("interval: 42"), absl::string_view::npos);
}

TEST(BucketWalkTest, AgreesWithTheBucketsWhereverTheTimesGo) {
  const TimeBuckets weeks = Make(v1::COUNT_INTERVAL_WEEK, "Europe/Berlin");
  BucketWalk walk(weeks);
  for (int64_t seconds : {1700000000LL, 1700000100LL, 1600000000LL, 1700000000LL, -86400LL,
                          0LL, 1710000000LL}) {
    EXPECT_EQ(walk.StartOf(seconds),
              absl::ToUnixSeconds(weeks.StartOf(absl::FromUnixSeconds(seconds))))
        << seconds;
  }
}

}  // namespace
}  // namespace archive
