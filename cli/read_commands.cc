#include "cli/read_commands.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "archive/v1/query.grpc.pb.h"
#include "cli/query_calls.h"
#include "cli/terminal_text.h"
#include "common/proto_time.h"
#include "google/protobuf/util/json_util.h"

namespace archive::cli {
namespace {

// Where a verb writes. Output for a person goes through TerminalStream, so
// that no text from the archive reaches a terminal raw; --json output goes
// out exactly as protobuf prints it (which escapes control characters
// itself). Error messages are for a person either way.
class Output {
 public:
  Output(const ReadOptions& options, std::ostream& out, std::ostream& err)
      : for_person_(out), err_(err), out_(options.json ? out : for_person_) {}

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  TerminalStream for_person_;
  TerminalStream err_;
  std::ostream& out_;
};

// With `zeros`, fields at their default are printed too: a count's empty
// bucket has "count": "0", as a script reading it expects.
std::string Json(const google::protobuf::Message& message, bool zeros = false) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = zeros;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return EscapeBidiIsolatesInJson(json);
}

std::string Day(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%d %H:%M", ToAbslTime(time), absl::UTCTimeZone());
}

// When an article was published, saying where the date came from when it
// was not from the publisher: "2023-01-13 (date from text)". `in_table` asks
// for the shorter form of list and search rows.
std::string Published(const v1::Article& article, bool in_table) {
  const google::protobuf::Timestamp& time = article.published_at();
  const std::string when = in_table ? Day(time) : FormatTimestamp(time);
  switch (article.date_source()) {
    case v1::DATE_SOURCE_TEXT:
      // A day: the text gives no time.
      return absl::FormatTime("%Y-%m-%d", ToAbslTime(time), absl::UTCTimeZone()) +
             " (date from text)";
    case v1::DATE_SOURCE_HTTP_LAST_MODIFIED:
      return when + (in_table ? " (HTTP date)" : " (HTTP Last-Modified)");
    case v1::DATE_SOURCE_CRAWL_TIME:
      return when + (in_table ? " (crawl time)" : " (crawl time; no date found)");
    default:
      return when;
  }
}

// One-line `text` cut to `width` characters, ending in "…" when cut.
std::string Clip(const std::string& text, size_t width) {
  std::vector<size_t> starts;  // byte offset of each character
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) starts.push_back(i);
  }
  if (starts.size() <= width) return text;
  return text.substr(0, starts[width - 1]) + "…";
}

const google::protobuf::RepeatedPtrField<v1::Article>& Items(
    const v1::ListArticlesResponse& page) {
  return page.articles();
}

const google::protobuf::RepeatedPtrField<v1::SearchHit>& Items(
    const v1::SearchArticlesResponse& page) {
  return page.hits();
}

// Calls `method` page after page, each call asking for what `limit` leaves
// (at most `max_page_size`) under a deadline of its own, until `limit` items
// are shown or the last page is in. `show(item, number)` prints one item,
// numbered from 1; `none` is printed for people when there is none;
// `first(page)`, when given, sees the first page before its items are shown.
// Returns the exit status (ReportQueryFailure's on an error).
template <typename Request, typename Response, typename Show>
int ShowPages(const std::string& verb, const ReadOptions& options,
              grpc::Status (v1::Query::Stub::*method)(grpc::ClientContext*,
                                                      const Request&, Response*),
              Request request, int limit, int max_page_size, const Show& show,
              const char* none, std::ostream& out, std::ostream& err,
              const std::function<void(const Response&)>& first = nullptr) {
  auto stub = ConnectQuery(options);
  int shown = 0;
  while (shown < limit) {
    request.set_page_size(std::min(limit - shown, max_page_size));
    grpc::ClientContext context;
    PrepareQueryCall(options, &context);
    Response page;
    grpc::Status status = ((*stub).*method)(&context, request, &page);
    if (!status.ok()) return ReportQueryFailure(verb, options, status, err);
    if (shown == 0 && first != nullptr) first(page);
    for (const auto& item : Items(page)) show(item, ++shown);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (!options.json && shown == 0) out << none << "\n";
  return 0;
}

}  // namespace

