// SubmitPipeline: carries prepared articles to the stores, each to R of them.
//
// Each article goes through two stages, each batched across every
// concurrent caller:
//  1. lookup: one FindSimilar to every store for a batch of signatures and
//     ids, which finds near duplicates (plus a comparison with the articles
//     still on their way to a store, so two near duplicates in one stream
//     find each other) and which stores already hold the article;
//  2. Puts of copies, placed as docs/REPLICATION.md says: a re-crawl to the
//     stores that hold it, wherever they are; a new article to the first
//     `replicas` stores of its rendezvous ranking (common/rendezvous.h) that
//     are not known to be down, a copy that fails going on to the next store
//     of the ranking (a stand-in). An article is acknowledged once `replicas`
//     distinct stores hold it durably (a re-crawl: once every holder that can
//     be reached has its sighting); its outcome is the highest-ranked
//     acknowledging store's, which is what makes exactly one of concurrent
//     identical submits STORED.
// A stage sends a batch as soon as it has a free slot (max_*_in_flight), so
// an idle pipeline sends articles one by one and a busy one sends what
// accumulated while its slots were taken: batching without a timer.
//
// A Put that fails with UNAVAILABLE (or another transient error) marks its
// store down for a moment (initial_down, doubling to max_down while it keeps
// failing) so that the next copies go to stand-ins at once; when every store
// of the ranking that has no copy is down, the copy is retried with
// exponential backoff until the article's deadline (the caller's, or
// max_store_wait when the caller set none): Put is idempotent, so a retry
// never stores twice. An article that cannot reach enough stores ends
// UNAVAILABLE (DEADLINE_EXCEEDED when the caller's own deadline passed),
// never STORED.
// A store that fails a lookup is skipped for that batch (logged) and marked
// down; a store marked down is not asked at all. A lookup waits at most
// lookup_timeout and half the time left to the earliest deadline of its
// batch, and a Put attempt at most half the time left to its earliest
// deadline, so a store that hangs (SIGSTOP) costs an article one failover,
// not its deadline.
//
// Thread-safe. `done` runs exactly once per article, on a gRPC or pipeline
// thread, and must not block.
#ifndef INGEST_SUBMIT_PIPELINE_H_
#define INGEST_SUBMIT_PIPELINE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/ingest.pb.h"
#include "common/mutex.h"
#include "ingest/article_preparer.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "store/store_client.h"
#include "store/store_health.h"

namespace archive::ingest {

struct PipelineOptions {
  // Stores that must hold each new article before it is acknowledged (at
  // most the number of stores).
  int replicas = 1;
  // Least shingle resemblance that makes an article a near duplicate.
  double near_duplicate_resemblance = 0.8;
  // Articles in one FindSimilar or Put.
  int max_batch = 64;
  // Batches under way at once: lookups in all, Puts per store.
  int max_lookups_in_flight = 2;
  int max_puts_in_flight = 4;
  // One RPC attempt's deadline, and how long an article may wait for its
  // stores when the caller gave no deadline.
  absl::Duration attempt_timeout = absl::Seconds(10);
  absl::Duration lookup_timeout = absl::Seconds(2);
  absl::Duration max_store_wait = absl::Seconds(30);
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  // How long a store that failed is passed over, at first and at most
  // (store/store_health.h).
  absl::Duration initial_down = absl::Milliseconds(250);
  absl::Duration max_down = absl::Seconds(10);
  // Where the pipeline's figures go (none when null): Put batch sizes,
  // retries by store and stand-in copies (see SubmitPipeline::Metrics).
  prometheus::Registry* metrics = nullptr;
};

class SubmitPipeline {
 public:
  using Done = std::function<void(absl::StatusOr<v1::SubmitResponse>)>;

  // `stores` must not be empty, and options.replicas must be in
  // [1, stores.size()].
  SubmitPipeline(std::vector<store::StoreEndpoint> stores, PipelineOptions options);
  SubmitPipeline(const SubmitPipeline&) = delete;
  SubmitPipeline& operator=(const SubmitPipeline&) = delete;
  // Fails whatever is still queued, then waits for the RPCs under way.
  ~SubmitPipeline();

  // Takes one article; `done` gets its outcome. `deadline` is the caller's
  // (absl::InfiniteFuture() for none).
  void Submit(PreparedArticle article, absl::Time deadline, Done done);

  // Fails every queued or backing-off article with UNAVAILABLE ("shutting
  // down") and stops retrying; RPCs under way finish normally.
  void Abort();

 private:
  // One article between Submit and `done`, shared by its copies.
  struct Job {
    PreparedArticle prepared;
    absl::Time caller_deadline;
    absl::Time deadline;  // caller_deadline bounded by max_store_wait
    Done done;
    // The stores in the article's rendezvous order.
    std::vector<size_t> ranking;
    // Stores that said they hold the id, in ranking order: a re-crawl.
    std::vector<size_t> holders;
    // Stores where a copy is queued, under way, waiting to be retried or
    // acknowledged, by store: never two copies on one store.
    std::vector<bool> placed;
    // Acknowledgements still needed, and copies under way or waiting.
    int needed = 0;
    int pending = 0;
    // The highest-ranked acknowledgement so far, and its rank.
    v1::PutResult best;
    size_t best_rank = SIZE_MAX;
    bool finished = false;
    absl::Status last_failure;
    // Stores that acknowledged a copy, in the order they did.
    std::vector<size_t> acknowledged_by;
    // Later submits of the same new article, waiting for this one to end
    // (see AdmitLocked).
    std::vector<std::shared_ptr<Job>> followers;
  };
  // One copy of an article bound for one store.
  struct Copy {
    std::shared_ptr<Job> job;
    int attempts = 0;
  };
  using Batch = std::vector<Copy>;
  using LookupBatch = std::vector<std::shared_ptr<Job>>;
  using Action = std::function<void()>;

