#include "query/query_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/article_view.h"
#include "common/deterministic_bytes.h"
#include "common/fingerprint.h"
#include "common/grpc_status.h"
#include "common/page_size.h"
#include "common/hit_order.h"
#include "common/proto_time.h"
#include "common/rendezvous.h"
#include "common/snippet.h"
#include "query/count_merge.h"
#include "query/fan_out.h"
#include "query/frontier_merge.h"
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

// Ranking order of search hits: score descending, newest first, then id.
bool RanksBefore(const v1::StoreHit& a, const v1::StoreHit& b) {
  return HitRanksBefore(a.score(), a.article().published_at(), a.article().id(),
                        b.score(), b.article().published_at(), b.article().id());
}

// Why none of `replies` (none OK) is the article `id`: NOT_FOUND when every
// store said so, or when fewer than `replicas` did not (every article has a
// copy on `replicas` stores, so one of those that answered would hold it);
// else a store's failure, naming it (damage outranks silence).
absl::Status NoArticle(const std::vector<store::StoreEndpoint>& stores,
                       const Replies<v1::Article>& replies, const std::string& id,
                       int replicas) {
  absl::Status failure;
  int failed = 0;
  for (size_t s = 0; s < replies.size(); ++s) {
    const absl::StatusCode code = replies[s].status().code();
    if (code == absl::StatusCode::kNotFound) continue;
    ++failed;
    if (failure.ok() || code == absl::StatusCode::kDataLoss) {
      failure = absl::Status(code, absl::StrCat("store ", stores[s].name, ": ",
                                                replies[s].status().message()));
    }
  }
  if (failure.code() == absl::StatusCode::kDataLoss || failed >= replicas) return failure;
  return absl::NotFoundError(absl::StrCat("no article with id ", id));
}

