#include "cli/feed_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "archive/v1/ingest.grpc.pb.h"
#include "cli/jsonl_reader.h"
#include "cli/line_reader.h"
#include "cli/page_text_parser.h"
#include "cli/parsed_article.h"
#include "cli/sniffed_stream.h"
#include "cli/warc_article_reader.h"
#include "common/article_rules.h"
#include "common/mutex.h"
#include "common/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace archive::cli {
namespace {

// One input, opened and with its format decided before anything is sent.
// Every format reads it through `lines`, bounded by the longest JSONL line
// an article within the limit may take (the text parser bounds its own
// lines, paragraphs and articles more tightly).
struct Input {
  std::string name;  // as given; "-" reads as "<stdin>"
  std::unique_ptr<std::ifstream> file;
  std::unique_ptr<SniffedStream> stream;
  // For the formats read by line.
  std::unique_ptr<LineReader> lines;
  InputFormat format = InputFormat::kText;
  absl::Time crawled_at;
};

std::string JsonString(const std::string& text) {
  std::string quoted = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (c < 0x20) {
          quoted += absl::StrFormat("\\u%04x", c);
        } else {
          quoted += static_cast<char>(c);
        }
    }
  }
  return quoted + "\"";
}

// Where an article came from: a line, or for WARC a record's offset.
struct Origin {
  std::string file;
  int line = 0;
  int64_t offset = -1;

  std::string Where() const {
    return absl::StrCat(file, ":", offset >= 0 ? offset : int64_t{line});
  }
};

// Counts and prints outcomes; shared by the sending and receiving threads.
class Report {
 public:
  Report(const FeedOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err), started_(absl::Now()) {}

  void Record(const Origin& origin, const v1::SubmitResponse& response) {
    MutexLock lock(&mutex_);
    ++total_;
    switch (response.outcome()) {
      case v1::OUTCOME_STORED: ++stored_; break;
      case v1::OUTCOME_DUPLICATE: ++duplicate_; break;
      case v1::OUTCOME_NEAR_DUPLICATE: ++near_duplicate_; break;
      default: ++rejected_; break;
    }
    if (response.outcome() == v1::OUTCOME_REJECTED) {
      ClearProgress();
      err_ << origin.Where() << ": " << response.error() << "\n";
    }
    if (options_.json) {
      std::string fields;
      google::protobuf::util::JsonPrintOptions print;
      print.always_print_primitive_fields = true;
      (void)google::protobuf::util::MessageToJsonString(response, &fields, print);
      out_ << "{\"file\":" << JsonString(origin.file)
           << (origin.offset >= 0 ? ",\"offset\":" : ",\"line\":")
           << (origin.offset >= 0 ? origin.offset : int64_t{origin.line}) << ","
           << fields.substr(1) << "\n";
    }
    MaybeShowProgress();
  }

  // A line for the summary about one input (what a WARC file held).
  void AddInputSummary(std::string line) {
    MutexLock lock(&mutex_);
    input_summaries_.push_back(std::move(line));
  }

  void Note(const std::string& message) {
    MutexLock lock(&mutex_);
    ClearProgress();
    err_ << message << "\n";
  }

  bool any_rejected() {
    MutexLock lock(&mutex_);
    return rejected_ > 0;
  }

  void Summarize(int unanswered) {
    MutexLock lock(&mutex_);
    ClearProgress();
    const double seconds = absl::ToDoubleSeconds(absl::Now() - started_);
    std::ostream& to = options_.json ? err_ : out_;
    to << absl::StrFormat(
        "%d articles in %.1f s (%.0f/s): %d stored, %d duplicate, %d near "
        "duplicate, %d rejected",
        total_, seconds, seconds > 0 ? total_ / seconds : 0.0, stored_, duplicate_,
        near_duplicate_, rejected_);
    if (unanswered > 0) to << ", " << unanswered << " not acknowledged";
    to << "\n";
    for (const std::string& line : input_summaries_) to << line << "\n";
  }

 private:
  void MaybeShowProgress() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (!options_.progress) return;
    const absl::Time now = absl::Now();
    if (now - last_progress_ < absl::Milliseconds(200)) return;
    last_progress_ = now;
    const double seconds = absl::ToDoubleSeconds(now - started_);
    err_ << absl::StrFormat(
                "\r%d articles, %.0f/s: %d stored, %d duplicate, %d near "
                "duplicate, %d rejected\x1b[K",
                total_, seconds > 0 ? total_ / seconds : 0.0, stored_, duplicate_,
                near_duplicate_, rejected_)
         << std::flush;
    progress_shown_ = true;
  }

  void ClearProgress() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (progress_shown_) err_ << "\r\x1b[K";
    progress_shown_ = false;
  }

  const FeedOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  const absl::Time started_;
  Mutex mutex_;
  int total_ ABSL_GUARDED_BY(mutex_) = 0;
  int stored_ ABSL_GUARDED_BY(mutex_) = 0;
  int duplicate_ ABSL_GUARDED_BY(mutex_) = 0;
  int near_duplicate_ ABSL_GUARDED_BY(mutex_) = 0;
  int rejected_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<std::string> input_summaries_ ABSL_GUARDED_BY(mutex_);
  absl::Time last_progress_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  bool progress_shown_ ABSL_GUARDED_BY(mutex_) = false;
};

