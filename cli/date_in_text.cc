#include "cli/date_in_text.h"

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"

namespace archive::cli {
namespace {

struct MonthName {
  std::string_view name;
  int month;
};

constexpr MonthName kMonthNames[] = {
    {"january", 1},   {"february", 2}, {"march", 3},     {"april", 4},
    {"may", 5},       {"june", 6},     {"july", 7},      {"august", 8},
    {"september", 9}, {"october", 10}, {"november", 11}, {"december", 12},
    {"jan", 1},       {"feb", 2},      {"mar", 3},       {"apr", 4},
    {"jun", 6},       {"jul", 7},      {"aug", 8},       {"sep", 9},
    {"sept", 9},      {"oct", 10},     {"nov", 11},      {"dec", 12},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) { return IsDigit(c) || IsLetter(c); }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

// A cursor over the text. Each Read* either consumes what it matched and
// returns true, or leaves the position unspecified and returns false; the
// callers start every attempt from a fresh copy.
class Scanner {
 public:
  Scanner(std::string_view text, size_t pos) : text_(text), pos_(pos) {}

  // Reads `min_digits` to `max_digits` digits not followed by another digit.
  bool ReadNumber(int min_digits, int max_digits, int* value) {
    int digits = 0;
    *value = 0;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      if (++digits > max_digits) return false;
      *value = *value * 10 + (text_[pos_++] - '0');
    }
    return digits >= min_digits;
  }

  // Reads a month's name or abbreviation, and a '.' after it if any.
  bool ReadMonth(int* month) {
    const size_t start = pos_;
    while (pos_ < text_.size() && IsLetter(text_[pos_])) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    for (const MonthName& candidate : kMonthNames) {
      if (word.size() != candidate.name.size()) continue;
      bool equal = true;
      for (size_t i = 0; i < word.size() && equal; ++i) {
        equal = ToLower(word[i]) == candidate.name[i];
      }
      if (equal) {
        *month = candidate.month;
        ReadChar('.');
        return true;
      }
    }
    return false;
  }

  // Reads "st", "nd", "rd" or "th" when it ends a word, as in "4th".
  void SkipOrdinalSuffix() {
    if (pos_ + 2 > text_.size()) return;
    const std::string_view suffix = text_.substr(pos_, 2);
    if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") {
      return;
    }
    if (pos_ + 2 < text_.size() && IsLetter(text_[pos_ + 2])) return;
    pos_ += 2;
  }

  // Reads one or more spaces, ASCII or no-break (U+00A0).
  bool ReadSpaces() {
    const size_t start = pos_;
    while (true) {
      if (ReadChar(' ')) continue;
      if (text_.substr(pos_, 2) == "\xC2\xA0") {
        pos_ += 2;
        continue;
      }
      return pos_ > start;
    }
  }

  bool ReadText(std::string_view expected) {
    if (text_.substr(pos_, expected.size()) != expected) return false;
    pos_ += expected.size();
    return true;
  }