int RunGet(const ReadOptions& options, const std::string& id, std::ostream& raw_out,
           std::ostream& raw_err) {
  Output output(options, raw_out, raw_err);
  std::ostream& out = output.out();
  std::ostream& err = output.err();
  auto stub = ConnectQuery(options);
  grpc::ClientContext context;
  PrepareQueryCall(options, &context);
  v1::GetArticleRequest request;
  request.set_id(id);
  v1::Article article;
  grpc::Status status = stub->GetArticle(&context, request, &article);
  if (!status.ok()) return ReportQueryFailure("get", options, status, err);
  if (options.json) {
    out << Json(article) << "\n";
    return 0;
  }
  out << article.title() << "\n"
      << article.source() << " · published " << Published(article, /*in_table=*/false);
  if (!article.url().empty()) out << " · " << article.url();
  out << "\nid " << article.id() << "\n";
  if (!article.near_duplicate_of().empty()) {
    out << "near duplicate of " << article.near_duplicate_of() << "\n";
  }
  for (const std::string& author : article.authors()) out << "by " << author << "\n";
  for (const std::string& caption : article.captions()) out << "[" << caption << "]\n";
  out << "\n" << article.body() << "\n";
  if (article.sightings_size() > 0) {
    out << "\nalso seen:\n";
    for (const v1::Sighting& seen : article.sightings()) {
      out << "  " << FormatTimestamp(seen.crawled_at()) << "  " << seen.source();
      if (!seen.url().empty()) out << "  " << seen.url();
      out << "\n";
    }
  }
  return 0;
}

int RunList(const ReadOptions& options, const ListOptions& list, std::ostream& raw_out,
            std::ostream& raw_err) {
  Output output(options, raw_out, raw_err);
  std::ostream& out = output.out();
  std::ostream& err = output.err();
  v1::ListArticlesRequest request;
  request.set_source(list.source);
  request.set_oldest_first(list.oldest_first);
  SetTimeRange(list.from, list.to, &request);
  // The table shows headlines only; --json gives scripts whole articles.
  request.set_view(options.json ? v1::ARTICLE_VIEW_FULL : v1::ARTICLE_VIEW_BASIC);
  if (!options.json) {
    out << absl::StrFormat("%-29s  %-20s  %-32s  %s\n", "PUBLISHED", "SOURCE", "ID",
                           "TITLE");
  }
  return ShowPages(
      "list", options, &v1::Query::Stub::ListArticles, std::move(request), list.limit,
      1000,
      [&](const v1::Article& article, int /*number*/) {
        if (options.json) {
          out << Json(article) << "\n";
        } else {
          out << absl::StrFormat("%-29s  %-20s  %-32s  %s\n",
                                 Published(article, /*in_table=*/true),
                                 Clip(article.source(), 20), article.id(),
                                 Clip(article.title(), 70));
        }
      },
      "(no articles)", out, err);
}

int RunSearch(const ReadOptions& options, const SearchOptions& search,
              std::ostream& raw_out, std::ostream& raw_err) {
  Output output(options, raw_out, raw_err);
  std::ostream& out = output.out();
  std::ostream& err = output.err();
  v1::SearchArticlesRequest request;
  request.set_query(search.words);
  request.set_source(search.source);
  SetTimeRange(search.from, search.to, &request);
  // The hits show title and snippet; --json gives scripts whole articles.
  request.set_view(options.json ? v1::ARTICLE_VIEW_FULL : v1::ARTICLE_VIEW_BASIC);
  return ShowPages(
      "search", options, &v1::Query::Stub::SearchArticles, std::move(request),
      search.limit, 100,
      [&](const v1::SearchHit& hit, int number) {
        if (options.json) {
          out << Json(hit) << "\n";
          return;
        }
        const v1::Article& article = hit.article();
        out << absl::StrFormat("%2d. %s\n    %s · %s · score %.2f · %s\n    %s\n\n",
                               number, article.title(), article.source(),
                               Published(article, /*in_table=*/true), hit.score(),
                               article.id(),
                               hit.snippet());
      },
      "(no matches)", out, err,
      std::function<void(const v1::SearchArticlesResponse&)>(
          [&](const v1::SearchArticlesResponse& page) {
            if (options.json || page.hits().empty()) return;
            const uint64_t total = page.total_size();
            out << (total == 1 ? std::string("1 article matches")
                               : absl::StrCat(total, " articles match"))
                << (total > static_cast<uint64_t>(search.limit)
                        ? absl::StrCat(", the best ", search.limit, " first:\n\n")
                        : ":\n\n");
          }));
}

absl::StatusOr<v1::CountInterval> ParseCountInterval(const std::string& by) {
  if (by == "day") return v1::COUNT_INTERVAL_DAY;
  if (by == "week") return v1::COUNT_INTERVAL_WEEK;
  if (by == "month") return v1::COUNT_INTERVAL_MONTH;
  if (by == "year") return v1::COUNT_INTERVAL_YEAR;
  return absl::InvalidArgumentError(
      absl::StrCat("--by: \"", by, "\" is not day, week, month or year"));
}