// Sends every article of every input; runs on its own thread.
class Sender {
 public:
  using Stream = grpc::ClientReaderWriterInterface<v1::SubmitRequest, v1::SubmitResponse>;

  Sender(const FeedOptions& options, std::vector<Input>* inputs, Stream* stream,
         Report* report)
      : options_(options), inputs_(inputs), stream_(stream), report_(report) {}

  void Run() {
    for (Input& input : *inputs_) {
      if (!SendInput(&input)) break;
    }
    stream_->WritesDone();
  }

  // The origin of the next response, in send order.
  bool PopOrigin(Origin* origin) {
    MutexLock lock(&mutex_);
    if (in_flight_.empty()) return false;
    *origin = std::move(in_flight_.front());
    in_flight_.pop_front();
    return true;
  }

  int unanswered() {
    MutexLock lock(&mutex_);
    return static_cast<int>(in_flight_.size());
  }

 private:
  // Sends an article read from `input`, or reports why it cannot be sent.
  // Returns false when the stream is broken.
  bool Take(const Input& input, ParsedArticle parsed) {
    if (parsed.problem.empty()) {
      const size_t bytes = ArticleTextBytes(parsed.article);
      // The text within the limit, and the whole request within ingest's
      // message limit (huge authors or URL), else it would end the stream.
      const size_t message_bytes = parsed.article.ByteSizeLong();
      const size_t max_message_bytes = MaxArticleMessageBytes(options_.max_article_bytes);
      if (bytes > options_.max_article_bytes) {
        parsed.problem = OverLimitProblem("article", bytes, options_.max_article_bytes);
        parsed.problem_line = parsed.line;
      } else if (message_bytes > max_message_bytes) {
        parsed.problem = OverLimitProblem("article with its other fields", message_bytes,
                                          max_message_bytes);
        parsed.problem_line = parsed.line;
      }
    }
    if (!parsed.problem.empty()) {
      v1::SubmitResponse rejected;
      rejected.set_outcome(v1::OUTCOME_REJECTED);
      rejected.set_error(parsed.problem);
      report_->Record({input.name, parsed.problem_line, parsed.offset}, rejected);
      return true;
    }
    const Origin origin{input.name, parsed.line, parsed.offset};
    // Ingest records an arrival's own sighting only, so an article that
    // comes with its sightings (an export) is sent once for each: the
    // first arrival, then each later one, which is a duplicate with that
    // sighting, as when it was crawled.
    google::protobuf::RepeatedPtrField<v1::Sighting> sightings;
    sightings.Swap(parsed.article.mutable_sightings());
    if (!Send(origin, parsed.article, input.crawled_at)) return false;
    for (v1::Sighting& sighting : sightings) {
      parsed.article.set_source(std::move(*sighting.mutable_source()));
      parsed.article.set_url(std::move(*sighting.mutable_url()));
      *parsed.article.mutable_crawled_at() = std::move(*sighting.mutable_crawled_at());
      if (!Send(origin, parsed.article, input.crawled_at)) return false;
    }
    return true;
  }

  // An article without published_at goes without: ingest dates it by its
  // crawl time and records that it did (date_source).
  bool Send(const Origin& origin, const v1::Article& article, absl::Time crawled_at) {
    v1::SubmitRequest request;
    *request.mutable_article() = article;
    v1::Article& sent = *request.mutable_article();
    if (sent.source().empty()) sent.set_source(options_.source);
    if (!sent.has_crawled_at()) *sent.mutable_crawled_at() = ToProtoTimestamp(crawled_at);
    {
      MutexLock lock(&mutex_);
      in_flight_.push_back(origin);
    }
    return stream_->Write(request);
  }

