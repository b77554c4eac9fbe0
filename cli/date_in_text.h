// Finds the calendar dates written in running text, such as a photo caption's
// "13 January 2023" or "Wednesday, June 4, 2025".
#ifndef CLI_DATE_IN_TEXT_H_
#define CLI_DATE_IN_TEXT_H_

#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"

namespace archive::cli {

// Returns every valid date in `text`, in order of appearance. Recognized
// forms, with English month names or their three-letter abbreviations (any
// case, optionally followed by '.'), a 1- or 2-digit day (optionally with
// st/nd/rd/th) and a 4-digit year:
//   day month year      "13 January 2023", "13 Jan. 2023"
//   month day, year     "June 4, 2025", "Sept 4 2025"
//   ISO 8601            "2025-06-04", also starting "2025-06-04T10:00:00Z"
//   year.month.day      "2025.06.04", "2025/6/4" (Korean, Chinese, Japanese)
//   year-month-day words "2025년 6월 4일", "2025年6月4日"
// A number glued to letters or digits ("A13 January 2023") is not a date,
// nor is a day that its month lacks ("February 30, 2024").
std::vector<absl::CivilDay> FindDatesInText(std::string_view text);

}  // namespace archive::cli

#endif  // CLI_DATE_IN_TEXT_H_