// A count summed over copies, times CopyScale (query/fan_out.h): never 0
// for a count that was not.
uint64_t ScaleCount(uint64_t sum, double scale) {
  if (scale == 1.0 || sum == 0) return sum;
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(sum * scale)));
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
      options_(options),
      health_(options.replicas > 1
                  ? std::make_unique<store::StoreHealth>(store_names_)
                  : nullptr) {}

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
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    return FinishNow(context, admitted);
  }
  if (!IsWellFormedId(request->id())) {
    return FinishNow(context, absl::InvalidArgumentError(
                                  "id: must be 32 lower-case hex digits"));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::GetRequest get;
  get.set_id(request->id());
  const absl::Time deadline = Deadline(context);
  const size_t owner = PickStore(get.id(), store_names_);
  const absl::Time now = absl::Now();
  if (health_ != nullptr && health_->IsDown(owner, now)) {
    GetFromEveryStore(get, deadline, owner, PassedOver(), reactor, response);
    return reactor;
  }
  stores_[owner].client->GetAsync(
      get, StoreDeadline(health_.get(), now, deadline),
      [this, reactor, response, get, deadline, owner](absl::StatusOr<v1::Article> reply) {
        if (health_ != nullptr) health_->Report(owner, reply.status(), absl::Now());
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
      stores_, health_.get(), deadline,
      [&get, asked, &owner_reply](store::StoreClient* client, absl::Time store_deadline,
                                  store::StoreClient::Callback<v1::Article> done) {
        // The owner has answered already.
        if (client == asked) {
          done(owner_reply);
        } else {
          client->GetAsync(get, store_deadline, std::move(done));
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
        reactor->Finish(ToGrpcStatus(NoArticle(stores_, replies, id, options_.replicas)));
      });
}

grpc::ServerUnaryReactor* QueryService::ListArticles(
    grpc::CallbackServerContext* context, const v1::ListArticlesRequest* request,
    v1::ListArticlesResponse* response) {
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    return FinishNow(context, admitted);
  }
  absl::StatusOr<int> page_size = ResolvePageSize(
      request->page_size(), options_.default_page_size, options_.max_page_size);
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
      stores_, health_.get(), deadline,
      [&scan](store::StoreClient* client, absl::Time store_deadline,
              store::StoreClient::Callback<v1::ScanResponse> done) {
        client->ScanAsync(scan, store_deadline, std::move(done));
      },
      [this, reactor, response, limit, oldest_first,
       fingerprint](Replies<v1::ScanResponse> replies) {
        absl::Status status = EnoughSucceeded(stores_, replies, options_.replicas);
        if (!status.ok()) {
          reactor->Finish(ToGrpcStatus(status));
          return;
        }
        std::vector<StorePage<v1::Article>> pages;
        for (auto& reply : replies) {
          if (reply.ok()) {
            pages.push_back({reply->mutable_articles(), !reply->next_page_token().empty()});
          }
        }
        MergedPage<v1::Article> merged = MergeByFrontier(
            pages, static_cast<size_t>(limit),
            [oldest_first](const v1::Article& a, const v1::Article& b) {
              return oldest_first ? PositionOf(a) < PositionOf(b)
                                  : PositionOf(b) < PositionOf(a);
            },
            [](const v1::Article& a) { return a.id(); });
        const bool more = merged.more;
        const size_t emitted = merged.items.size();
        // Moved (swapped, not copied) once no position refers to them.
        response->mutable_articles()->Reserve(static_cast<int>(emitted));
        for (v1::Article* article : merged.items) {
          *response->add_articles() = std::move(*article);
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
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    return FinishNow(context, admitted);
  }
  absl::StatusOr<int> page_size =
      ResolvePageSize(request->page_size(), kDefaultSearchPageSize, kMaxSearchPageSize);
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
  // The query as parsed: the same tree, whatever spaces and case it was
  // typed with, takes the same tokens.
  fingerprint_parts.push_back(DeterministicBytes(query->root));
  const std::string fingerprint = QueryFingerprint(fingerprint_parts);

  // Asked of every store: one more hit than the page, to know if there are
  // more. Words and phrases that must all occur go as terms and phrases,
  // which every store release reads and which pass over blocks that cannot
  // make the page; any other query as its tree.
  auto search = std::make_shared<v1::SearchRequest>();
  for (const std::string& term : query->terms) search->add_terms(term);
  if (query->conjunctive) {
    for (const auto& phrase : query->phrases) {
      auto* p = search->add_phrases();
      for (const std::string& term : phrase) p->add_terms(term);
    }
  } else {
    *search->mutable_query() = query->root;
  }
  search->set_source(request->source());
  if (request->has_start_time()) *search->mutable_start_time() = request->start_time();
  if (request->has_end_time()) *search->mutable_end_time() = request->end_time();
  search->set_limit(*page_size + 1);
  // The first page counts the matches; later ones carry that count.
  search->set_count_matches(request->page_token().empty());
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
  std::optional<uint64_t> total_size;
  if (token.has_value()) total_size = token->total_size();
  auto run_search = [this, reactor, response, search, deadline, limit, terms,
                     fingerprint, view, total_size]() {
    FanOut<v1::SearchResponse>(
        stores_, health_.get(), deadline,
        [search](store::StoreClient* client, absl::Time store_deadline,
                 store::StoreClient::Callback<v1::SearchResponse> done) {
          client->SearchAsync(*search, store_deadline, std::move(done));
        },
        [this, reactor, response, search, limit, terms, fingerprint, view,
         total_size](Replies<v1::SearchResponse> replies) {
          // A query the stores refuse (a prefix of too many words) is the
          // caller's to change, whatever the other stores said.
          for (const auto& reply : replies) {
            if (reply.status().code() == absl::StatusCode::kInvalidArgument) {
              reactor->Finish(ToGrpcStatus(reply.status()));
              return;
            }
          }
          absl::Status status = EnoughSucceeded(stores_, replies, options_.replicas);
          if (!status.ok()) {
            reactor->Finish(ToGrpcStatus(status));
            return;
          }
          std::vector<StorePage<v1::StoreHit>> pages;
          uint64_t matches = 0;
          for (auto& reply : replies) {
            if (!reply.ok()) continue;
            pages.push_back({reply->mutable_hits(), reply->has_more()});
            matches += reply->match_count();
          }
          // Each article counted once, not once a copy.
          response->set_total_size(
              total_size.has_value()
                  ? *total_size
                  : ScaleCount(matches, CopyScale(stores_.size(), Answered(replies),
                                                  options_.replicas)));
          MergedPage<v1::StoreHit> merged = MergeByFrontier(
              pages, static_cast<size_t>(limit),
              [](const v1::StoreHit& a, const v1::StoreHit& b) { return RanksBefore(a, b); },
              [](const v1::StoreHit& hit) { return hit.article().id(); });
          const bool more = merged.more;
          const size_t emitted = merged.items.size();
          for (v1::StoreHit* store_hit : merged.items) {
            v1::SearchHit* hit = response->add_hits();
            hit->set_score(store_hit->score());
            // A store of an earlier release ignores `snippets` (and `view`).
            hit->set_snippet(store_hit->has_snippet()
                                 ? std::move(*store_hit->mutable_snippet())
                                 : MakeSnippet(store_hit->article(), terms));
            *hit->mutable_article() = std::move(*store_hit->mutable_article());
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
            token.set_total_size(response->total_size());
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
      stores_, health_.get(), deadline,
      [&stats](store::StoreClient* client, absl::Time store_deadline,
               store::StoreClient::Callback<v1::StatsResponse> done) {
        client->StatsAsync(stats, store_deadline, std::move(done));
      },
      [this, reactor, search, run_search](Replies<v1::StatsResponse> replies) {
        absl::Status status = EnoughSucceeded(stores_, replies, options_.replicas);
        if (!status.ok()) {
          reactor->Finish(ToGrpcStatus(status));
          return;
        }
        v1::TermStatistics* global = search->mutable_global();
        for (const auto& reply : replies) {
          if (!reply.ok()) continue;
          const v1::TermStatistics& local = reply->term_statistics();
          global->set_document_count(global->document_count() + local.document_count());
          global->set_total_terms(global->total_terms() + local.total_terms());
          for (const auto& [term, count] : local.document_frequency()) {
            (*global->mutable_document_frequency())[term] += count;
          }
        }
        // Each article counted once, not once a copy.
        const double scale = CopyScale(stores_.size(), Answered(replies), options_.replicas);
        global->set_document_count(ScaleCount(global->document_count(), scale));
        global->set_total_terms(ScaleCount(global->total_terms(), scale));
        for (auto& [term, count] : *global->mutable_document_frequency()) {
          count = ScaleCount(count, scale);
        }
        run_search();
      });
  return reactor;
}

void QueryService::CollectSources(
    absl::Time deadline,
    std::function<void(absl::StatusOr<std::vector<v1::SourceSummary>>)> done) {
  FanOut<v1::StatsResponse>(
      stores_, health_.get(), deadline,
      [](store::StoreClient* client, absl::Time store_deadline,
         store::StoreClient::Callback<v1::StatsResponse> reply) {
        client->StatsAsync(v1::StatsRequest(), store_deadline, std::move(reply));
      },
      [this, done = std::move(done)](Replies<v1::StatsResponse> replies) {
        absl::Status status = EnoughSucceeded(stores_, replies, options_.replicas);
        if (!status.ok()) {
          done(status);
          return;
        }
        std::map<std::string, v1::SourceSummary> sources;
        for (const auto& reply : replies) {
          if (!reply.ok()) continue;
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
        // Each article counted once, not once a copy.
        const double scale = CopyScale(stores_.size(), Answered(replies), options_.replicas);
        std::vector<v1::SourceSummary> merged;
        for (auto& [name, summary] : sources) {
          summary.set_article_count(ScaleCount(summary.article_count(), scale));
          summary.set_total_bytes(ScaleCount(summary.total_bytes(), scale));
          merged.push_back(std::move(summary));
        }
        done(std::move(merged));
      });
}

grpc::ServerUnaryReactor* QueryService::ListSources(
    grpc::CallbackServerContext* context, const v1::ListSourcesRequest* /*request*/,
    v1::ListSourcesResponse* response) {
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    return FinishNow(context, admitted);
  }
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
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    return FinishNow(context, admitted);
  }
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

grpc::ServerUnaryReactor* QueryService::CountArticles(
    grpc::CallbackServerContext* context, const v1::CountArticlesRequest* request,
    v1::CountArticlesResponse* response) {
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    return FinishNow(context, admitted);
  }
  if (absl::Status filters = CheckFilters(*request); !filters.ok()) {
    return FinishNow(context, filters);
  }
  if (request->source_limit() < 0) {
    return FinishNow(context, absl::InvalidArgumentError("source_limit: must not be negative"));
  }
  absl::StatusOr<TimeBuckets> buckets =
      TimeBuckets::Make(request->interval(), request->time_zone());
  if (!buckets.ok()) return FinishNow(context, buckets.status());
  auto count = std::make_shared<v1::CountRequest>();
  // An empty query counts every article of the filters.
  if (!absl::StripAsciiWhitespace(request->query()).empty()) {
    absl::StatusOr<SearchQuery> query = ParseSearchQuery(request->query());
    if (!query.ok()) return FinishNow(context, query.status());
    *count->mutable_query() = std::move(query->root);
  }
  count->set_source(request->source());
  if (request->has_start_time()) *count->mutable_start_time() = request->start_time();
  if (request->has_end_time()) *count->mutable_end_time() = request->end_time();
  count->set_interval(request->interval());
  count->set_time_zone(request->time_zone());
  count->set_split_by_source(request->split_by_source());

  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The first round: with every store up, each counts all it holds and the
  // sums are divided by the replicas; with some known down, by ownership
  // among the others.
  std::optional<std::vector<bool>> answering;
  if (health_ != nullptr) {
    const absl::Time now = absl::Now();
    std::vector<bool> up(stores_.size());
    for (size_t s = 0; s < stores_.size(); ++s) up[s] = !health_->IsDown(s, now);
    if (std::find(up.begin(), up.end(), false) != up.end()) answering = std::move(up);
  }
  CountRound(count, *request, *std::move(buckets), Deadline(context), std::move(answering),
             reactor, response);
  return reactor;
}

void QueryService::CountRound(std::shared_ptr<v1::CountRequest> count,
                              v1::CountArticlesRequest request, TimeBuckets buckets,
                              absl::Time deadline, std::optional<std::vector<bool>> answering,
                              grpc::ServerUnaryReactor* reactor,
                              v1::CountArticlesResponse* response) {
  auto only = answering.has_value() ? std::make_shared<std::vector<bool>>(*answering) : nullptr;
  FanOutEach<v1::CountResponse>(
      stores_, health_.get(), deadline,
      [this, count, only](size_t s, store::StoreClient* client, absl::Time store_deadline,
                          store::StoreClient::Callback<v1::CountResponse> done) {
        if (only == nullptr) {
          client->CountAsync(*count, store_deadline, std::move(done));
          return;
        }
        v1::CountRequest own = *count;
        v1::CountOwnership* ownership = own.mutable_ownership();
        for (const std::string& name : store_names_) ownership->add_stores(name);
        ownership->set_replicas(options_.replicas);
        ownership->set_self(static_cast<uint32_t>(s));
        for (size_t a = 0; a < only->size(); ++a) {
          if ((*only)[a]) ownership->add_answering(static_cast<uint32_t>(a));
        }
        client->CountAsync(std::move(own), store_deadline, std::move(done));
      },
      [this, count, request = std::move(request), buckets, deadline, only, reactor,
       response](Replies<v1::CountResponse> replies) mutable {
        for (const auto& reply : replies) {
          if (reply.status().code() == absl::StatusCode::kInvalidArgument) {
            reactor->Finish(ToGrpcStatus(reply.status()));
            return;
          }
        }
        absl::Status enough = EnoughSucceeded(stores_, replies, options_.replicas);
        if (!enough.ok()) {
          reactor->Finish(ToGrpcStatus(enough));
          return;
        }
        std::vector<bool> answered(replies.size());
        for (size_t s = 0; s < replies.size(); ++s) answered[s] = replies[s].ok();
        // A store that was counted on failed: its articles are counted
        // again, by ownership among the stores that did answer.
        const bool complete = only == nullptr
                                  ? std::find(answered.begin(), answered.end(), false) ==
                                        answered.end()
                                  : answered == *only;
        if (!complete) {
          CountRound(count, std::move(request), buckets, deadline, std::move(answered),
                     reactor, response);
          return;
        }
        CountMerge merge;
        for (const auto& reply : replies) {
          if (reply.ok()) merge.Add(*reply);
        }
        absl::StatusOr<v1::CountArticlesResponse> merged =
            merge.Finish(request, buckets, only == nullptr ? options_.replicas : 1);
        if (merged.ok()) *response = *std::move(merged);
        reactor->Finish(ToGrpcStatus(merged.status()));
      },
      only.get());
}

}  // namespace archive::query
