// archivectl's reading verbs, against the query server: get, list, search,
// count, sources, stats. Readable tables and text for people, every character that
// could drive a terminal shown escaped (cli/terminal_text.h), and dates not
// from the publisher said to be so; with --json, one JSON object a line in
// protobuf's JSON mapping, exact, for tools. list and search follow pages up
// to --limit.
//
// Exit status: 0 done; 1 get found no such id; 2 usage error (a bad flag or
// argument, named) or an unreachable server.
#ifndef CLI_READ_COMMANDS_H_
#define CLI_READ_COMMANDS_H_

#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/query_calls.h"

namespace archive::cli {

struct ListOptions {
  std::string source;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  int limit = 20;
  bool oldest_first = false;
};

struct SearchOptions {
  std::string words;
  std::string source;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  int limit = 10;
};

// How count prints: a table with a bar chart for a person, the whole
// answer as one JSON line (--json), or CSV rows for a spreadsheet.
enum class CountFormat { kTable, kJson, kCsv };

struct CountOptions {
  std::string query;  // empty: every article of the filters
  std::string source;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  v1::CountInterval interval = v1::COUNT_INTERVAL_DAY;
  std::string time_zone;  // IANA; empty: UTC
  bool split_by_source = false;
  int top_sources = 10;
  CountFormat format = CountFormat::kTable;
};

// "day", "week", "month" or "year"; INVALID_ARGUMENT naming --by otherwise.
absl::StatusOr<v1::CountInterval> ParseCountInterval(const std::string& by);

int RunGet(const ReadOptions& options, const std::string& id, std::ostream& out,
           std::ostream& err);
int RunList(const ReadOptions& options, const ListOptions& list, std::ostream& out,
            std::ostream& err);
int RunSearch(const ReadOptions& options, const SearchOptions& search,
              std::ostream& out, std::ostream& err);
int RunCount(const ReadOptions& options, const CountOptions& count, std::ostream& out,
             std::ostream& err);
int RunSources(const ReadOptions& options, std::ostream& out, std::ostream& err);
int RunStats(const ReadOptions& options, std::ostream& out, std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_READ_COMMANDS_H_
