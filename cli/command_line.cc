#include "cli/command_line.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace archive::cli {

std::string ParsedArgs::GetString(const std::string& name,
                                  const std::string& fallback) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? fallback : it->second;
}

bool ParsedArgs::GetBool(const std::string& name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second != "false";
}

absl::StatusOr<int> ParsedArgs::GetInt(const std::string& name, int fallback,
                                       int min, int max) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(it->second, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": \"", it->second,
                     "\" is not a whole number from ", min, " to ", max));
  }
  return value;
}

absl::StatusOr<absl::Time> ParseTimeArgument(const std::string& text) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return time;
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    return time;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" is neither RFC 3339 (2023-01-13T15:00:00Z) nor a date "
                   "(2023-01-13)"));
}

absl::StatusOr<std::optional<absl::Time>> ParsedArgs::GetTime(
    const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return std::optional<absl::Time>();
  absl::StatusOr<absl::Time> time = ParseTimeArgument(it->second);
  if (!time.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": ", time.status().message()));
  }
  return std::optional<absl::Time>(*time);
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& accepted) {
  std::map<std::string, std::string> flags;
  std::vector<std::string> arguments;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!flags_ended && arg.size() == 2 && arg[0] == '-' && arg[1] != '-') {
      const FlagSpec* spec = nullptr;
      for (const FlagSpec& candidate : accepted) {
        if (candidate.short_name != '\0' && candidate.short_name == arg[1]) {
          spec = &candidate;
        }
      }
      if (spec != nullptr) {
        if (!spec->takes_value) {
          flags[spec->name] = "true";
          continue;
        }
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
        }
        flags[spec->name] = args[++i];
        continue;
      }
    }
    if (flags_ended || arg.size() < 2 || arg[0] != '-' || arg[1] != '-') {
      if (!flags_ended && arg.size() > 1 && arg[0] == '-') {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown flag ", arg, " (flags are --name=value)"));
      }
      arguments.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos
                                               ? std::string::npos
                                               : equals - 2);
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& candidate : accepted) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
      if (!spec->takes_value && value != "true" && value != "false") {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " takes no value (or true/false)"));
      }
    } else if (spec->takes_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
      value = args[++i];
    } else {
      value = "true";
    }
    flags[name] = value;
  }
  return ParsedArgs(std::move(flags), std::move(arguments));
}

}  // namespace archive::cli
