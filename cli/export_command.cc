#include "cli/export_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "archive/v1/query.grpc.pb.h"
#include "cli/terminal_text.h"
#include "cli/warc_writer.h"
#include "common/proto_time.h"
#include "google/protobuf/util/json_util.h"

namespace archive::cli {
namespace {

constexpr char kArticleContentType[] = "application/vnd.archive.article+json";

std::string Bound(const std::optional<absl::Time>& time) {
  return time.has_value() ? FormatTimestamp(ToProtoTimestamp(*time)) : "";
}

// Writes articles in the chosen format. Not thread-safe.
class ArticleSink {
 public:
  ArticleSink(std::ostream* out, ExportFormat format, bool gzip)
      : out_(out), format_(format), warc_(out, gzip) {}

  absl::Status WriteWarcInfo(const ExportOptions& options) {
    if (format_ != ExportFormat::kWarc) return absl::OkStatus();
    WarcRecord info;
    info.fields = {
        {"WARC-Type", "warcinfo"},
        {"WARC-Record-ID", RandomWarcRecordId()},
        {"WARC-Date",
         FormatTimestamp(ToProtoTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()))))},
        {"Content-Type", "application/warc-fields"}};
    info.block = absl::StrCat(
        "software: archivectl\r\n"
        "format: WARC File Format 1.1\r\n"
        "description: articles exported from the news archive\r\n"
        "x-archive-selection: source=", options.source, " from=", Bound(options.from),
        " to=", Bound(options.to), "\r\n");
    return warc_.Write(info);
  }

  absl::Status Write(const v1::Article& article) {
    std::string json;
    google::protobuf::util::Status printed =
        google::protobuf::util::MessageToJsonString(article, &json);
    if (!printed.ok()) {
      return absl::InternalError(absl::StrCat("article ", article.id(), ": ",
                                              printed.message().as_string()));
    }
    json += '\n';
    if (format_ == ExportFormat::kJsonl) {
      out_->write(json.data(), static_cast<std::streamsize>(json.size()));
      if (!out_->good()) return absl::DataLossError("writing the output failed");
      return absl::OkStatus();
    }
    WarcRecord record;
    const google::protobuf::Timestamp& crawled =
        article.has_crawled_at() ? article.crawled_at() : article.published_at();
    record.fields = {
        {"WARC-Type", "conversion"},
        {"WARC-Record-ID", NameBasedWarcRecordId("archive-article:" + article.id())},
        {"WARC-Date", FormatTimestamp(crawled)},
        {"WARC-Target-URI",
         article.url().empty() ? "urn:archive:article:" + article.id() : article.url()},
        {"Content-Type", kArticleContentType}};
    record.block = std::move(json);
    record.block_is_payload = true;
    absl::Status written = warc_.Write(record);
    if (!written.ok() && written.code() == absl::StatusCode::kInvalidArgument) {
      return absl::Status(written.code(),
                          absl::StrCat("article ", article.id(), ": ", written.message()));
    }
    return written;
  }

  absl::Status Flush() { return warc_.Flush(); }

 private:
  std::ostream* const out_;
  const ExportFormat format_;
  WarcWriter warc_;
};

// "N articles, X/s" on one line, rewritten in place.
class Progress {
 public:
  Progress(bool on, std::ostream& err) : on_(on), err_(err) {}

  void Update(int64_t articles) {
    if (!on_) return;
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    err_ << absl::StrFormat("\r%d articles, %.0f/s ", articles,
                            seconds > 0 ? articles / seconds : 0.0)
         << std::flush;
    shown_ = true;
  }

  // Ends the line, before a message or at the end.
  void End() {
    if (shown_) err_ << "\n";
    shown_ = false;
  }

  double Seconds() const { return absl::ToDoubleSeconds(absl::Now() - start_); }

 private:
  const bool on_;
  std::ostream& err_;
  const absl::Time start_ = absl::Now();
  bool shown_ = false;
};

}  // namespace