namespace {

// A bucket's name in the request's zone: 2023-01-13, 2023-01-09 (a week's
// Monday), 2023-01, 2023.
std::string BucketLabel(const google::protobuf::Timestamp& start, v1::CountInterval interval,
                        const absl::TimeZone& zone) {
  const char* format = interval == v1::COUNT_INTERVAL_MONTH  ? "%Y-%m"
                       : interval == v1::COUNT_INTERVAL_YEAR ? "%Y"
                                                             : "%Y-%m-%d";
  return absl::FormatTime(format, ToAbslTime(start), zone);
}

std::string Percent(double ratio) { return absl::StrFormat("%.1f%%", ratio * 100); }

// A bar of `value` against `largest`, `width` characters at most, in
// eighths of a character.
std::string Bar(uint64_t value, uint64_t largest, int width) {
  if (largest == 0 || value == 0) return "";
  static const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  const uint64_t eighths =
      std::max<uint64_t>(1, value * static_cast<uint64_t>(width) * 8 / largest);
  std::string bar;
  for (uint64_t i = 0; i < eighths / 8; ++i) bar += "█";
  return bar + kEighths[eighths % 8];
}

void PrintBuckets(const google::protobuf::RepeatedPtrField<v1::CountBucket>& buckets,
                  v1::CountInterval interval, const absl::TimeZone& zone, std::ostream& out) {
  const char* heading = interval == v1::COUNT_INTERVAL_WEEK    ? "WEEK OF"
                        : interval == v1::COUNT_INTERVAL_MONTH ? "MONTH"
                        : interval == v1::COUNT_INTERVAL_YEAR  ? "YEAR"
                                                               : "DAY";
  uint64_t largest = 0;
  for (const v1::CountBucket& bucket : buckets) largest = std::max(largest, bucket.count());
  out << absl::StrFormat("%-10s  %9s  %9s  %6s\n", heading, "MATCHES", "TOTAL", "RATIO");
  for (const v1::CountBucket& bucket : buckets) {
    out << absl::StrFormat("%-10s  %9d  %9d  %6s", BucketLabel(bucket.start(), interval, zone),
                           bucket.count(), bucket.total(), Percent(bucket.ratio()));
    if (bucket.count() > 0) out << "  " << Bar(bucket.count(), largest, 40);
    out << "\n";
  }
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void PrintCsv(const v1::CountArticlesResponse& response, const CountOptions& count,
              const absl::TimeZone& zone, std::ostream& out) {
  auto rows = [&](const std::string& source,
                  const google::protobuf::RepeatedPtrField<v1::CountBucket>& buckets) {
    for (const v1::CountBucket& bucket : buckets) {
      out << BucketLabel(bucket.start(), count.interval, zone) << ",";
      if (count.split_by_source) out << CsvField(source) << ",";
      out << bucket.count() << "," << bucket.total() << ","
          << absl::StrFormat("%.6f", bucket.ratio()) << "\n";
    }
  };
  out << (count.split_by_source ? "start,source,count,total,ratio\n"
                                : "start,count,total,ratio\n");
  rows("(all)", response.buckets());
  if (!count.split_by_source) return;
  for (const v1::SourceCount& source : response.top_sources()) {
    rows(source.source(), source.buckets());
  }
}

}  // namespace

int RunCount(const ReadOptions& options, const CountOptions& count, std::ostream& raw_out,
             std::ostream& raw_err) {
  ReadOptions output_options = options;
  output_options.json = count.format != CountFormat::kTable;  // exact, not for a terminal
  Output output(output_options, raw_out, raw_err);
  std::ostream& out = output.out();
  std::ostream& err = output.err();
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!count.time_zone.empty() && !absl::LoadTimeZone(count.time_zone, &zone)) {
    err << "archivectl count: --time-zone: \"" << count.time_zone
        << "\" is no time zone (an IANA name such as Europe/Berlin)\n";
    return 2;
  }
  v1::CountArticlesRequest request;
  request.set_query(count.query);
  request.set_source(count.source);
  SetTimeRange(count.from, count.to, &request);
  request.set_interval(count.interval);
  request.set_time_zone(count.time_zone);
  request.set_split_by_source(count.split_by_source);
  request.set_source_limit(count.top_sources);
  auto stub = ConnectQuery(options);
  grpc::ClientContext context;
  PrepareQueryCall(options, &context);
  v1::CountArticlesResponse response;
  grpc::Status status = stub->CountArticles(&context, request, &response);
  if (!status.ok()) return ReportQueryFailure("count", options, status, err);

