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

std::string Json(const google::protobuf::Message& message) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json);
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