  bool SendInput(Input* input) {
    int articles = 0;
    ParsedArticle parsed;
    if (input->format == InputFormat::kWarc) {
      WarcArticleReader reader(input->stream.get(),
                               {options_.source, options_.max_article_bytes},
                               &revisits_);
      while (reader.Next(&parsed)) {
        ++articles;
        if (!Take(*input, std::move(parsed))) return false;
      }
      report_->AddInputSummary(absl::StrCat(input->name, ": ", reader.counts().Summary()));
      if (reader.bad()) {
        report_->Note(absl::StrCat(input->name, ": read error: ", std::strerror(errno)));
      }
      return true;
    }
    if (input->format == InputFormat::kJsonl) {
      JsonlReader reader(input->lines.get());
      while (reader.Next(&parsed)) {
        ++articles;
        if (!Take(*input, std::move(parsed))) return false;
      }
    } else {
      PageTextParser parser({options_.source, options_.max_article_bytes});
      while (parser.ReadNext(input->lines.get(), &parsed)) {
        ++articles;
        if (!Take(*input, std::move(parsed))) return false;
      }
    }
    if (input->lines->bad()) {
      report_->Note(absl::StrCat(input->name, ": read error: ", std::strerror(errno)));
    }
    if (articles == 0) report_->Note(absl::StrCat(input->name, ": no articles found"));
    return true;
  }

  const FeedOptions& options_;
  std::vector<Input>* inputs_;
  Stream* stream_;
  Report* report_;
  Mutex mutex_;
  std::deque<Origin> in_flight_ ABSL_GUARDED_BY(mutex_);
  // Shared by the WARC inputs of a run: a revisit in one file finds the
  // page in another.
  RevisitMemory revisits_;
};

}  // namespace

int RunFeed(const FeedOptions& options, std::ostream& out, std::ostream& err) {
  if (options.files.empty()) {
    err << "archivectl feed: name at least one FILE, or - for standard input\n";
    return 2;
  }
  std::vector<Input> inputs;
  for (const std::string& name : options.files) {
    Input input;
    input.name = name == "-" ? "<stdin>" : name;
    input.crawled_at = absl::Now();
    std::istream* in = &std::cin;
    if (name != "-") {
      struct stat info;
      if (::stat(name.c_str(), &info) != 0 || S_ISDIR(info.st_mode)) {
        err << "archivectl feed: cannot read " << name << ": "
            << (S_ISDIR(info.st_mode) ? "is a directory" : std::strerror(errno)) << "\n";
        return 2;
      }
      // A saved page's modification time is when it was crawled.
      input.crawled_at = std::min(absl::Now(), absl::FromTimeT(info.st_mtime));
      input.file = std::make_unique<std::ifstream>(name, std::ios::binary);
      if (!*input.file) {
        err << "archivectl feed: cannot read " << name << ": " << std::strerror(errno)
            << "\n";
        return 2;
      }
      in = input.file.get();
    }
    input.stream = std::make_unique<SniffedStream>(in, kWarcSignatureBytes);
    input.format = options.format;
    if (input.format == InputFormat::kAuto &&
        DetectFormat(input.stream->first_bytes()) == InputFormat::kWarc) {
      input.format = InputFormat::kWarc;
    }
    if (input.format != InputFormat::kWarc) {
      input.lines = std::make_unique<LineReader>(
          input.stream.get(), MaxJsonlLineBytes(options.max_article_bytes));
      if (input.format == InputFormat::kAuto) {
        input.format = DetectFormat(input.lines->PeekNonBlank());
      }
    }
    if (input.format == InputFormat::kText && options.source.empty()) {
      err << "archivectl feed: " << input.name
          << " is page text, which names no outlet: give --source (such as "
             "--source=aawsat.com)\n";
      return 2;
    }
    inputs.push_back(std::move(input));
  }

  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(16 << 20);
  auto channel = grpc::CreateCustomChannel(options.ingest_address,
                                           options.security.credentials, arguments);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(10))) {
    err << "archivectl feed: cannot reach the ingest server at "
        << options.ingest_address << "\n";
    return 2;
  }
  auto stub = v1::Ingest::NewStub(channel);
  grpc::ClientContext context;
  options.security.Prepare(&context);
  std::unique_ptr<Sender::Stream> stream = stub->SubmitStream(&context);

  Report report(options, out, err);
  Sender sender(options, &inputs, stream.get(), &report);
  std::thread sending([&sender] { sender.Run(); });
  v1::SubmitResponse response;
  while (stream->Read(&response)) {
    Origin origin;
    if (!sender.PopOrigin(&origin)) {
      context.TryCancel();
      break;
    }
    report.Record(origin, response);
  }
  sending.join();
  const grpc::Status status = stream->Finish();
  const int unanswered = sender.unanswered();
  report.Summarize(unanswered);
  if (!status.ok()) {
    err << "archivectl feed: the ingest stream failed: "
        << (status.error_code() == grpc::StatusCode::UNAVAILABLE ? "UNAVAILABLE: "
                                                                 : "")
        << status.error_message() << "\n";
    if (unanswered > 0) {
      err << "archivectl feed: " << unanswered
          << " articles were not acknowledged; feeding them again is safe\n";
    }
    return 2;
  }
  return report.any_rejected() ? 1 : 0;
}

}  // namespace archive::cli
