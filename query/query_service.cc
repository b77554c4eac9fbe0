#include "query/query_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/article_view.h"
#include "common/fingerprint.h"
#include "common/grpc_status.h"
#include "common/hit_order.h"
#include "common/proto_time.h"
#include "common/rendezvous.h"
#include "common/snippet.h"
#include "query/fan_out.h"
#include "query/page_token.h"
#include "query/search_query.h"

namespace archive::query {
namespace {

constexpr int kDefaultSearchPageSize = 10;
constexpr int kMaxSearchPageSize = 100;

// An article's place in time order: published_at, then id. It refers to the
// article's id, so it is valid while the article is unchanged.
using Position = std::tuple<int64_t, int32_t, std::string_view>;

Position PositionOf(const v1::Article& article) {
  return {article.published_at().seconds(), article.published_at().nanos(),
          article.id()};
}

std::string TimeText(bool set, const google::protobuf::Timestamp& time) {
  return set ? absl::StrCat(time.seconds(), ".", time.nanos()) : "";
}

absl::Status CheckRange(bool has_start, const google::protobuf::Timestamp& start,
                        bool has_end, const google::protobuf::Timestamp& end) {
  for (const auto& [set, time, field] :
       {std::tuple(has_start, &start, "start_time"),
        std::tuple(has_end, &end, "end_time")}) {
    if (set && (time->nanos() < 0 || time->nanos() >= 1'000'000'000)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": nanos out of range"));
    }
  }
  if (has_start && has_end && TimestampLess(end, start)) {
    return absl::InvalidArgumentError("start_time: after end_time");
  }
  return absl::OkStatus();
}

// The filters that lists and searches share: a well-formed source when one
// is given, and a valid time range.
template <typename Request>
absl::Status CheckFilters(const Request& request) {
  if (!request.source().empty()) {
    absl::Status source = ValidateSource(request.source(), "source");
    if (!source.ok()) return source;
  }
  return CheckRange(request.has_start_time(), request.start_time(),
                    request.has_end_time(), request.end_time());
}

absl::StatusOr<int> PageSize(int requested, int fallback, int max) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  return requested == 0 ? fallback : std::min(requested, max);
}

// Ranking order of search hits: score descending, newest first, then id.
bool RanksBefore(const v1::StoreHit& a, const v1::StoreHit& b) {
  return HitRanksBefore(a.score(), a.article().published_at(), a.article().id(),
                        b.score(), b.article().published_at(), b.article().id());
}

// Why none of `replies` (none OK) is the article `id`: a store's failure,
// naming it (damage outranks absence; either outranks silence), or
// NOT_FOUND when every store said so.
absl::Status NoArticle(const std::vector<store::StoreEndpoint>& stores,
                       const Replies<v1::Article>& replies, const std::string& id) {
  absl::Status failure;
  for (size_t s = 0; s < replies.size(); ++s) {
    const absl::StatusCode code = replies[s].status().code();
    if (code != absl::StatusCode::kNotFound &&
        (failure.ok() || code == absl::StatusCode::kDataLoss)) {
      failure = absl::Status(code, absl::StrCat("store ", stores[s].name, ": ",
                                                replies[s].status().message()));
    }
  }
  return failure.ok() ? absl::NotFoundError(absl::StrCat("no article with id ", id))
                      : failure;
}

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

QueryService::QueryService(std::vector<store::StoreEndpoint> stores,
                           QueryServiceOptions options)
    : stores_(std::move(stores)),
      store_names_(store::StoreNames(stores_)),
      options_(options) {}

absl::Time QueryService::Deadline(const grpc::CallbackServerContext* context) const {
  const absl::Time bound = absl::Now() + options_.store_timeout;
  const auto deadline = context->deadline();
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    return bound;
  }
  return std::min(bound, absl::FromChrono(deadline));
}

grpc::ServerUnaryReactor* QueryService::GetArticle(
    grpc::CallbackServerContext* context, const v1::GetArticleRequest* request,
    v1::Article* response) {
  if (!admission_gate_.open()) return FinishNow(context, AdmissionGate::Refusal());
  if (!IsWellFormedId(request->id())) {
    return FinishNow(context, absl::InvalidArgumentError(
                                  "id: must be 32 lower-case hex digits"));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::GetRequest get;
  get.set_id(request->id());
  const absl::Time deadline = Deadline(context);
  const size_t owner = PickStore(get.id(), store_names_);
  stores_[owner].client->GetAsync(
      get, deadline,
      [this, reactor, response, get, deadline, owner](absl::StatusOr<v1::Article> reply) {
        if (reply.ok()) {
          *response = *std::move(reply);
          reactor->Finish(grpc::Status::OK);
          return;
        }
        GetFromEveryStore(get, deadline, owner, reply.status(), reactor, response);
      });
  return reactor;
}

void QueryService::GetFromEveryStore(const v1::GetRequest& get, absl::Time deadline,
                                     size_t owner, const absl::Status& owner_reply,
                                     grpc::ServerUnaryReactor* reactor,
                                     v1::Article* response) {
  const store::StoreClient* const asked = stores_[owner].client.get();
  FanOut<v1::Article>(
      stores_,
      [&get, deadline, asked, &owner_reply](
          store::StoreClient* client, store::StoreClient::Callback<v1::Article> done) {
        // The owner has answered already.
        if (client == asked) {
          done(owner_reply);
        } else {
          client->GetAsync(get, deadline, std::move(done));
        }
      },
      [this, reactor, response, id = get.id()](Replies<v1::Article> replies) {
        for (absl::StatusOr<v1::Article>& reply : replies) {
          if (reply.ok()) {
            *response = *std::move(reply);
            reactor->Finish(grpc::Status::OK);
            return;
          }
        }
        reactor->Finish(ToGrpcStatus(NoArticle(stores_, replies, id)));
      });
}

grpc::ServerUnaryReactor* QueryService::ListArticles(
    grpc::CallbackServerContext* context, const v1::ListArticlesRequest* request,
    v1::ListArticlesResponse* response) {
  if (!admission_gate_.open()) return FinishNow(context, AdmissionGate::Refusal());
  absl::StatusOr<int> page_size = PageSize(request->page_size(),
                                           options_.default_page_size,
                                           options_.max_page_size);
  if (!page_size.ok()) return FinishNow(context, page_size.status());
  absl::Status filters = CheckFilters(*request);
  if (!filters.ok()) return FinishNow(context, filters);
  absl::Status view_valid = ValidateArticleView(request->view());
  if (!view_valid.ok()) return FinishNow(context, view_valid);

  const bool oldest_first = request->oldest_first();
  const std::string fingerprint = QueryFingerprint(
      {"list", request->source(),
       TimeText(request->has_start_time(), request->start_time()),
       TimeText(request->has_end_time(), request->end_time()),
       oldest_first ? "oldest" : "newest"});
  v1::ScanRequest scan;
  scan.set_source(request->source());
  if (request->has_start_time()) *scan.mutable_start_time() = request->start_time();
  if (request->has_end_time()) *scan.mutable_end_time() = request->end_time();
  scan.set_page_size(*page_size);
  scan.set_oldest_first(oldest_first);
  scan.set_view(request->view());
  if (!request->page_token().empty()) {
    absl::StatusOr<PageTokenBody> token =
        DecodePageToken(request->page_token(), fingerprint);
    if (!token.ok()) return FinishNow(context, token.status());
    v1::ScanCursor cursor;
    cursor.mutable_published_at()->set_seconds(token->seconds());
    cursor.mutable_published_at()->set_nanos(token->nanos());
    cursor.set_id(token->id());
    scan.set_page_token(cursor.SerializeAsString());
  }

  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time deadline = Deadline(context);
  const int limit = *page_size;
  FanOut<v1::ScanResponse>(
      stores_,
      [&scan, deadline](store::StoreClient* client,
                        store::StoreClient::Callback<v1::ScanResponse> done) {
        client->ScanAsync(scan, deadline, std::move(done));
      },
      [this, reactor, response, limit, oldest_first,
       fingerprint](Replies<v1::ScanResponse> replies) {
        absl::Status status = AllSucceeded(stores_, replies);
        if (!status.ok()) {
          reactor->Finish(ToGrpcStatus(status));
          return;
        }
        // `earlier(a, b)`: a comes first in the requested order.
        auto earlier = [oldest_first](const Position& a, const Position& b) {
          return oldest_first ? a < b : b < a;
        };
        size_t total = 0;
        for (const auto& reply : replies) total += reply->articles_size();
        std::vector<v1::Article*> merged;
        merged.reserve(total);
        std::optional<Position> frontier;  // no store has shown beyond it
        bool more = false;
        for (auto& reply : replies) {
          for (v1::Article& article : *reply->mutable_articles()) {
            merged.push_back(&article);
          }
          if (!reply->next_page_token().empty() && reply->articles_size() > 0) {
            more = true;
            const Position last = PositionOf(*reply->articles().rbegin());
            if (!frontier.has_value() || earlier(last, *frontier)) frontier = last;
          }
        }
        std::sort(merged.begin(), merged.end(),
                  [&earlier](const v1::Article* a, const v1::Article* b) {
                    return earlier(PositionOf(*a), PositionOf(*b));
                  });
        size_t emitted = 0;
        while (emitted < merged.size() && emitted < static_cast<size_t>(limit) &&
               (!frontier.has_value() ||
                !earlier(*frontier, PositionOf(*merged[emitted])))) {
          ++emitted;
        }
        more = more || emitted < merged.size();
        // Moved (swapped, not copied) once no position refers to them.
        response->mutable_articles()->Reserve(static_cast<int>(emitted));
        for (size_t i = 0; i < emitted; ++i) {
          *response->add_articles() = std::move(*merged[i]);
        }
        if (more && emitted > 0) {
          const v1::Article& last = *response->articles().rbegin();
          PageTokenBody token;
          token.set_query_fingerprint(fingerprint);
          token.set_seconds(last.published_at().seconds());
          token.set_nanos(last.published_at().nanos());
          token.set_id(last.id());
          response->set_next_page_token(EncodePageToken(std::move(token)));
        }
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* QueryService::SearchArticles(
    grpc::CallbackServerContext* context, const v1::SearchArticlesRequest* request,
    v1::SearchArticlesResponse* response) {
  if (!admission_gate_.open()) return FinishNow(context, AdmissionGate::Refusal());
  absl::StatusOr<int> page_size =
      PageSize(request->page_size(), kDefaultSearchPageSize, kMaxSearchPageSize);
  if (!page_size.ok()) return FinishNow(context, page_size.status());
  absl::StatusOr<SearchQuery> query = ParseSearchQuery(request->query());
  if (!query.ok()) return FinishNow(context, query.status());
  absl::Status filters = CheckFilters(*request);
  if (!filters.ok()) return FinishNow(context, filters);
  absl::Status view_valid = ValidateArticleView(request->view());
  if (!view_valid.ok()) return FinishNow(context, view_valid);
  const v1::ArticleView view = request->view();

  std::vector<std::string> fingerprint_parts = {
      "search", request->source(),
      TimeText(request->has_start_time(), request->start_time()),
      TimeText(request->has_end_time(), request->end_time())};
  fingerprint_parts.insert(fingerprint_parts.end(), query->terms.begin(),
                           query->terms.end());
  for (const auto& phrase : query->phrases) {
    fingerprint_parts.push_back("\"");
    fingerprint_parts.insert(fingerprint_parts.end(), phrase.begin(), phrase.end());
  }
  const std::string fingerprint = QueryFingerprint(fingerprint_parts);

  // Asked of every store: one more hit than the page, to know if there are
  // more.
  auto search = std::make_shared<v1::SearchRequest>();
  for (const std::string& term : query->terms) search->add_terms(term);
  for (const auto& phrase : query->phrases) {
    auto* p = search->add_phrases();
    for (const std::string& term : phrase) p->add_terms(term);
  }
  search->set_source(request->source());
  if (request->has_start_time()) *search->mutable_start_time() = request->start_time();
  if (request->has_end_time()) *search->mutable_end_time() = request->end_time();
  search->set_limit(*page_size + 1);
  // The stores make the snippets and trim the hits to the view, so that
  // hits asked for in BASIC come from them without their text.
  search->set_snippets(true);
  search->set_view(view);

  std::optional<PageTokenBody> token;
  if (!request->page_token().empty()) {
    absl::StatusOr<PageTokenBody> decoded =
        DecodePageToken(request->page_token(), fingerprint);
    if (!decoded.ok()) return FinishNow(context, decoded.status());
    token = *std::move(decoded);
    v1::SearchCursor* after = search->mutable_after();
    after->set_score(token->score());
    after->mutable_published_at()->set_seconds(token->seconds());
    after->mutable_published_at()->set_nanos(token->nanos());
    after->set_id(token->id());
    v1::TermStatistics* global = search->mutable_global();
    global->set_document_count(token->document_count());
    global->set_total_terms(token->total_terms());
    *global->mutable_document_frequency() = token->document_frequency();
  }

  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time deadline = Deadline(context);
  const int limit = *page_size;
  const std::vector<std::string> terms = query->terms;

  // Second step: every store's best hits under the global statistics.
  auto run_search = [this, reactor, response, search, deadline, limit, terms,
                     fingerprint, view]() {
    FanOut<v1::SearchResponse>(
        stores_,
        [search, deadline](store::StoreClient* client,
                           store::StoreClient::Callback<v1::SearchResponse> done) {
          client->SearchAsync(*search, deadline, std::move(done));
        },
        [this, reactor, response, search, limit, terms, fingerprint,
         view](Replies<v1::SearchResponse> replies) {
          absl::Status status = AllSucceeded(stores_, replies);
          if (!status.ok()) {
            reactor->Finish(ToGrpcStatus(status));
            return;
          }
          std::vector<v1::StoreHit*> merged;
          // A store with more hits than it sent (cut by `limit` or by its
          // byte budget) may rank any of them right after its last one, so
          // nothing ranked after the earliest such last hit is emitted.
          std::optional<v1::StoreHit> frontier;  // score, published_at, id
          bool more = false;
          for (auto& reply : replies) {
            for (v1::StoreHit& hit : *reply->mutable_hits()) merged.push_back(&hit);
            if (reply->has_more() && reply->hits_size() > 0) {
              more = true;
              const v1::StoreHit& last = *reply->hits().rbegin();
              if (!frontier.has_value() || RanksBefore(last, *frontier)) {
                frontier.emplace();
                frontier->set_score(last.score());
                *frontier->mutable_article()->mutable_published_at() =
                    last.article().published_at();
                frontier->mutable_article()->set_id(last.article().id());
              }
            }
          }
          std::sort(merged.begin(), merged.end(),
                    [](const v1::StoreHit* a, const v1::StoreHit* b) {
                      return RanksBefore(*a, *b);
                    });
          size_t emitted = 0;
          while (emitted < merged.size() && emitted < static_cast<size_t>(limit) &&
                 (!frontier.has_value() || !RanksBefore(*frontier, *merged[emitted]))) {
            ++emitted;
          }
          more = more || emitted < merged.size();
          for (size_t i = 0; i < emitted; ++i) {
            v1::SearchHit* hit = response->add_hits();
            hit->set_score(merged[i]->score());
            // A store of an earlier release ignores `snippets` (and `view`).
            hit->set_snippet(merged[i]->has_snippet()
                                 ? std::move(*merged[i]->mutable_snippet())
                                 : MakeSnippet(merged[i]->article(), terms));
            *hit->mutable_article() = std::move(*merged[i]->mutable_article());
            ApplyArticleView(view, hit->mutable_article());
          }
          if (more && emitted > 0) {
            const v1::SearchHit& last = *response->hits().rbegin();
            PageTokenBody token;
            token.set_query_fingerprint(fingerprint);
            token.set_score(last.score());
            token.set_seconds(last.article().published_at().seconds());
            token.set_nanos(last.article().published_at().nanos());
            token.set_id(last.article().id());
            // The statistics every store scored with: the global ones, or
            // with a single store asked without them, that store's own.
            const v1::TermStatistics& used =
                search->has_global() ? search->global() : replies[0]->statistics();
            token.set_document_count(used.document_count());
            token.set_total_terms(used.total_terms());
            *token.mutable_document_frequency() = used.document_frequency();
            response->set_next_page_token(EncodePageToken(std::move(token)));
          }
          reactor->Finish(grpc::Status::OK);
        });
  };
  // A later page scores with the statistics its token carries; a first page
  // on a single store with that store's own, which it reports with its hits
  // (SearchResponse.statistics), so the Stats step would add only a round
  // trip.
  if (token.has_value() || stores_.size() == 1) {
    run_search();
    return reactor;
  }

  // First step: the collection statistics, summed over every store.
  v1::StatsRequest stats;
  for (const std::string& term : query->terms) stats.add_terms(term);
  stats.set_term_statistics_only(true);
  FanOut<v1::StatsResponse>(
      stores_,
      [&stats, deadline](store::StoreClient* client,
                         store::StoreClient::Callback<v1::StatsResponse> done) {
        client->StatsAsync(stats, deadline, std::move(done));
      },
      [this, reactor, search, run_search](Replies<v1::StatsResponse> replies) {
        absl::Status status = AllSucceeded(stores_, replies);
        if (!status.ok()) {
          reactor->Finish(ToGrpcStatus(status));
          return;
        }
        v1::TermStatistics* global = search->mutable_global();
        for (const auto& reply : replies) {
          const v1::TermStatistics& local = reply->term_statistics();
          global->set_document_count(global->document_count() + local.document_count());
          global->set_total_terms(global->total_terms() + local.total_terms());
          for (const auto& [term, count] : local.document_frequency()) {
            (*global->mutable_document_frequency())[term] += count;
          }
        }
        run_search();
      });
  return reactor;
}

void QueryService::CollectSources(
    absl::Time deadline,
    std::function<void(absl::StatusOr<std::vector<v1::SourceSummary>>)> done) {
  FanOut<v1::StatsResponse>(
      stores_,
      [deadline](store::StoreClient* client,
                 store::StoreClient::Callback<v1::StatsResponse> reply) {
        client->StatsAsync(v1::StatsRequest(), deadline, std::move(reply));
      },
      [this, done = std::move(done)](Replies<v1::StatsResponse> replies) {
        absl::Status status = AllSucceeded(stores_, replies);
        if (!status.ok()) {
          done(status);
          return;
        }
        std::map<std::string, v1::SourceSummary> sources;
        for (const auto& reply : replies) {
          for (const v1::SourceSummary& part : reply->sources()) {
            auto [it, fresh] = sources.emplace(part.source(), part);
            if (fresh) continue;
            v1::SourceSummary& sum = it->second;
            sum.set_article_count(sum.article_count() + part.article_count());
            sum.set_total_bytes(sum.total_bytes() + part.total_bytes());
            if (TimestampLess(part.oldest(), sum.oldest())) {
              *sum.mutable_oldest() = part.oldest();
            }
            if (TimestampLess(sum.newest(), part.newest())) {
              *sum.mutable_newest() = part.newest();
            }
          }
        }
        std::vector<v1::SourceSummary> merged;
        for (auto& [name, summary] : sources) merged.push_back(std::move(summary));
        done(std::move(merged));
      });
}

grpc::ServerUnaryReactor* QueryService::ListSources(
    grpc::CallbackServerContext* context, const v1::ListSourcesRequest* /*request*/,
    v1::ListSourcesResponse* response) {
  if (!admission_gate_.open()) return FinishNow(context, AdmissionGate::Refusal());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CollectSources(Deadline(context),
                 [reactor, response](absl::StatusOr<std::vector<v1::SourceSummary>> sources) {
                   if (sources.ok()) {
                     for (v1::SourceSummary& source : *sources) {
                       *response->add_sources() = std::move(source);
                     }
                   }
                   reactor->Finish(ToGrpcStatus(sources.status()));
                 });
  return reactor;
}

grpc::ServerUnaryReactor* QueryService::GetStats(
    grpc::CallbackServerContext* context, const v1::GetStatsRequest* /*request*/,
    v1::GetStatsResponse* response) {
  if (!admission_gate_.open()) return FinishNow(context, AdmissionGate::Refusal());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CollectSources(
      Deadline(context),
      [this, reactor, response](absl::StatusOr<std::vector<v1::SourceSummary>> sources) {
        if (!sources.ok()) {
          reactor->Finish(ToGrpcStatus(sources.status()));
          return;
        }
        bool any = false;
        for (const v1::SourceSummary& source : *sources) {
          response->set_article_count(response->article_count() + source.article_count());
          response->set_total_bytes(response->total_bytes() + source.total_bytes());
          if (source.article_count() == 0) continue;
          if (!any || TimestampLess(source.oldest(), response->oldest())) {
            *response->mutable_oldest() = source.oldest();
          }
          if (!any || TimestampLess(response->newest(), source.newest())) {
            *response->mutable_newest() = source.newest();
          }
          any = true;
        }
        response->set_source_count(sources->size());
        response->set_store_count(static_cast<uint32_t>(stores_.size()));
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

}  // namespace archive::query