  if (count.format == CountFormat::kJson) {
    out << Json(response, /*zeros=*/true) << "\n";
    return 0;
  }
  if (count.format == CountFormat::kCsv) {
    PrintCsv(response, count, zone, out);
    return 0;
  }
  const std::string what = count.query.empty() ? "articles" : "\"" + count.query + "\"";
  out << absl::StrFormat("%s: %d of %d articles match (%s), by %s, %s\n\n", what,
                         response.count(), response.total(), Percent(response.ratio()),
                         count.interval == v1::COUNT_INTERVAL_WEEK    ? "week"
                         : count.interval == v1::COUNT_INTERVAL_MONTH ? "month"
                         : count.interval == v1::COUNT_INTERVAL_YEAR  ? "year"
                                                                      : "day",
                         count.time_zone.empty() ? "UTC" : count.time_zone);
  if (response.buckets().empty()) {
    out << "(no articles in the range)\n";
    return 0;
  }
  PrintBuckets(response.buckets(), count.interval, zone, out);
  if (response.top_sources().empty()) return 0;
  out << absl::StrFormat("\n%-30s  %9s  %9s  %6s\n", "TOP SOURCES", "MATCHES", "TOTAL",
                         "RATIO");
  uint64_t largest = response.top_sources(0).count();
  for (const v1::SourceCount& source : response.top_sources()) {
    out << absl::StrFormat("%-30s  %9d  %9d  %6s  %s\n", Clip(source.source(), 30),
                           source.count(), source.total(), Percent(source.ratio()),
                           Bar(source.count(), largest, 30));
  }
  for (const v1::SourceCount& source : response.top_sources()) {
    if (source.buckets().empty()) continue;
    out << absl::StrFormat("\n%s: %d of %d articles match (%s)\n", source.source(),
                           source.count(), source.total(), Percent(source.ratio()));
    PrintBuckets(source.buckets(), count.interval, zone, out);
  }
  return 0;
}

int RunSources(const ReadOptions& options, std::ostream& raw_out, std::ostream& raw_err) {
  Output output(options, raw_out, raw_err);
  std::ostream& out = output.out();
  std::ostream& err = output.err();
  auto stub = ConnectQuery(options);
  grpc::ClientContext context;
  PrepareQueryCall(options, &context);
  v1::ListSourcesResponse response;
  grpc::Status status =
      stub->ListSources(&context, v1::ListSourcesRequest(), &response);
  if (!status.ok()) return ReportQueryFailure("sources", options, status, err);
  if (!options.json) {
    out << absl::StrFormat("%-30s  %10s  %-16s  %-16s\n", "SOURCE", "ARTICLES", "OLDEST",
                           "NEWEST");
  }
  for (const v1::SourceSummary& source : response.sources()) {
    if (options.json) {
      out << Json(source) << "\n";
    } else {
      out << absl::StrFormat("%-30s  %10d  %-16s  %-16s\n", Clip(source.source(), 30),
                             source.article_count(), Day(source.oldest()),
                             Day(source.newest()));
    }
  }
  if (!options.json && response.sources_size() == 0) out << "(no sources yet)\n";
  return 0;
}

int RunStats(const ReadOptions& options, std::ostream& raw_out, std::ostream& raw_err) {
  Output output(options, raw_out, raw_err);
  std::ostream& out = output.out();
  std::ostream& err = output.err();
  auto stub = ConnectQuery(options);
  grpc::ClientContext context;
  PrepareQueryCall(options, &context);
  v1::GetStatsResponse stats;
  grpc::Status status = stub->GetStats(&context, v1::GetStatsRequest(), &stats);
  if (!status.ok()) return ReportQueryFailure("stats", options, status, err);
  if (options.json) {
    out << Json(stats) << "\n";
    return 0;
  }
  out << absl::StrFormat("articles  %d\nsources   %d\ntext      %.1f MB\nstores    %d\n",
                         stats.article_count(), stats.source_count(),
                         stats.total_bytes() / 1e6, stats.store_count());
  if (stats.article_count() > 0) {
    out << "oldest    " << FormatTimestamp(stats.oldest()) << "\n"
        << "newest    " << FormatTimestamp(stats.newest()) << "\n";
  }
  return 0;
}

}  // namespace archive::cli
