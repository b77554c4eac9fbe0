// archivectl's command-line parsing: a verb, then GNU-style flags
// (--name=value, --name value, --flag; a flag with a one-letter alias also
// -x value) and arguments, checked against the flags the verb accepts so
// that a typo is a usage error, not a silent default. "-" is an argument
// (standard input); "--" ends the flags.
#ifndef CLI_COMMAND_LINE_H_
#define CLI_COMMAND_LINE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace archive::cli {

struct FlagSpec {
  std::string name;  // without dashes: "oldest-first"
  bool takes_value = true;
  // A one-letter alias, "-o FILE" for --output=FILE; none when '\0'.
  char short_name = '\0';
};

class ParsedArgs {
 public:
  ParsedArgs(std::map<std::string, std::string> flags,
             std::vector<std::string> arguments)
      : flags_(std::move(flags)), arguments_(std::move(arguments)) {}

  const std::vector<std::string>& arguments() const { return arguments_; }
  bool Has(const std::string& name) const { return flags_.count(name) > 0; }
  std::string GetString(const std::string& name,
                        const std::string& fallback = "") const;
  // A boolean flag: present (or "=true") is true, "=false" is false.
  bool GetBool(const std::string& name) const;
  // INVALID_ARGUMENT naming the flag unless the value is an integer within
  // [min, max].
  absl::StatusOr<int> GetInt(const std::string& name, int fallback, int min,
                             int max) const;
  // RFC 3339 ("2023-01-13T15:00:00Z") or a date ("2023-01-13", 00:00 UTC);
  // nullopt when the flag is absent; INVALID_ARGUMENT naming the flag when
  // the value is neither.
  absl::StatusOr<std::optional<absl::Time>> GetTime(const std::string& name) const;

 private:
  std::map<std::string, std::string> flags_;
  std::vector<std::string> arguments_;
};

// Parses `args` (everything after the verb). INVALID_ARGUMENT for an
// unknown flag, a value given to a flag that takes none (other than
// true/false), or a missing value.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& accepted);

// The time forms GetTime accepts.
absl::StatusOr<absl::Time> ParseTimeArgument(const std::string& text);

}  // namespace archive::cli

#endif  // CLI_COMMAND_LINE_H_