  struct StoreState {
    std::deque<Copy> queue;
    int in_flight = 0;
  };

  // Takes what the free slots allow off the queues; the returned actions
  // start the RPCs and must run without mutex_ held.
  std::vector<Action> PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  static void Run(std::vector<Action> actions);

  // Lookups are numbered as they start; FinishLookup applies their results
  // in that order.
  // `asked`: the stores to ask, by store (the others are down).
  void StartLookup(uint64_t number, std::shared_ptr<LookupBatch> batch,
                   std::vector<bool> asked);
  void FinishLookup(uint64_t number, std::shared_ptr<LookupBatch> batch,
                    std::vector<absl::StatusOr<v1::FindSimilarResponse>> replies,
                    const std::vector<bool>& asked);
  // A looked-up article's way on: placed at once, or, when the same new
  // article is already on its way from this server, made to wait for it
  // and then sent to the stores that took it, as a re-crawl. Without the
  // wait, two copies of one article sent to the same R stores at once
  // could reach them in different orders, and the stores would disagree on
  // which arrival came first.
  void AdmitLocked(const std::shared_ptr<Job>& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Queues the first copies of a looked-up article.
  void PlaceLocked(const std::shared_ptr<Job>& job)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Sets `job`'s holders to those it found and the stores that acknowledged
  // `leader` (the same article), in ranking order.
  void AddHoldersLocked(const Job& leader, Job* job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // After `job` ended: its followers go on (to the stores that acknowledged
  // it, or, when it failed, the first of them placed as new).
  void ReleaseFollowersLocked(Job& job, std::vector<Action>* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Whether a copy may go to a store outside its article's first `replicas`:
  // not with one replica, the single-copy archive of before, where an article
  // waits for its own store rather than live elsewhere alone.
  bool StandIns() const { return options_.replicas > 1; }
  // The next store of `job`'s ranking that has no copy (Job::placed) and is
  // not down, or SIZE_MAX.
  size_t NextStandInLocked(const Job& job, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Drops from on_the_way_ the acknowledged articles that no unapplied
  // lookup may have missed in its store.
  void ForgetAcknowledgedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void StartPut(size_t store, std::shared_ptr<Batch> batch);
  void FinishPut(size_t store, std::shared_ptr<Batch> batch,
                 absl::StatusOr<v1::PutResponse> reply);
  // `store` acknowledged `copy` with `result`.
  void AcknowledgeLocked(size_t store, Copy copy, const v1::PutResult& result,
                         std::vector<Action>* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // After a failed attempt of `copy` on `store`: sends it to a stand-in,
  // schedules its retry, or gives it up (failing its article when that
  // leaves too few copies).
  void RetryOrFailLocked(size_t store, Copy copy, const absl::Status& status,
                         std::vector<Action>* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Ends `job` with its best acknowledgement.
  void CompleteLocked(Job& job, std::vector<Action>* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Ends `job` with `failure` unless it has ended.
  void FailLocked(Job& job, const absl::Status& failure, std::vector<Action>* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void TimerLoop();
  void EndRpc();

  // archive_ingest_put_batch_items (histogram), archive_ingest_store_retries_total{store},
  // archive_ingest_stand_in_copies_total. Counters are thread-safe.
  struct Metrics {
    Metrics(prometheus::Registry& registry, const std::vector<std::string>& stores);
    prometheus::Histogram& put_batch_items;
    std::vector<prometheus::Counter*> retries;  // by store
    prometheus::Counter& stand_ins;
  };

  const PipelineOptions options_;
  const std::unique_ptr<Metrics> metrics_;  // null without options.metrics
  const std::vector<store::StoreEndpoint> stores_;
  const std::vector<std::string> store_names_;
  store::StoreHealth health_;

  Mutex mutex_;
  CondVar changed_;
  std::deque<std::shared_ptr<Job>> lookup_queue_ ABSL_GUARDED_BY(mutex_);
  int lookups_in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t next_lookup_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t next_lookup_to_apply_ ABSL_GUARDED_BY(mutex_) = 0;
  // Results of lookups that finished before an earlier one, by number.
  std::map<uint64_t, Action> unapplied_lookups_ ABSL_GUARDED_BY(mutex_);
  std::vector<StoreState> store_states_ ABSL_GUARDED_BY(mutex_);
  // Signatures of articles past lookup but not yet acknowledged, or
  // acknowledged while a lookup that started earlier was under way (it may
  // have asked the stores before the article was written).
  std::unordered_map<std::string, std::vector<uint32_t>> on_the_way_
      ABSL_GUARDED_BY(mutex_);
  // (next_lookup_ when acknowledged, id) of those acknowledged ones, in order.
  std::deque<std::pair<uint64_t, std::string>> acknowledged_ ABSL_GUARDED_BY(mutex_);
  std::multimap<absl::Time, std::pair<size_t, Copy>> retries_ ABSL_GUARDED_BY(mutex_);
  // New articles placed and not yet ended, or ended while a lookup that may
  // have missed one of their copies was under way, by id: what AdmitLocked
  // checks.
  std::unordered_map<std::string, std::shared_ptr<Job>> leaders_ ABSL_GUARDED_BY(mutex_);
  int rpcs_in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
  bool aborted_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread timer_;
};

}  // namespace archive::ingest

#endif  // INGEST_SUBMIT_PIPELINE_H_
