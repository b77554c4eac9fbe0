// The calendar buckets of counts over time (CountInterval): days, ISO weeks
// (from Monday), months and years of one time zone, each starting at its
// first midnight there. Where a zone skips midnight (a daylight-saving
// change at 00:00), the bucket starts at the first instant of that day.
// The store buckets its articles with it and the query server lists the
// buckets between two times with it, so that the two agree.
//
// Thread-safe: immutable once made.
#ifndef COMMON_TIME_BUCKETS_H_
#define COMMON_TIME_BUCKETS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"

namespace archive {

class TimeBuckets {
 public:
  // INVALID_ARGUMENT naming `interval` for a value out of the enum, and
  // `time_zone` for a zone name the zone database does not hold; an empty
  // name is UTC.
  static absl::StatusOr<TimeBuckets> Make(v1::CountInterval interval,
                                          const std::string& time_zone);

  // The start of the bucket holding `time`.
  absl::Time StartOf(absl::Time time) const;
  // The start of the bucket after the one that starts at `start`.
  absl::Time Next(absl::Time start) const;

  v1::CountInterval interval() const { return interval_; }

 private:
  TimeBuckets(v1::CountInterval interval, absl::TimeZone zone)
      : interval_(interval), zone_(zone) {}

  v1::CountInterval interval_;
  absl::TimeZone zone_;
};

// A TimeBuckets that remembers the last bucket it found, for a walk over
// times that mostly fall in the bucket of the one before: in Unix seconds.
//
// Thread safety: one walk, one thread.
class BucketWalk {
 public:
  explicit BucketWalk(const TimeBuckets& buckets) : buckets_(buckets) {}

  int64_t StartOf(int64_t seconds) {
    if (seconds < start_ || seconds >= next_) {
      const absl::Time start = buckets_.StartOf(absl::FromUnixSeconds(seconds));
      start_ = absl::ToUnixSeconds(start);
      next_ = absl::ToUnixSeconds(buckets_.Next(start));
    }
    return start_;
  }

 private:
  const TimeBuckets& buckets_;
  int64_t start_ = 1;  // an empty bucket: the first call finds one
  int64_t next_ = 0;
};

}  // namespace archive

#endif  // COMMON_TIME_BUCKETS_H_
