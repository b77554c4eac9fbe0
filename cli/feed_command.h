// archivectl feed: streams articles from files (or standard input) to the
// ingest server over SubmitStream and reports what became of each.
//
// Memory stays flat whatever the input's size: files are read a line at a
// time, no line held beyond a bound derived from max_article_bytes, and the
// stream's flow control holds the reader back while the server is busy. An
// article over max_article_bytes, or a line or paragraph that cannot fit in
// one, is reported as rejected and not sent. Exit status as the contract says: 0 when every article was
// stored or was a duplicate, 1 when some were rejected (each reported as
// FILE:LINE: reason on stderr), 2 for a usage error, an unreadable file or
// an unreachable server (also when the stream breaks: the articles without
// an answer were not acknowledged and may be fed again safely).
#ifndef CLI_FEED_COMMAND_H_
#define CLI_FEED_COMMAND_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "cli/input_format.h"
#include "common/article_rules.h"
#include "common/tls.h"

namespace archive::cli {

struct FeedOptions {
  std::string ingest_address = "127.0.0.1:50051";
  ClientSecurity security = PlaintextClient();
  // The outlet of text input, and of JSONL articles that name none.
  std::string source;
  InputFormat format = InputFormat::kAuto;
  // One JSON object a line on `out` instead of the summary.
  bool json = false;
  // Paths; "-" is standard input.
  std::vector<std::string> files;
  // Show a progress line on `err` (when it is a terminal).
  bool progress = false;
  // The largest article sent: its title, body and captions together, in
  // bytes. A larger one is reported and skipped, and no input is read more
  // than a line of MaxJsonlLineBytes of it at a time. Must match ingest's
  // --max_article_bytes when that is changed: a larger limit here sends
  // articles that ingest rejects, a smaller one skips articles it takes.
  size_t max_article_bytes = kDefaultMaxArticleBytes;
};

// Runs the command and returns its exit status.
int RunFeed(const FeedOptions& options, std::ostream& out, std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_FEED_COMMAND_H_
