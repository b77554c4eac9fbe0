// archive.v1.Query on gRPC's callback API: every read fans out to every
// store and merges, never blocking a thread while it waits.
//
//  - GetArticle asks the store that rendezvous hashing of the id picks
//    (common/rendezvous.h), where ingest put the article under the same
//    --stores; when that store does not return it (it may have been stored
//    under another list of stores, or the store may have failed), every
//    other store. NOT_FOUND only when all say so.
//  - ListArticles merges the stores' pages by (published_at, id), emitting
//    only what every store has shown up to (so a store whose page was cut
//    short is never overtaken), and resumes after the last article returned.
//  - SearchArticles sums the stores' collection statistics into global ones
//    (so BM25 scores agree across stores), asks every store for its best
//    hits after the cursor, and merges by (score, recency, id), never
//    emitting past the last hit of a store that has more (its page cut by
//    the limit or by its byte budget). The statistics of the first page
//    travel in the page token, so every page of one search ranks alike.
//    Each store makes its hits' snippets and trims them to the view asked
//    for, so the text of hits in BASIC never reaches this server (hits from
//    a store of an earlier release get their snippets made here).
//  - With R replicas (docs/REPLICATION.md), every read answers completely
//    while at most R-1 stores fail, and takes copies of one article once
//    (query/frontier_merge.h); counts and search statistics summed over
//    copies are divided by R (estimated from the stores that answered while
//    some are down). With R or more stores failing, the read fails
//    (UNAVAILABLE, naming them) rather than return an incomplete answer.
// Every call honours its deadline, bounded by store_timeout.
#ifndef QUERY_QUERY_SERVICE_H_
#define QUERY_QUERY_SERVICE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/admission_gate.h"
#include "common/time_buckets.h"
#include "store/store_client.h"
#include "store/store_health.h"

namespace archive::query {

struct QueryServiceOptions {
  // Copies of each article across the stores (ingest's --replicas): reads
  // answer completely while fewer than this many stores fail.
  int replicas = 1;
  int default_page_size = 50;
  int max_page_size = 1000;
  absl::Duration store_timeout = absl::Seconds(10);
};

class QueryService final : public v1::Query::CallbackService {
 public:
  QueryService(std::vector<store::StoreEndpoint> stores, QueryServiceOptions options);

  grpc::ServerUnaryReactor* GetArticle(grpc::CallbackServerContext* context,
                                       const v1::GetArticleRequest* request,
                                       v1::Article* response) override;
  grpc::ServerUnaryReactor* ListArticles(grpc::CallbackServerContext* context,
                                         const v1::ListArticlesRequest* request,
                                         v1::ListArticlesResponse* response) override;
  grpc::ServerUnaryReactor* SearchArticles(
      grpc::CallbackServerContext* context, const v1::SearchArticlesRequest* request,
      v1::SearchArticlesResponse* response) override;
  grpc::ServerUnaryReactor* ListSources(grpc::CallbackServerContext* context,
                                        const v1::ListSourcesRequest* request,
                                        v1::ListSourcesResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const v1::GetStatsRequest* request,
                                     v1::GetStatsResponse* response) override;
  grpc::ServerUnaryReactor* CountArticles(grpc::CallbackServerContext* context,
                                          const v1::CountArticlesRequest* request,
                                          v1::CountArticlesResponse* response) override;

  // Closed when the server begins to shut down: a read that starts after
  // that is refused UNAVAILABLE.
  AdmissionGate* admission_gate() { return &admission_gate_; }

 private:
  absl::Time Deadline(const grpc::CallbackServerContext* context) const;

  // GetArticle's second step, after stores_[owner] answered `owner_reply`
  // (a failure): every other store asked for `get.id()`, and the reactor
  // finished with the article or with why there is none.
  void GetFromEveryStore(const v1::GetRequest& get, absl::Time deadline, size_t owner,
                         const absl::Status& owner_reply,
                         grpc::ServerUnaryReactor* reactor, v1::Article* response);

  // One round of CountArticles: every store asked for `count`, by ownership
  // among `answering` when set; when a store counted on fails (fewer than
  // the replicas in all), another round by ownership among those that
  // answered; then the merge (query/count_merge.h) finishes `reactor`.
  void CountRound(std::shared_ptr<v1::CountRequest> count, v1::CountArticlesRequest request,
                  TimeBuckets buckets, absl::Time deadline,
                  std::optional<std::vector<bool>> answering,
                  grpc::ServerUnaryReactor* reactor, v1::CountArticlesResponse* response);

  // Every store's per-source summaries, merged by source name (in name
  // order), or the first store's failure.
  void CollectSources(
      absl::Time deadline,
      std::function<void(absl::StatusOr<std::vector<v1::SourceSummary>>)> done);

  const std::vector<store::StoreEndpoint> stores_;
  // Their names, for rendezvous hashing.
  const std::vector<std::string> store_names_;
  const QueryServiceOptions options_;
  // With replicas, which stores to pass over (see FanOut); null with one
  // copy, where every read needs every store anyway.
  const std::unique_ptr<store::StoreHealth> health_;
  AdmissionGate admission_gate_;
};

}  // namespace archive::query

#endif  // QUERY_QUERY_SERVICE_H_
