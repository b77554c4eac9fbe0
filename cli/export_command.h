// archivectl export: every article of a selection (a source or all, a
// [--from, --to) range of publication times), oldest first, with its
// sightings, as WARC/1.1 (docs/WARC.md, "Export") or JSONL (the Article in
// protobuf's JSON mapping, one a line), through the query server's
// ListArticles.
//
// One page of articles is in memory at a time. After each page, and when a
// call fails, the export can stop: the page it has is written and flushed
// first, and stderr says how to go on from the next one:
//   archivectl export: interrupted; resume with --page_token=TOKEN
// Resuming with --page_token appends to -o FILE instead of truncating it
// (and writes no second warcinfo record into a file that has one). An
// article is written twice only when a write failed partway through a
// page, which is then exported again whole.
//
// Exit status: 0 done; 2 usage error (a bad flag, WARC to a terminal), an
// unwritable output or an unreachable server; 128 + N when stopped by
// signal N. Not thread-safe; one export a process.
#ifndef CLI_EXPORT_COMMAND_H_
#define CLI_EXPORT_COMMAND_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/query_calls.h"

namespace archive::cli {

enum class ExportFormat { kWarc, kJsonl };

// "warc" or "jsonl"; INVALID_ARGUMENT naming --format otherwise.
absl::StatusOr<ExportFormat> ParseExportFormat(const std::string& text);

struct ExportOptions {
  std::string source;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  ExportFormat format = ExportFormat::kJsonl;
  // Empty or "-": the `out` stream of RunExport. A WARC file whose name ends
  // in ".gz" is written gzipped, a gzip member a record.
  std::string output_path;
  // Where an interrupted export stopped; empty to start at the beginning.
  std::string page_token;
  int page_size = 100;
  // "N articles, X/s" on stderr as pages come, for a person at a terminal.
  bool progress = false;
  // Whether `out` is a terminal, where WARC is refused.
  bool out_is_terminal = false;
  // Asked after each page: the number of the signal that asks the export to
  // stop, or 0 to go on. Null: never stop.
  std::function<int()> stop_signal;
};

int RunExport(const ReadOptions& read, const ExportOptions& options,
              std::ostream& out, std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_EXPORT_COMMAND_H_
