// Results: the benchmark's figures, in the order they were measured, for the
// one-line JSON object a run ends with (and a table for people).
//
// A figure not measured (PostgreSQL absent, a phase that failed) is JSON
// null, never left out: readers can rely on every key being there.
// Not thread-safe: one phase writes at a time.
#ifndef TESTS_BENCH_RESULTS_H_
#define TESTS_BENCH_RESULTS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace archive::bench {

class Results {
 public:
  using Value = std::variant<std::monostate, double, bool, std::string>;

  // Sets (or replaces) a figure; an empty optional is null.
  void Set(const std::string& key, std::optional<double> value);
  void SetFlag(const std::string& key, bool value);
  void SetText(const std::string& key, const std::string& value);
  // Declares `key` as null unless it is set already.
  void Expect(const std::string& key);

  std::optional<double> Number(const std::string& key) const;

  // {"key":value,...} on one line, numbers rounded to what they mean.
  std::string ToJson() const;
  // Key and value a line, for people.
  std::string ToTable() const;

 private:
  Value* Find(const std::string& key);
  std::vector<std::pair<std::string, Value>> figures_;
};

// a / b; null when either is, or b is 0.
std::optional<double> Ratio(std::optional<double> a, std::optional<double> b);

}  // namespace archive::bench

#endif  // TESTS_BENCH_RESULTS_H_
