#include "cli/read_commands.h"

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/grpc_server.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace archive::cli {
namespace {

constexpr int kArticles = 7;
// The fake serves at most this many items a page, whatever is asked.
constexpr int kMaxServedPage = 3;

v1::Article ArticleNumber(int i) {
  v1::Article article;
  article.set_id(absl::StrCat("id", i));
  article.set_source("example.org");
  article.set_title(absl::StrCat("Title ", i));
  article.mutable_published_at()->set_seconds(1'700'000'000 - i);
  // One that ingest dated by its crawl time, one the publisher dated.
  if (i == 1) article.set_date_source(v1::DATE_SOURCE_CRAWL_TIME);
  if (i == 2) article.set_date_source(v1::DATE_SOURCE_PUBLISHER);
  return article;
}

// An article as a hostile page might make it: terminal escapes, a C1
// control and a bidi override in every field shown, its date from the text.
v1::Article HostileArticle() {
  v1::Article article;
  article.set_id("0123456789abcdef0123456789abcdef");
  article.set_source("evil\x1b[2J.example");
  article.set_url("https://evil.example/\x1b]0;owned\x07");
  article.set_title("Title \x1b[2J\xc2\x9b" "31m \u202eevil");
  article.set_body("First line.\nSecond\tline \x1b[31mred\r.\n\nLast\x7f.");
  article.add_captions("Caption \u2066isolated\u2069");
  article.add_authors("By \x1b[8mhidden");
  article.set_date_source(v1::DATE_SOURCE_TEXT);
  article.mutable_published_at()->set_seconds(1'673'568'000);  // 2023-01-13
  v1::Sighting* seen = article.add_sightings();
  seen->set_source("mirror\x1b.example");
  return article;
}

// A query server with kArticles articles that serves short pages and keeps
// every request it is sent; source "hostile.example" holds HostileArticle,
// the one article GetArticle knows. Thread-safe.
class FakeQuery final : public v1::Query::Service {
 public:
  grpc::Status GetArticle(grpc::ServerContext* /*context*/,
                          const v1::GetArticleRequest* request,
                          v1::Article* response) override {
    if (request->id() != HostileArticle().id()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no article " + request->id());
    }
    *response = HostileArticle();
    return grpc::Status::OK;
  }

  grpc::Status ListSources(grpc::ServerContext* /*context*/,
                           const v1::ListSourcesRequest* /*request*/,
                           v1::ListSourcesResponse* response) override {
    v1::SourceSummary* source = response->add_sources();
    source->set_source(HostileArticle().source());
    source->set_article_count(1);
    return grpc::Status::OK;
  }

  grpc::Status ListArticles(grpc::ServerContext* /*context*/,
                            const v1::ListArticlesRequest* request,
                            v1::ListArticlesResponse* response) override {
    absl::MutexLock lock(&mutex_);
    lists_.push_back(*request);
    if (request->source() == "hostile.example") {
      *response->add_articles() = HostileArticle();
      return grpc::Status::OK;
    }
    const auto [from, to] = Page(request->page_token(), request->page_size());
    for (int i = from; i < to; ++i) *response->add_articles() = ArticleNumber(i);
    if (to < kArticles) response->set_next_page_token(absl::StrCat(to));
    return grpc::Status::OK;
  }

  grpc::Status SearchArticles(grpc::ServerContext* /*context*/,
                              const v1::SearchArticlesRequest* request,
                              v1::SearchArticlesResponse* response) override {
    absl::MutexLock lock(&mutex_);
    searches_.push_back(*request);
    if (request->query() == "nothing") return grpc::Status::OK;
    if (request->query() == "hostile") {
      v1::SearchHit* hit = response->add_hits();
      *hit->mutable_article() = HostileArticle();
      hit->set_snippet("a **snippet** \x1b[2J");
      return grpc::Status::OK;
    }
    response->set_total_size(kArticles);
    const auto [from, to] = Page(request->page_token(), request->page_size());
    for (int i = from; i < to; ++i) {
      v1::SearchHit* hit = response->add_hits();
      *hit->mutable_article() = ArticleNumber(i);
      hit->set_score(kArticles - i);
      hit->set_snippet(absl::StrCat("snippet ", i));
    }
    if (to < kArticles) response->set_next_page_token(absl::StrCat(to));
    return grpc::Status::OK;
  }

  // Three days of Berlin, the middle one empty; two sources, one hostile.
  grpc::Status CountArticles(grpc::ServerContext* /*context*/,
                             const v1::CountArticlesRequest* request,
                             v1::CountArticlesResponse* response) override {
    absl::MutexLock lock(&mutex_);
    counts_.push_back(*request);
    const int64_t day = 1'673'564'400;  // 2023-01-13 00:00 in Berlin (23:00 UTC)
    const std::vector<std::pair<uint64_t, uint64_t>> figures = {{8, 16}, {0, 0}, {2, 20}};
    for (size_t i = 0; i < figures.size(); ++i) {
      v1::CountBucket* bucket = response->add_buckets();
      bucket->mutable_start()->set_seconds(day + static_cast<int64_t>(i) * 86400);
      bucket->set_count(figures[i].first);
      bucket->set_total(figures[i].second);
      bucket->set_ratio(figures[i].second == 0 ? 0.0 : 1.0 * figures[i].first / figures[i].second);
    }
    response->set_count(10);
    response->set_total(36);
    response->set_ratio(10.0 / 36);
    for (const char* name : {"example.org", "evil\x1b[2J.example"}) {
      v1::SourceCount* source = response->add_top_sources();
      source->set_source(name);
      source->set_count(5);
      source->set_total(18);
      source->set_ratio(5.0 / 18);
      if (!request->split_by_source()) continue;
      *source->mutable_buckets() = response->buckets();
    }
    return grpc::Status::OK;
  }

  std::vector<v1::CountArticlesRequest> counts() {
    absl::MutexLock lock(&mutex_);
    return counts_;
  }
  std::vector<v1::ListArticlesRequest> lists() {
    absl::MutexLock lock(&mutex_);
    return lists_;
  }
  std::vector<v1::SearchArticlesRequest> searches() {
    absl::MutexLock lock(&mutex_);
    return searches_;
  }

 private:
  static std::pair<int, int> Page(const std::string& token, int page_size) {
    int from = 0;
    if (!token.empty()) {
      EXPECT_TRUE(absl::SimpleAtoi(token, &from)) << token;
    }
    return {from, std::min({kArticles, from + page_size, from + kMaxServedPage})};
  }

  absl::Mutex mutex_;
  std::vector<v1::ListArticlesRequest> lists_ ABSL_GUARDED_BY(mutex_);
  std::vector<v1::SearchArticlesRequest> searches_ ABSL_GUARDED_BY(mutex_);
  std::vector<v1::CountArticlesRequest> counts_ ABSL_GUARDED_BY(mutex_);
};

class ReadCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GrpcServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    auto server = GrpcServer::Start(server_options, {&query_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    options_.query_address = absl::StrCat("127.0.0.1:", server_->port());
    options_.timeout = absl::Seconds(10);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
  }

  FakeQuery query_;
  std::unique_ptr<GrpcServer> server_;
  ReadOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
};

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(ReadCommandsTest, ListFollowsPagesUpToTheLimit) {
  ListOptions list;
  list.limit = 5;
  ASSERT_EQ(RunList(options_, list, out_, err_), 0) << err_.str();
  EXPECT_EQ(Lines(out_.str()), 1 + 5) << out_.str();  // the header, 5 rows
  EXPECT_NE(out_.str().find("Title 4"), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("Title 5"), std::string::npos) << out_.str();
  const auto requests = query_.lists();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].page_size(), 5);
  EXPECT_EQ(requests[0].page_token(), "");
  EXPECT_EQ(requests[1].page_size(), 2);
  EXPECT_EQ(requests[1].page_token(), "3");
  EXPECT_FALSE(requests[0].has_start_time());
  EXPECT_FALSE(requests[0].has_end_time());
  // The table shows headlines: it asks for no text.
  for (const auto& request : requests) {
    EXPECT_EQ(request.view(), v1::ARTICLE_VIEW_BASIC);
  }
}

TEST_F(ReadCommandsTest, ListStopsAtTheLastPageAndSendsOnlyTheBoundsGiven) {
  ListOptions list;
  list.limit = 100;
  list.source = "example.org";
  list.oldest_first = true;
  list.from = absl::FromUnixSeconds(1'600'000'000);
  options_.json = true;
  ASSERT_EQ(RunList(options_, list, out_, err_), 0) << err_.str();
  EXPECT_EQ(Lines(out_.str()), kArticles) << out_.str();
  const auto requests = query_.lists();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].page_size(), 100 - 6);
  for (const auto& request : requests) {
    EXPECT_EQ(request.source(), "example.org");
    EXPECT_TRUE(request.oldest_first());
    EXPECT_EQ(request.start_time().seconds(), 1'600'000'000);
    EXPECT_FALSE(request.has_end_time());
    // --json prints whole articles.
    EXPECT_EQ(request.view(), v1::ARTICLE_VIEW_FULL);
  }
}

TEST_F(ReadCommandsTest, SearchNumbersHitsAcrossPages) {
  SearchOptions search;
  search.words = "japan";
  search.limit = 10;
  search.to = absl::FromUnixSeconds(1'800'000'000);
  ASSERT_EQ(RunSearch(options_, search, out_, err_), 0) << err_.str();
  // How many match, once, before the first hit.
  EXPECT_EQ(out_.str().find(absl::StrCat(kArticles, " articles match:\n\n")), 0u)
      << out_.str();
  for (int i = 0; i < kArticles; ++i) {
    EXPECT_NE(out_.str().find(absl::StrCat(" ", i + 1, ". Title ", i, "\n")),
              std::string::npos)
        << out_.str();
  }
  const auto requests = query_.searches();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].page_size(), 10);
  EXPECT_EQ(requests[1].page_size(), 7);
  EXPECT_EQ(requests[2].page_size(), 4);
  EXPECT_EQ(requests[2].page_token(), "6");
  EXPECT_EQ(requests[2].query(), "japan");
  EXPECT_FALSE(requests[2].has_start_time());
  EXPECT_EQ(requests[2].end_time().seconds(), 1'800'000'000);
  // The hits show title and snippet: it asks for no text.
  for (const auto& request : requests) {
    EXPECT_EQ(request.view(), v1::ARTICLE_VIEW_BASIC);
  }
}

TEST_F(ReadCommandsTest, SearchWithJsonAsksForWholeArticles) {
  SearchOptions search;
  search.words = "japan";
  search.limit = 3;
  options_.json = true;
  ASSERT_EQ(RunSearch(options_, search, out_, err_), 0) << err_.str();
  EXPECT_EQ(Lines(out_.str()), 3) << out_.str();
  ASSERT_FALSE(query_.searches().empty());
  for (const auto& request : query_.searches()) {
    EXPECT_EQ(request.view(), v1::ARTICLE_VIEW_FULL);
  }
}

TEST_F(ReadCommandsTest, SearchPageSizeIsCappedAndNoHitsSaySo) {
  SearchOptions search;
  search.words = "nothing";
  search.limit = 5000;
  ASSERT_EQ(RunSearch(options_, search, out_, err_), 0) << err_.str();
  EXPECT_EQ(out_.str(), "(no matches)\n");
  ASSERT_EQ(query_.searches().size(), 1u);
  EXPECT_EQ(query_.searches()[0].page_size(), 100);
}

TEST_F(ReadCommandsTest, AnUnreachableServerIsExitStatusTwo) {
  server_->Shutdown(absl::ZeroDuration());
  options_.timeout = absl::Seconds(2);
  EXPECT_EQ(RunList(options_, ListOptions(), out_, err_), 2);
  EXPECT_NE(err_.str().find("archivectl list: cannot reach the query server"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(RunSearch(options_, SearchOptions{"japan"}, out_, err_), 2);
  EXPECT_NE(err_.str().find("archivectl search: cannot reach"), std::string::npos)
      << err_.str();
}

// Whether `text` holds a byte a terminal would obey: a C0 control other
// than newline and tab, DEL, or the first byte of UTF-8's C1 controls and
// bidi controls.
bool HasTerminalControls(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      return true;
    }
    const std::string_view rest = std::string_view(text).substr(i, 3);
    for (const char* bidi : {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                             "\u2066", "\u2067", "\u2068", "\u2069"}) {
      if (rest == bidi) return true;
    }
  }
  return false;
}

TEST_F(ReadCommandsTest, GetShowsTerminalControlsEscapedAndTheDateSource) {
  ASSERT_EQ(RunGet(options_, HostileArticle().id(), out_, err_), 0) << err_.str();
  const std::string shown = out_.str();
  EXPECT_FALSE(HasTerminalControls(shown)) << shown;
  EXPECT_NE(shown.find("Title \\x1b[2J\\u009b31m \\u202eevil\n"), std::string::npos)
      << shown;
  EXPECT_NE(shown.find("evil\\x1b[2J.example · published 2023-01-13 (date from text)"),
            std::string::npos)
      << shown;
  // A body keeps its newlines and tabs.
  EXPECT_NE(shown.find("First line.\nSecond\tline \\x1b[31mred\\x0d.\n\nLast\\x7f."),
            std::string::npos)
      << shown;
  EXPECT_NE(shown.find("[Caption \\u2066isolated\\u2069]"), std::string::npos) << shown;
  EXPECT_NE(shown.find("by By \\x1b[8mhidden"), std::string::npos) << shown;
  EXPECT_NE(shown.find("mirror\\x1b.example"), std::string::npos) << shown;
}

TEST_F(ReadCommandsTest, GetWithJsonIsExact) {
  options_.json = true;
  ASSERT_EQ(RunGet(options_, HostileArticle().id(), out_, err_), 0) << err_.str();
  std::string json = out_.str();
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.back(), '\n');
  json.pop_back();
  v1::Article article;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &article).ok()) << json;
  EXPECT_EQ(article.SerializeAsString(), HostileArticle().SerializeAsString());
  // protobuf's JSON printer escapes the controls but for the bidi isolates,
  // which are escaped as JSON escapes: the same value, safe on a terminal.
  EXPECT_FALSE(HasTerminalControls(json)) << json;
  EXPECT_NE(json.find("Caption \\u2066isolated\\u2069"), std::string::npos) << json;
}