  bool ReadChar(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // True if the text ends here or goes on with something other than a
  // letter or digit.
  bool AtWordEnd() const {
    return pos_ >= text_.size() || !IsAlnum(text_[pos_]);
  }

 private:
  std::string_view text_;
  size_t pos_;
};

std::optional<absl::CivilDay> MakeDay(int year, int month, int day) {
  const absl::CivilDay civil_day(year, month, day);
  // CivilDay normalizes out-of-range fields; a changed field means no such day.
  if (civil_day.year() != year || civil_day.month() != month ||
      civil_day.day() != day) {
    return std::nullopt;
  }
  return civil_day;
}

// "2025-06-04", alone or starting a timestamp ("2025-06-04T10:00:00Z").
std::optional<absl::CivilDay> ReadIsoDate(Scanner s) {
  int year, month, day;
  if (!s.ReadNumber(4, 4, &year) || !s.ReadChar('-') ||
      !s.ReadNumber(2, 2, &month) || !s.ReadChar('-') ||
      !s.ReadNumber(2, 2, &day)) {
    return std::nullopt;
  }
  if (!s.AtWordEnd()) {
    int hour;
    if (!s.ReadChar('T') || !s.ReadNumber(2, 2, &hour)) return std::nullopt;
  }
  return MakeDay(year, month, day);
}

// "2025.06.04", "2025/6/4": Korean, Chinese and Japanese pages' dates.
std::optional<absl::CivilDay> ReadDottedDate(Scanner s) {
  int year, month, day;
  if (!s.ReadNumber(4, 4, &year)) return std::nullopt;
  const char separator = s.ReadChar('.') ? '.' : s.ReadChar('/') ? '/' : 0;
  if (separator == 0 || !s.ReadNumber(1, 2, &month) ||
      !s.ReadChar(separator) || !s.ReadNumber(1, 2, &day) || !s.AtWordEnd()) {
    return std::nullopt;
  }
  return MakeDay(year, month, day);
}

// "2025년 6월 4일" (Korean), "2025年6月4日" (Chinese, Japanese).
std::optional<absl::CivilDay> ReadYearMonthDayWords(Scanner s) {
  int year, month, day;
  const auto read_unit = [&s](std::string_view korean, std::string_view han) {
    const bool read = s.ReadText(korean) || s.ReadText(han);
    s.ReadSpaces();
    return read;
  };
  if (!s.ReadNumber(4, 4, &year)) return std::nullopt;
  s.ReadSpaces();
  if (!read_unit("년", "年") || !s.ReadNumber(1, 2, &month)) return std::nullopt;
  s.ReadSpaces();
  if (!read_unit("월", "月") || !s.ReadNumber(1, 2, &day)) return std::nullopt;
  s.ReadSpaces();
  if (!s.ReadText("일") && !s.ReadText("日")) return std::nullopt;
  return MakeDay(year, month, day);
}

// "13 January 2023", "13th Jan. 2023".
std::optional<absl::CivilDay> ReadDayMonthYear(Scanner s) {
  int day, month, year;
  if (!s.ReadNumber(1, 2, &day)) return std::nullopt;
  s.SkipOrdinalSuffix();
  if (!s.ReadSpaces() || !s.ReadMonth(&month)) return std::nullopt;
  s.ReadChar(',');
  if (!s.ReadSpaces() || !s.ReadNumber(4, 4, &year) || !s.AtWordEnd()) {
    return std::nullopt;
  }
  return MakeDay(year, month, day);
}

// "June 4, 2025", "Jun. 4 2025".
std::optional<absl::CivilDay> ReadMonthDayYear(Scanner s) {
  int month, day, year;
  if (!s.ReadMonth(&month) || !s.ReadSpaces() || !s.ReadNumber(1, 2, &day)) {
    return std::nullopt;
  }
  s.SkipOrdinalSuffix();
  s.ReadChar(',');
  if (!s.ReadSpaces() || !s.ReadNumber(4, 4, &year) || !s.AtWordEnd()) {
    return std::nullopt;
  }
  return MakeDay(year, month, day);
}

}  // namespace

std::vector<absl::CivilDay> FindDatesInText(std::string_view text) {
  std::vector<absl::CivilDay> dates;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    const char before = pos == 0 ? ' ' : text[pos - 1];
    std::optional<absl::CivilDay> date;
    if (IsDigit(c) && !IsAlnum(before)) {
      date = ReadIsoDate(Scanner(text, pos));
      if (!date) date = ReadDottedDate(Scanner(text, pos));
      if (!date) date = ReadYearMonthDayWords(Scanner(text, pos));
      if (!date) date = ReadDayMonthYear(Scanner(text, pos));
    } else if (IsLetter(c) && !IsAlnum(before)) {
      date = ReadMonthDayYear(Scanner(text, pos));
    }
    if (date) dates.push_back(*date);
  }
  return dates;
}

}  // namespace archive::cli