absl::StatusOr<ExportFormat> ParseExportFormat(const std::string& text) {
  if (text == "warc") return ExportFormat::kWarc;
  if (text == "jsonl") return ExportFormat::kJsonl;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: \"", text, "\" is neither warc nor jsonl"));
}

int RunExport(const ReadOptions& read, const ExportOptions& options,
              std::ostream& raw_out, std::ostream& raw_err) {
  // Messages may quote the server; progress is archivectl's own.
  TerminalStream err(raw_err);
  const bool to_stdout = options.output_path.empty() || options.output_path == "-";
  const bool warc = options.format == ExportFormat::kWarc;
  if (warc && to_stdout && options.out_is_terminal) {
    err << "archivectl export: WARC is not for a terminal: give -o FILE or "
           "redirect the output\n";
    return 2;
  }
  const bool gzip = !to_stdout && IsGzipWarcPath(options.output_path);
  if (gzip && !warc) {
    err << "archivectl export: -o " << options.output_path
        << ": --format=jsonl writes plain text, not gzip\n";
    return 2;
  }

  std::ofstream file;
  bool fresh = options.page_token.empty();
  if (!to_stdout) {
    struct stat info;
    if (!fresh && (::stat(options.output_path.c_str(), &info) != 0 || info.st_size == 0)) {
      fresh = true;
    }
    file.open(options.output_path, std::ios::binary | (options.page_token.empty()
                                                           ? std::ios::trunc
                                                           : std::ios::app));
    if (!file.is_open()) {
      err << "archivectl export: cannot open " << options.output_path << ": "
          << std::strerror(errno) << "\n";
      return 2;
    }
  }
  std::ostream& out = to_stdout ? raw_out : file;
  const std::string where = to_stdout ? "standard output" : options.output_path;
  ArticleSink sink(&out, options.format, gzip);
  Progress progress(options.progress, raw_err);

  // Reports a failure after flushing what is written; `resume_token` is
  // where an export that goes on starts, none when it would start afresh.
  auto stop = [&](int exit_status, const std::string& resume_token) {
    (void)sink.Flush();
    progress.End();
    if (!resume_token.empty()) {
      err << "archivectl export: interrupted; resume with --page_token="
          << resume_token << "\n";
    }
    return exit_status;
  };
  auto write_failed = [&](const absl::Status& status, const std::string& token) {
    progress.End();
    err << "archivectl export: writing " << where << ": " << status.message() << "\n";
    return stop(2, token);
  };

  if (fresh) {
    absl::Status info = sink.WriteWarcInfo(options);
    if (!info.ok()) return write_failed(info, options.page_token);
  }

  v1::ListArticlesRequest request;
  request.set_source(options.source);
  SetTimeRange(options.from, options.to, &request);
  request.set_oldest_first(true);
  request.set_view(v1::ARTICLE_VIEW_FULL);
  request.set_page_size(options.page_size);
  request.set_page_token(options.page_token);
  auto stub = ConnectQuery(read);
  int64_t written = 0;
  while (true) {
    grpc::ClientContext context;
    PrepareQueryCall(read, &context);
    v1::ListArticlesResponse page;
    grpc::Status status = stub->ListArticles(&context, request, &page);
    if (!status.ok()) {
      progress.End();
      return stop(ReportQueryFailure("export", read, status, err), request.page_token());
    }
    for (const v1::Article& article : page.articles()) {
      absl::Status article_written = sink.Write(article);
      if (!article_written.ok()) return write_failed(article_written, request.page_token());
      ++written;
    }
    progress.Update(written);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
    if (const int signal = options.stop_signal ? options.stop_signal() : 0; signal != 0) {
      return stop(128 + signal, request.page_token());
    }
  }
  absl::Status flushed = sink.Flush();
  if (!flushed.ok()) return write_failed(flushed, "");
  progress.End();
  if (options.progress) {
    raw_err << absl::StrFormat("%d articles to %s in %.1f s\n", written, where,
                               progress.Seconds());
  }
  return 0;
}

}  // namespace archive::cli