TEST_F(ReadCommandsTest, ErrorsFromTheServerAreShownEscaped) {
  EXPECT_EQ(RunGet(options_, "\x1b[2Jffffffffffffffffffffffffffffff", out_, err_), 1);
  EXPECT_NE(err_.str().find("no article \\x1b[2Jfff"), std::string::npos) << err_.str();
  EXPECT_FALSE(HasTerminalControls(err_.str())) << err_.str();
}

TEST_F(ReadCommandsTest, ListSearchAndSourcesShowTerminalControlsEscaped) {
  ListOptions list;
  list.source = "hostile.example";
  ASSERT_EQ(RunList(options_, list, out_, err_), 0) << err_.str();
  EXPECT_FALSE(HasTerminalControls(out_.str())) << out_.str();
  EXPECT_NE(out_.str().find("2023-01-13 (date from text)"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("Title \\x1b[2J\\u009b31m \\u202eevil"), std::string::npos)
      << out_.str();

  out_.str("");
  SearchOptions search;
  search.words = "hostile";
  ASSERT_EQ(RunSearch(options_, search, out_, err_), 0) << err_.str();
  EXPECT_FALSE(HasTerminalControls(out_.str())) << out_.str();
  EXPECT_NE(out_.str().find("a **snippet** \\x1b[2J"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("(date from text)"), std::string::npos) << out_.str();

  out_.str("");
  ASSERT_EQ(RunSources(options_, out_, err_), 0) << err_.str();
  EXPECT_FALSE(HasTerminalControls(out_.str())) << out_.str();
  EXPECT_NE(out_.str().find("evil\\x1b[2J.example"), std::string::npos) << out_.str();
}

TEST_F(ReadCommandsTest, ListSaysWhereADateCameFromWhenNotFromThePublisher) {
  ListOptions list;
  list.limit = 3;
  ASSERT_EQ(RunList(options_, list, out_, err_), 0) << err_.str();
  const std::vector<std::string> rows = absl::StrSplit(out_.str(), '\n');
  ASSERT_GE(rows.size(), 4u) << out_.str();
  EXPECT_EQ(rows[1].find(" ("), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(" (crawl time)"), std::string::npos) << rows[2];
  EXPECT_EQ(rows[3].find(" ("), std::string::npos) << rows[3];
}

CountOptions BerlinDays() {
  CountOptions count;
  count.query = "election";
  count.time_zone = "Europe/Berlin";
  return count;
}

TEST_F(ReadCommandsTest, CountPrintsBucketsInTheZoneWithBarsToScale) {
  ASSERT_EQ(RunCount(options_, BerlinDays(), out_, err_), 0) << err_.str();
  const std::string out = out_.str();
  EXPECT_NE(out.find("\"election\": 10 of 36 articles match (27.8%), by day, Europe/Berlin"),
            std::string::npos)
      << out;
  // Days named in Berlin, though they start at 23:00 UTC the day before.
  const std::vector<std::string> lines = absl::StrSplit(out, '\n');
  auto line_of = [&](const std::string& day) {
    for (const std::string& line : lines) {
      if (line.rfind(day, 0) == 0) return line;
    }
    ADD_FAILURE() << "no line for " << day << " in\n" << out;
    return std::string();
  };
  const std::string full = line_of("2023-01-13"), empty = line_of("2023-01-14"),
                    quarter = line_of("2023-01-15");
  EXPECT_NE(full.find("50.0%"), std::string::npos) << full;
  // 8 of the largest 8 fills 40 characters; 2 of 8 is 10; none is no bar.
  auto blocks = [](const std::string& line) {
    size_t n = 0;
    for (size_t at = line.find("█"); at != std::string::npos; at = line.find("█", at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(blocks(full), 40u) << full;
  EXPECT_EQ(blocks(quarter), 10u) << quarter;
  EXPECT_EQ(blocks(empty), 0u) << empty;
  EXPECT_EQ(empty.back(), '%') << "no trailing spaces: " << empty;
  // A source's name from the archive reaches the terminal escaped.
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("TOP SOURCES"), std::string::npos);

  const v1::CountArticlesRequest sent = query_.counts().at(0);
  EXPECT_EQ(sent.query(), "election");
  EXPECT_EQ(sent.time_zone(), "Europe/Berlin");
  EXPECT_EQ(sent.interval(), v1::COUNT_INTERVAL_DAY);
  EXPECT_EQ(sent.source_limit(), 10);
  EXPECT_FALSE(sent.has_start_time());
}

TEST_F(ReadCommandsTest, CountSplitBySourcePrintsEachSourcesSeries) {
  CountOptions count = BerlinDays();
  count.split_by_source = true;
  count.interval = v1::COUNT_INTERVAL_WEEK;
  count.from = absl::FromUnixSeconds(1'673'000'000);
  ASSERT_EQ(RunCount(options_, count, out_, err_), 0) << err_.str();
  EXPECT_NE(out_.str().find("example.org: 5 of 18 articles match (27.8%)\nWEEK OF"),
            std::string::npos)
      << out_.str();
  const v1::CountArticlesRequest sent = query_.counts().at(0);
  EXPECT_TRUE(sent.split_by_source());
  EXPECT_EQ(sent.interval(), v1::COUNT_INTERVAL_WEEK);
  EXPECT_EQ(sent.start_time().seconds(), 1'673'000'000);
}

TEST_F(ReadCommandsTest, CountCsvIsARowABucketAndJsonIsTheWholeAnswerWithZeros) {
  CountOptions count = BerlinDays();
  count.format = CountFormat::kCsv;
  count.split_by_source = true;
  ASSERT_EQ(RunCount(options_, count, out_, err_), 0) << err_.str();
  const std::vector<std::string> rows = absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 1u + 3 * 3);
  EXPECT_EQ(rows[0], "start,source,count,total,ratio");
  EXPECT_EQ(rows[1], "2023-01-13,(all),8,16,0.500000");
  EXPECT_EQ(rows[2], "2023-01-14,(all),0,0,0.000000");
  EXPECT_EQ(rows[4], "2023-01-13,example.org,8,16,0.500000");
  // CSV is for a spreadsheet, exact: the hostile name is not rewritten.
  EXPECT_EQ(rows[7].substr(0, 17), "2023-01-13,evil\x1b[");

  std::ostringstream json;
  count.format = CountFormat::kJson;
  count.split_by_source = false;
  ASSERT_EQ(RunCount(options_, count, json, err_), 0) << err_.str();
  v1::CountArticlesResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.str(), &parsed).ok()) << json.str();
  EXPECT_EQ(parsed.buckets_size(), 3);
  EXPECT_EQ(Lines(json.str()), 1);
  EXPECT_NE(json.str().find(
                "{\"count\":\"0\",\"total\":\"0\",\"ratio\":0,\"start\":\"2023-01-13T23:00:00Z\"}"),
            std::string::npos)
      << json.str();
}

TEST_F(ReadCommandsTest, CountRefusesAnUnknownZoneBeforeAsking) {
  CountOptions count = BerlinDays();
  count.time_zone = "Moon/Tranquility";
  EXPECT_EQ(RunCount(options_, count, out_, err_), 2);
  EXPECT_NE(err_.str().find("--time-zone: \"Moon/Tranquility\""), std::string::npos) << err_.str();
  EXPECT_TRUE(query_.counts().empty());
}

TEST(ParseCountIntervalTest, KnowsTheFourAndNamesTheFlagOtherwise) {
  EXPECT_EQ(*ParseCountInterval("week"), v1::COUNT_INTERVAL_WEEK);
  EXPECT_EQ(*ParseCountInterval("year"), v1::COUNT_INTERVAL_YEAR);
  EXPECT_NE(ParseCountInterval("Day").status().message().find("--by: \"Day\""),
            absl::string_view::npos);
}

}  // namespace
}  // namespace archive::cli
