#include "tests/bench/results.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace archive::bench {
namespace {

std::string Quoted(const std::string& text) {
  std::string quoted = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += static_cast<char>(c);
    } else if (c < 0x20) {
      quoted += absl::StrFormat("\\u%04x", c);
    } else {
      quoted += static_cast<char>(c);
    }
  }
  return quoted + "\"";
}

// Whole numbers as such; others with 4 significant digits at least and 3
// decimals at most (enough for milliseconds and ratios).
std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrFormat("%.0f", value);
  }
  const double magnitude = std::fabs(value);
  const int decimals = magnitude >= 1000 ? 1 : magnitude >= 100 ? 2 : 3;
  return absl::StrFormat("%.*f", decimals, value);
}

std::string Format(const Results::Value& value) {
  if (const double* number = std::get_if<double>(&value)) return FormatNumber(*number);
  if (const bool* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  if (const std::string* text = std::get_if<std::string>(&value)) return Quoted(*text);
  return "null";
}

}  // namespace

Results::Value* Results::Find(const std::string& key) {
  for (auto& [name, value] : figures_) {
    if (name == key) return &value;
  }
  figures_.emplace_back(key, std::monostate());
  return &figures_.back().second;
}

void Results::Set(const std::string& key, std::optional<double> value) {
  *Find(key) = value.has_value() ? Value(*value) : Value(std::monostate());
}

void Results::SetFlag(const std::string& key, bool value) { *Find(key) = value; }

void Results::SetText(const std::string& key, const std::string& value) {
  *Find(key) = value;
}

void Results::Expect(const std::string& key) { Find(key); }

std::optional<double> Results::Number(const std::string& key) const {
  for (const auto& [name, value] : figures_) {
    if (name == key) {
      if (const double* number = std::get_if<double>(&value)) return *number;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string Results::ToJson() const {
  std::string json = "{";
  for (size_t i = 0; i < figures_.size(); ++i) {
    if (i > 0) json += ',';
    absl::StrAppend(&json, Quoted(figures_[i].first), ":", Format(figures_[i].second));
  }
  return json + "}";
}

std::string Results::ToTable() const {
  std::string table;
  for (const auto& [name, value] : figures_) {
    absl::StrAppendFormat(&table, "  %-36s %s\n", name, Format(value));
  }
  return table;
}

std::optional<double> Ratio(std::optional<double> a, std::optional<double> b) {
  if (!a.has_value() || !b.has_value() || *b == 0) return std::nullopt;
  return *a / *b;
}

}  // namespace archive::bench
