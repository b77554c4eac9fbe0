// archivectl: the archive's command-line client.
//   archivectl feed [--ingest=ADDR] [--source=S] [--format=auto|text|jsonl|warc]
//                   [--max_article_bytes=N] [--json] FILE...|-
//   archivectl get ID | list | search "QUERY" | sources | stats  [--query=ADDR] [--json]
//   archivectl export [--source=S] [--from=T] [--to=T] --format=warc|jsonl [-o FILE]
//                     [--page_token=TOKEN] [--query=ADDR]
// Exit status: 0 done; 1 some articles rejected (feed) or no such id (get);
// 2 usage error, unreadable file or unreachable server.
#include <signal.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/command_line.h"
#include "cli/export_command.h"
#include "cli/feed_command.h"
#include "cli/health_command.h"
#include "cli/input_format.h"
#include "cli/read_commands.h"
#include "cli/rebalance_command.h"
#include "cli/security_args.h"
#include "cli/verify_command.h"
#include "store/store_client.h"

namespace archive::cli {
namespace {

constexpr char kUsage[] =
    "usage: archivectl VERB [FLAGS] [ARGS]\n"
    "\n"
    "  feed [--ingest=ADDR] [--source=S] [--format=auto|text|jsonl|warc]\n"
    "       [--max_article_bytes=N] [--json] FILE...|-\n"
    "      send crawled articles to the ingest server (default 127.0.0.1:50051);\n"
    "      an article whose title, body and captions are over N bytes (default\n"
    "      1048576, as ingest's; give the same N as ingest's --max_article_bytes\n"
    "      when that is changed) is reported as rejected and not sent\n"
    "  get ID [--json]\n"
    "  list [--source=S] [--from=T] [--to=T] [--limit=N] [--oldest-first] [--json]\n"
    "      headlines, newest first; --json prints whole articles\n"
    "  search \"QUERY\" [--source=S] [--from=T] [--to=T] [--limit=N] [--json]\n"
    "      best first, with a snippet and how many match; --json prints whole\n"
    "      articles. QUERY: words (all must occur), \"a phrase\", a OR b,\n"
    "      NOT a or -a, (grouping), prefix*, source:HOST; NOT binds tightest,\n"
    "      then AND, then OR: 'a b OR c' is '(a b) OR c'\n"
    "  count [\"QUERY\"] [--by=day|week|month|year] [--time-zone=ZONE]\n"
    "        [--source=S] [--from=T] [--to=T] [--split-source] [--top=N]\n"
    "        [--json|--csv]\n"
    "      how many articles match per day (week, month, year) of ZONE (an IANA\n"
    "      name; default UTC), beside how many there are, with a bar chart, and\n"
    "      the N sources with most matches (default 10; --split-source: each\n"
    "      one's own series); no QUERY counts every article; --json prints the\n"
    "      whole answer as one line, --csv a row a bucket\n"
    "  sources [--json]\n"
    "  stats [--json]\n"
    "      read the archive through the query server (--query=ADDR, default\n"
    "      127.0.0.1:50053). T is RFC 3339 (2023-01-13T15:00:00Z) or a date\n"
    "      (2023-01-13, 00:00 UTC); --from is inclusive, --to exclusive.\n"
    "  export [--source=S] [--from=T] [--to=T] --format=warc|jsonl [-o FILE]\n"
    "         [--page_token=TOKEN]\n"
    "      every selected article with its sightings, oldest first, as WARC/1.1\n"
    "      (gzipped, a member a record, when FILE ends in .gz; docs/WARC.md) or\n"
    "      JSONL, to FILE or standard output; stopped (Ctrl-C, a lost server), it\n"
    "      prints the --page_token that resumes it, appending to FILE\n"
    "  verify [--stores=HOST:PORT,...] [--replicas=R] [--json]\n"
    "      check every stored article against its digest (default store\n"
    "      127.0.0.1:50052), and with --replicas where its copies are; exit 1\n"
    "      when any is damaged, under-replicated or misplaced\n"
    "  rebalance --stores=HOST:PORT,... --replicas=R [--drain=HOST:PORT,...]\n"
    "      put every article on exactly its R owners under that list (copy\n"
    "      first, remove after), emptying the --drain stores; safe to rerun\n"
    "  health [--wait=SECONDS] [ADDR...]\n"
    "      whether servers answer SERVING (default: the three default ports)\n"
    "\n"
    "Every verb: --tls_ca=FILE (servers speak TLS; the CA that signed them),\n"
    "--tls_cert=FILE --tls_key=FILE (where a server asks for a client\n"
    "certificate), --token_file=FILE (the bearer token; else $ARCHIVE_TOKEN).\n"
    "\n"
    "Exit status: 0 done; 1 some articles rejected; 2 usage error, unreadable\n"
    "file or unreachable server.\n";

// A usage error: the problem alone when there is one (the full usage would
// bury it), else the usage.
int Usage(const std::string& problem) {
  if (problem.empty()) {
    std::cerr << kUsage;
  } else {
    std::cerr << "archivectl: " << problem << " (see archivectl help)\n";
  }
  return 2;
}

int Feed(const std::vector<std::string>& args, const ClientSecurity& security) {
  auto parsed = ParseArgs(
      args, {{"ingest"}, {"source"}, {"format"}, {"max_article_bytes"}, {"json", false}});
  if (!parsed.ok()) return Usage(std::string("feed: ") + std::string(parsed.status().message()));
  FeedOptions options;
  options.security = security;
  options.ingest_address = parsed->GetString("ingest", options.ingest_address);
  options.source = parsed->GetString("source");
  auto format = ParseInputFormat(parsed->GetString("format", "auto"));
  if (!format.ok()) return Usage(std::string("feed: ") + std::string(format.status().message()));
  options.format = *format;
  auto max_article_bytes = parsed->GetInt(
      "max_article_bytes", static_cast<int>(options.max_article_bytes), 1, 256 << 20);
  if (!max_article_bytes.ok()) {
    return Usage("feed: " + std::string(max_article_bytes.status().message()));
  }
  options.max_article_bytes = static_cast<size_t>(*max_article_bytes);
  options.json = parsed->GetBool("json");
  options.files = parsed->arguments();
  options.progress = !options.json && ::isatty(STDERR_FILENO);
  return RunFeed(options, std::cout, std::cerr);
}

// Parses a reading verb's flags (--query, and --json unless `takes_json`
// is false); on a usage error, reports it and sets *exit_status.
std::optional<ParsedArgs> ParseReadArgs(const std::string& verb,
                                        const std::vector<std::string>& args,
                                        std::vector<FlagSpec> accepted,
                                        ReadOptions* options, int* exit_status,
                                        bool takes_json = true) {
  accepted.push_back({"query"});
  if (takes_json) accepted.push_back({"json", false});
  auto parsed = ParseArgs(args, accepted);
  if (!parsed.ok()) {
    *exit_status = Usage(verb + ": " + std::string(parsed.status().message()));
    return std::nullopt;
  }
  options->query_address = parsed->GetString("query", options->query_address);
  options->json = parsed->GetBool("json");
  return *std::move(parsed);
}

// Reads --from and --to; false (after reporting) when either is malformed.
bool GetRange(const std::string& verb, const ParsedArgs& parsed,
              std::optional<absl::Time>* from, std::optional<absl::Time>* to,
              int* exit_status) {
  for (const auto& [name, time] : {std::pair{"from", from}, std::pair{"to", to}}) {
    auto value = parsed.GetTime(name);
    if (!value.ok()) {
      *exit_status = Usage(verb + ": " + std::string(value.status().message()));
      return false;
    }
    *time = *value;
  }
  return true;
}

int Read(const std::string& verb, const std::vector<std::string>& args,
         const ClientSecurity& security) {
  ReadOptions options;
  options.security = security;
  int exit_status = 0;
  if (verb == "get") {
    auto parsed = ParseReadArgs(verb, args, {}, &options, &exit_status);
    if (!parsed) return exit_status;
    if (parsed->arguments().size() != 1) return Usage("get: give exactly one ID");
    return RunGet(options, parsed->arguments()[0], std::cout, std::cerr);
  }
  if (verb == "list") {
    auto parsed = ParseReadArgs(
        verb, args, {{"source"}, {"from"}, {"to"}, {"limit"}, {"oldest-first", false}},
        &options, &exit_status);
    if (!parsed) return exit_status;
    if (!parsed->arguments().empty()) return Usage("list: takes no arguments");
    ListOptions list;
    list.source = parsed->GetString("source");
    list.oldest_first = parsed->GetBool("oldest-first");
    auto limit = parsed->GetInt("limit", list.limit, 1, 1'000'000);
    if (!limit.ok()) return Usage("list: " + std::string(limit.status().message()));
    list.limit = *limit;
    if (!GetRange(verb, *parsed, &list.from, &list.to, &exit_status)) return exit_status;
    return RunList(options, list, std::cout, std::cerr);
  }
  if (verb == "search") {
    auto parsed = ParseReadArgs(verb, args, {{"source"}, {"from"}, {"to"}, {"limit"}},
                                &options, &exit_status);
    if (!parsed) return exit_status;
    if (parsed->arguments().empty()) return Usage("search: give the QUERY to look for");
    SearchOptions search;
    for (const std::string& word : parsed->arguments()) {
      if (!search.words.empty()) search.words += ' ';
      search.words += word;
    }
    search.source = parsed->GetString("source");
    auto limit = parsed->GetInt("limit", search.limit, 1, 10'000);
    if (!limit.ok()) return Usage("search: " + std::string(limit.status().message()));
    search.limit = *limit;
    if (!GetRange(verb, *parsed, &search.from, &search.to, &exit_status)) {
      return exit_status;
    }
    return RunSearch(options, search, std::cout, std::cerr);
  }
  if (verb == "count") {
    auto parsed = ParseReadArgs(verb, args,
                                {{"source"}, {"from"}, {"to"}, {"by"}, {"time-zone"},
                                 {"split-source", false}, {"top"}, {"csv", false}},
                                &options, &exit_status);
    if (!parsed) return exit_status;
    CountOptions count;
    for (const std::string& word : parsed->arguments()) {
      if (!count.query.empty()) count.query += ' ';
      count.query += word;
    }
    count.source = parsed->GetString("source");
    auto interval = ParseCountInterval(parsed->GetString("by", "day"));
    if (!interval.ok()) return Usage("count: " + std::string(interval.status().message()));
    count.interval = *interval;
    count.time_zone = parsed->GetString("time-zone");
    count.split_by_source = parsed->GetBool("split-source");
    auto top = parsed->GetInt("top", count.top_sources, 1, 100);
    if (!top.ok()) return Usage("count: " + std::string(top.status().message()));
    count.top_sources = *top;
    if (options.json && parsed->GetBool("csv")) return Usage("count: --json or --csv, not both");
    count.format = options.json             ? CountFormat::kJson
                   : parsed->GetBool("csv") ? CountFormat::kCsv
                                            : CountFormat::kTable;
    if (!GetRange(verb, *parsed, &count.from, &count.to, &exit_status)) return exit_status;
    return RunCount(options, count, std::cout, std::cerr);
  }
  auto parsed = ParseReadArgs(verb, args, {}, &options, &exit_status);
  if (!parsed) return exit_status;
  if (!parsed->arguments().empty()) return Usage(verb + ": takes no arguments");
  return verb == "sources" ? RunSources(options, std::cout, std::cerr)
                           : RunStats(options, std::cout, std::cerr);
}

// The signal that asked export to stop, 0 while none did.
volatile std::sig_atomic_t export_stop_signal = 0;

extern "C" void OnExportStopSignal(int signal_number) {
  export_stop_signal = signal_number;
}

int Export(const std::vector<std::string>& args, const ClientSecurity& security) {
  ReadOptions read;
  read.security = security;
  int exit_status = 0;
  auto parsed = ParseReadArgs("export", args,
                              {{"source"}, {"from"}, {"to"}, {"format"},
                               {"output", true, 'o'}, {"page_token"}},
                              &read, &exit_status, /*takes_json=*/false);
  if (!parsed) return exit_status;
  if (!parsed->arguments().empty()) return Usage("export: takes no arguments");
  if (!parsed->Has("format")) return Usage("export: give --format=warc or --format=jsonl");
  auto format = ParseExportFormat(parsed->GetString("format"));
  if (!format.ok()) return Usage("export: " + std::string(format.status().message()));
  ExportOptions options;
  options.format = *format;
  options.source = parsed->GetString("source");
  if (!GetRange("export", *parsed, &options.from, &options.to, &exit_status)) {
    return exit_status;
  }
  options.output_path = parsed->GetString("output");
  options.page_token = parsed->GetString("page_token");
  options.progress = ::isatty(STDERR_FILENO);
  options.out_is_terminal = ::isatty(STDOUT_FILENO);
  // The first SIGINT or SIGTERM lets the page being written finish; a
  // second one ends archivectl at once.
  struct sigaction action = {};
  action.sa_handler = OnExportStopSignal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  options.stop_signal = [] { return static_cast<int>(export_stop_signal); };
  return RunExport(read, options, std::cout, std::cerr);
}

int Health(const std::vector<std::string>& args, const ClientSecurity& security) {
  auto parsed = ParseArgs(args, {{"wait"}});
  if (!parsed.ok()) return Usage("health: " + std::string(parsed.status().message()));
  auto wait = parsed->GetInt("wait", 0, 0, 3600);
  if (!wait.ok()) return Usage("health: " + std::string(wait.status().message()));
  return RunHealth(parsed->arguments(), absl::Seconds(*wait), security, std::cout, std::cerr);
}

int Verify(const std::vector<std::string>& args, const ClientSecurity& security) {
  auto parsed = ParseArgs(args, {{"stores"}, {"replicas"}, {"json", false}});
  if (!parsed.ok()) return Usage("verify: " + std::string(parsed.status().message()));
  if (!parsed->arguments().empty()) return Usage("verify: takes no arguments");
  auto stores = store::ParseStoreList(parsed->GetString("stores", "127.0.0.1:50052"));
  if (!stores.ok()) return Usage("verify: " + std::string(stores.status().message()));
  auto replicas = parsed->GetInt("replicas", 0, 0, static_cast<int>(stores->size()));
  if (!replicas.ok()) return Usage("verify: " + std::string(replicas.status().message()));
  return RunVerify(*stores, *replicas, parsed->GetBool("json"), security, std::cout,
                   std::cerr);
}

int Rebalance(const std::vector<std::string>& args, const ClientSecurity& security) {
  auto parsed = ParseArgs(args, {{"stores"}, {"replicas"}, {"drain"}});
  if (!parsed.ok()) return Usage("rebalance: " + std::string(parsed.status().message()));
  if (!parsed->arguments().empty()) return Usage("rebalance: takes no arguments");
  auto stores = store::ParseStoreList(parsed->GetString("stores", ""));
  if (!stores.ok()) return Usage("rebalance: " + std::string(stores.status().message()));
  auto replicas = parsed->GetInt("replicas", 1, 1, 1 << 20);
  absl::Status valid = replicas.ok()
                           ? store::ValidateReplicas(*replicas, stores->size())
                           : replicas.status();
  if (!valid.ok()) return Usage("rebalance: " + std::string(valid.message()));
  PlacementOptions options;
  options.security = security;
  options.stores = *stores;
  options.replicas = *replicas;
  const std::string drain = parsed->GetString("drain", "");
  if (!drain.empty()) {
    auto drained = store::ParseStoreList(drain);
    if (!drained.ok()) {
      return Usage("rebalance: --drain: " + std::string(drained.status().message()));
    }
    for (const std::string& address : *drained) {
      if (std::find(stores->begin(), stores->end(), address) != stores->end()) {
        return Usage("rebalance: --drain: " + address + " is also in --stores");
      }
    }
    options.drain = *drained;
  }
  return RunRebalance(std::move(options), std::cout, std::cerr);
}

int Main(int argc, char** argv) {
  // archivectl writes through iostreams alone: unsynchronized, std::cin
  // reads a pipe a buffer at a time, not a character at a time.
  std::ios::sync_with_stdio(false);
  // The security flags may come before the verb too, so that a script can
  // keep them in one prefix ("archivectl --tls_ca=... --token_file=...").
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<ClientSecurity> security = TakeSecurityArgs(&args);
  if (!security.ok()) return Usage(std::string(security.status().message()));
  if (args.empty()) return Usage("");
  const std::string verb = args.front();
  args.erase(args.begin());
  if (verb == "feed") return Feed(args, *security);
  if (verb == "health") return Health(args, *security);
  if (verb == "verify") return Verify(args, *security);
  if (verb == "rebalance") return Rebalance(args, *security);
  if (verb == "export") return Export(args, *security);
  if (verb == "get" || verb == "list" || verb == "search" || verb == "count" ||
      verb == "sources" || verb == "stats") {
    return Read(verb, args, *security);
  }
  if (verb == "help" || verb == "--help" || verb == "-h") {
    std::cout << kUsage;
    return 0;
  }
  return Usage("unknown verb \"" + verb + "\"");
}

}  // namespace
}  // namespace archive::cli

int main(int argc, char** argv) { return archive::cli::Main(argc, argv); }
