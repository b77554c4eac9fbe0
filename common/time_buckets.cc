#include "common/time_buckets.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace archive {
namespace {

absl::CivilDay MondayOnOrBefore(absl::CivilDay day) {
  return absl::PrevWeekday(day + 1, absl::Weekday::monday);
}

}  // namespace

absl::StatusOr<TimeBuckets> TimeBuckets::Make(v1::CountInterval interval,
                                              const std::string& time_zone) {
  if (!v1::CountInterval_IsValid(interval)) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval: ", static_cast<int>(interval), " is no CountInterval"));
  }
  if (interval == v1::COUNT_INTERVAL_UNSPECIFIED) interval = v1::COUNT_INTERVAL_DAY;
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!time_zone.empty() && !absl::LoadTimeZone(time_zone, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time_zone: \"", time_zone, "\" is no time zone this server knows (an IANA name "
        "such as \"Europe/Berlin\")"));
  }
  return TimeBuckets(interval, zone);
}

absl::Time TimeBuckets::StartOf(absl::Time time) const {
  const absl::CivilSecond civil = absl::ToCivilSecond(time, zone_);
  switch (interval_) {
    case v1::COUNT_INTERVAL_WEEK:
      return absl::FromCivil(MondayOnOrBefore(absl::CivilDay(civil)), zone_);
    case v1::COUNT_INTERVAL_MONTH:
      return absl::FromCivil(absl::CivilMonth(civil), zone_);
    case v1::COUNT_INTERVAL_YEAR:
      return absl::FromCivil(absl::CivilYear(civil), zone_);
    default:
      return absl::FromCivil(absl::CivilDay(civil), zone_);
  }
}

absl::Time TimeBuckets::Next(absl::Time start) const {
  // The civil day of the start is the bucket's first (a start is a
  // midnight, or the first instant of a day whose midnight was skipped).
  const absl::CivilDay day(absl::ToCivilSecond(start, zone_));
  switch (interval_) {
    case v1::COUNT_INTERVAL_WEEK:
      return absl::FromCivil(MondayOnOrBefore(day) + 7, zone_);
    case v1::COUNT_INTERVAL_MONTH:
      return absl::FromCivil(absl::CivilMonth(day) + 1, zone_);
    case v1::COUNT_INTERVAL_YEAR:
      return absl::FromCivil(absl::CivilYear(day) + 1, zone_);
    default:
      return absl::FromCivil(day + 1, zone_);
  }
}

}  // namespace archive
