// SubmitPipeline: carries prepared articles to the stores.
//
// Each article goes through two stages, each batched across every
// concurrent caller:
//  1. near-duplicate lookup: one FindSimilar to every store for a batch of
//     signatures, plus a comparison with the articles still on their way to
//     a store (so two near duplicates in one stream find each other);
//  2. a Put to the article's store, chosen by rendezvous hashing of its id.
// A stage sends a batch as soon as it has a free slot (max_*_in_flight), so
// an idle pipeline sends articles one by one and a busy one sends what
// accumulated while its slots were taken: batching without a timer.
//
// A Put that fails with UNAVAILABLE (or another transient error) is retried
// with exponential backoff until the article's deadline (the caller's, or
// max_store_wait when the caller set none): Put is idempotent, so a retry
// never stores twice. An article whose store stays down ends UNAVAILABLE
// (DEADLINE_EXCEEDED when the caller's own deadline passed), never STORED.
// A store that fails a lookup is skipped for that batch (logged): near
// duplicates are an annotation, and ingest stays up while a store restarts.
// A lookup waits at most half the time left to the earliest deadline of its
// batch, so a store that hangs does not hold up the Puts to the others.
//
// Thread-safe. `done` runs exactly once per article, on a gRPC or pipeline
// thread, and must not block.
#ifndef INGEST_SUBMIT_PIPELINE_H_
#define INGEST_SUBMIT_PIPELINE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/ingest.pb.h"
#include "ingest/article_preparer.h"
#include "store/store_client.h"

namespace archive::ingest {

struct PipelineOptions {
  // Least shingle resemblance that makes an article a near duplicate.
  double near_duplicate_resemblance = 0.8;
  // Articles in one FindSimilar or Put.
  int max_batch = 64;
  // Batches under way at once: lookups in all, Puts per store.
  int max_lookups_in_flight = 2;
  int max_puts_in_flight = 4;
  // One RPC attempt's deadline, and how long an article may wait for its
  // store when the caller gave no deadline.
  absl::Duration attempt_timeout = absl::Seconds(10);
  absl::Duration max_store_wait = absl::Seconds(30);
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
};

class SubmitPipeline {
 public:
  using Done = std::function<void(absl::StatusOr<v1::SubmitResponse>)>;

  // `stores` must not be empty.
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
  struct Job {
    PreparedArticle prepared;
    absl::Time caller_deadline;
    absl::Time deadline;  // caller_deadline bounded by max_store_wait
    int attempts = 0;
    Done done;
  };
  using Batch = std::vector<Job>;
  using Action = std::function<void()>;

  struct StoreState {
    std::deque<Job> queue;
    int in_flight = 0;
  };

  // Takes what the free slots allow off the queues; the returned actions
  // start the RPCs and must run without mutex_ held.
  std::vector<Action> PumpLocked();
  static void Run(std::vector<Action> actions);

  // Lookups are numbered as they start; FinishLookup applies their results
  // in that order.
  void StartLookup(uint64_t number, std::shared_ptr<Batch> batch);
  void FinishLookup(uint64_t number, std::shared_ptr<Batch> batch,
                    std::vector<absl::StatusOr<v1::FindSimilarResponse>> replies);
  // Drops from on_the_way_ the acknowledged articles that no unapplied
  // lookup may have missed in its store.
  void ForgetAcknowledgedLocked();
  void StartPut(size_t store, std::shared_ptr<Batch> batch);
  void FinishPut(size_t store, std::shared_ptr<Batch> batch,
                 absl::StatusOr<v1::PutResponse> reply);
  // Fails `job` now or schedules its retry, after a failed attempt.
  void RetryOrFail(size_t store, Job job, const absl::Status& status,
                   std::vector<Action>* actions);
  void TimerLoop();
  void EndRpc();

  const PipelineOptions options_;
  std::vector<store::StoreEndpoint> stores_;
  const std::vector<std::string> store_names_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> lookup_queue_;                  // guarded by mutex_
  int lookups_in_flight_ = 0;                     // guarded by mutex_
  uint64_t next_lookup_ = 0;                      // guarded by mutex_
  uint64_t next_lookup_to_apply_ = 0;             // guarded by mutex_
  // Results of lookups that finished before an earlier one, by number.
  std::map<uint64_t, Action> unapplied_lookups_;  // guarded by mutex_
  std::vector<StoreState> store_states_;          // guarded by mutex_
  // Signatures of articles past lookup but not yet acknowledged by a store,
  // or acknowledged while a lookup that started earlier was under way (it
  // may have asked the store before the article was written).
  std::unordered_map<std::string, std::vector<uint32_t>> on_the_way_;  // guarded
  // (next_lookup_ when acknowledged, id) of those acknowledged ones, in order.
  std::deque<std::pair<uint64_t, std::string>> acknowledged_;  // guarded
  std::multimap<absl::Time, std::pair<size_t, Job>> retries_;  // guarded
  int rpcs_in_flight_ = 0;                        // guarded by mutex_
  bool aborted_ = false;                          // guarded by mutex_
  bool stopping_ = false;                         // guarded by mutex_
  std::thread timer_;
};

}  // namespace archive::ingest

#endif  // INGEST_SUBMIT_PIPELINE_H_
