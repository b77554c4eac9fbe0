#include "ingest/submit_pipeline.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/rendezvous.h"

namespace archive::ingest {
namespace {

// An attempt's deadline: at most `cap` from now, and at most half of what
// is left to `earliest`, so that a store that hangs leaves time to go on to
// another one.
absl::Time AttemptDeadline(absl::Time now, absl::Time earliest, absl::Duration cap) {
  return std::min(now + cap, earliest <= now ? now : now + (earliest - now) / 2);
}

// The best near-duplicate candidate seen so far for one article.
struct Candidate {
  std::string id;
  double resemblance = 0;
  google::protobuf::Timestamp published_at;
  bool known_time = false;

  // Higher resemblance wins; then the older article (the original story).
  void Offer(const std::string& other_id, double other_resemblance,
             const google::protobuf::Timestamp* other_time) {
    const bool better =
        id.empty() || other_resemblance > resemblance ||
        (other_resemblance == resemblance && other_time != nullptr &&
         (!known_time || TimestampLess(*other_time, published_at)));
    if (!better) return;
    id = other_id;
    resemblance = other_resemblance;
    known_time = other_time != nullptr;
    if (known_time) published_at = *other_time;
  }
};

}  // namespace

SubmitPipeline::Metrics::Metrics(prometheus::Registry& registry,
                                 const std::vector<std::string>& stores)
    : put_batch_items(prometheus::BuildHistogram()
                          .Name("archive_ingest_put_batch_items")
                          .Help("Copies in one Put to a store.")
                          .Register(registry)
                          .Add({}, CountBuckets())),
      stand_ins(prometheus::BuildCounter()
                    .Name("archive_ingest_stand_in_copies_total")
                    .Help("Copies sent to a stand-in store because one of the "
                          "article's own was unreachable.")
                    .Register(registry)
                    .Add({})) {
  auto& family = prometheus::BuildCounter()
                     .Name("archive_ingest_store_retries_total")
                     .Help("Copies sent again to a store after a transient failure, by store.")
                     .Register(registry);
  for (const std::string& store : stores) retries.push_back(&family.Add({{"store", store}}));
}

SubmitPipeline::SubmitPipeline(std::vector<store::StoreEndpoint> stores,
                               PipelineOptions options)
    : options_(options),
      metrics_(options.metrics == nullptr
                   ? nullptr
                   : std::make_unique<Metrics>(*options.metrics, store::StoreNames(stores))),
      stores_(std::move(stores)),
      store_names_(store::StoreNames(stores_)),
      health_(store_names_, options_.initial_down, options_.max_down) {
  {
    MutexLock lock(&mutex_);
    store_states_.resize(stores_.size());
  }
  timer_ = std::thread([this] { TimerLoop(); });
}

SubmitPipeline::~SubmitPipeline() {
  Abort();
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
    changed_.SignalAll();
    while (rpcs_in_flight_ != 0) changed_.Wait(&mutex_);
  }
  timer_.join();
}

void SubmitPipeline::Run(std::vector<Action> actions) {
  for (Action& action : actions) action();
}

void SubmitPipeline::Submit(PreparedArticle article, absl::Time deadline,
                            Done done) {
  auto job = std::make_shared<Job>();
  job->prepared = std::move(article);
  job->caller_deadline = deadline;
  job->deadline = std::min(deadline, absl::Now() + options_.max_store_wait);
  job->done = std::move(done);
  job->ranking = RankStores(job->prepared.article.id(), store_names_);
  job->placed.assign(stores_.size(), false);
  std::vector<Action> actions;
  {
    MutexLock lock(&mutex_);
    if (aborted_) {
      actions.push_back([done = std::move(job->done)] {
        done(absl::UnavailableError("ingest is shutting down"));
      });
    } else {
      lookup_queue_.push_back(std::move(job));
      actions = PumpLocked();
    }
  }
  Run(std::move(actions));
}

std::vector<SubmitPipeline::Action> SubmitPipeline::PumpLocked() {
  std::vector<Action> actions;
  const absl::Time now = absl::Now();
  while (lookups_in_flight_ < options_.max_lookups_in_flight &&
         !lookup_queue_.empty()) {
    auto batch = std::make_shared<LookupBatch>();
    while (!lookup_queue_.empty() &&
           batch->size() < static_cast<size_t>(options_.max_batch)) {
      batch->push_back(std::move(lookup_queue_.front()));
      lookup_queue_.pop_front();
    }
    // A store marked down is not asked: it would hold the lookup up.
    std::vector<bool> asked(stores_.size());
    for (size_t s = 0; s < stores_.size(); ++s) {
      asked[s] = !health_.IsDown(s, now);
      if (asked[s]) ++rpcs_in_flight_;
    }
    ++lookups_in_flight_;
    const uint64_t number = next_lookup_++;
    actions.push_back([this, number, batch, asked = std::move(asked)] {
      StartLookup(number, batch, asked);
    });
  }
  for (size_t s = 0; s < stores_.size(); ++s) {
    StoreState& state = store_states_[s];
    while (state.in_flight < options_.max_puts_in_flight && !state.queue.empty()) {
      auto batch = std::make_shared<Batch>();
      while (!state.queue.empty() &&
             batch->size() < static_cast<size_t>(options_.max_batch)) {
        batch->push_back(std::move(state.queue.front()));
        state.queue.pop_front();
      }
      ++state.in_flight;
      ++rpcs_in_flight_;
      actions.push_back([this, s, batch] { StartPut(s, batch); });
    }
  }
  return actions;
}

void SubmitPipeline::EndRpc() {
  MutexLock lock(&mutex_);
  if (--rpcs_in_flight_ == 0) changed_.SignalAll();
}

// --- Stage 1: lookup ----------------------------------------------------------

void SubmitPipeline::StartLookup(uint64_t number, std::shared_ptr<LookupBatch> batch,
                                 std::vector<bool> asked) {
  v1::FindSimilarRequest request;
  request.set_min_resemblance(options_.near_duplicate_resemblance);
  request.set_limit(3);
  absl::Time earliest = absl::InfiniteFuture();
  for (const std::shared_ptr<Job>& job : *batch) {
    auto* query = request.add_queries();
    query->mutable_minhash()->Add(job->prepared.minhash.begin(),
                                  job->prepared.minhash.end());
    query->set_id(job->prepared.article.id());
    earliest = std::min(earliest, job->deadline);
  }
  // The lookup may take at most half the time its most pressed article has
  // left, so that a store that hangs costs the batch its near-duplicate
  // links, not its Puts.
  const absl::Time deadline =
      AttemptDeadline(absl::Now(), earliest, options_.lookup_timeout);

  struct Round {
    std::vector<absl::StatusOr<v1::FindSimilarResponse>> replies;
    std::vector<bool> asked;
    std::atomic<size_t> remaining;
    Round(size_t n, std::vector<bool> asked_stores)
        : replies(n, absl::UnavailableError("passed over: marked down")),
          asked(std::move(asked_stores)),
          remaining(std::count(asked.begin(), asked.end(), true)) {}
  };
  auto round = std::make_shared<Round>(stores_.size(), std::move(asked));
  if (round->remaining == 0) {
    FinishLookup(number, batch, std::move(round->replies), round->asked);
    return;
  }
  for (size_t s = 0; s < stores_.size(); ++s) {
    if (!round->asked[s]) continue;
    stores_[s].client->FindSimilarAsync(
        request, deadline,
        [this, number, batch, round, s](absl::StatusOr<v1::FindSimilarResponse> reply) {
          round->replies[s] = std::move(reply);
          if (round->remaining.fetch_sub(1) == 1) {
            FinishLookup(number, batch, std::move(round->replies), round->asked);
          }
          EndRpc();
        });
  }
}

void SubmitPipeline::FinishLookup(
    uint64_t number, std::shared_ptr<LookupBatch> batch,
    std::vector<absl::StatusOr<v1::FindSimilarResponse>> replies,
    const std::vector<bool>& asked) {
  struct Found {
    Candidate near;
    std::vector<bool> held;
  };
  auto found = std::make_shared<std::vector<Found>>(batch->size());
  std::vector<std::pair<size_t, absl::Status>> failed;
  for (size_t s = 0; s < replies.size(); ++s) {
    auto& reply = replies[s];
    if (reply.ok() && reply->results_size() != static_cast<int>(batch->size())) {
      reply = absl::InternalError("wrong number of results");
    }
    if (!reply.ok()) {
      if (asked[s]) {
        ARCHIVE_LOG(WARNING) << "lookup skipped store " << stores_[s].name << ": "
                             << reply.status();
        failed.emplace_back(s, reply.status());
      }
      continue;
    }
    for (size_t j = 0; j < batch->size(); ++j) {
      Found& mine = (*found)[j];
      const v1::SimilarArticles& result = reply->results(static_cast<int>(j));
      if (result.holds_id()) {
        mine.held.resize(stores_.size());
        mine.held[s] = true;
      }
      const std::string& own_id = (*batch)[j]->prepared.article.id();
      for (const v1::SimilarArticle& similar : result.articles()) {
        if (similar.id() == own_id) continue;
        mine.near.Offer(similar.id(), similar.resemblance(), &similar.published_at());
      }
    }
  }

  // Applied in the order the lookups started, whichever answered first, so
  // that an article is compared with every article submitted before it.
  Action apply = [this, batch, found]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    for (size_t j = 0; j < batch->size(); ++j) {
      const std::shared_ptr<Job>& job = (*batch)[j];
      Found& mine = (*found)[j];
      const std::string& id = job->prepared.article.id();
      // Articles still on their way to a store, and earlier ones of this
      // batch, are not in any store's index yet.
      for (const auto& [other_id, signature] : on_the_way_) {
        if (other_id == id) continue;
        const double resemblance = EstimateResemblance(job->prepared.minhash, signature);
        if (resemblance >= options_.near_duplicate_resemblance) {
          mine.near.Offer(other_id, resemblance, nullptr);
        }
      }
      if (!mine.near.id.empty()) {
        job->prepared.article.set_near_duplicate_of(mine.near.id);
      }
      for (size_t store : job->ranking) {
        if (!mine.held.empty() && mine.held[store]) job->holders.push_back(store);
      }
      on_the_way_.emplace(id, job->prepared.minhash);
      AdmitLocked(job);
    }
  };
  std::vector<Action> actions;
  {
    MutexLock lock(&mutex_);
    const absl::Time now = absl::Now();
    for (const auto& [store, why] : failed) health_.Report(store, why, now);
    unapplied_lookups_.emplace(number, std::move(apply));
    while (!unapplied_lookups_.empty() &&
           unapplied_lookups_.begin()->first == next_lookup_to_apply_) {
      unapplied_lookups_.begin()->second();
      unapplied_lookups_.erase(unapplied_lookups_.begin());
      ++next_lookup_to_apply_;
      --lookups_in_flight_;
    }
    ForgetAcknowledgedLocked();
    actions = PumpLocked();
  }
  Run(std::move(actions));
}

void SubmitPipeline::AdmitLocked(const std::shared_ptr<Job>& job) {
  auto leader = leaders_.find(job->prepared.article.id());
  if (leader != leaders_.end()) {
    if (!leader->second->finished) {
      leader->second->followers.push_back(job);
      return;
    }
    // Ended well, but this lookup may have asked a store before its copy
    // landed: the stores that took it hold it.
    AddHoldersLocked(*leader->second, job.get());
  } else if (job->holders.empty()) {
    leaders_.emplace(job->prepared.article.id(), job);
  }
  PlaceLocked(job);
}

void SubmitPipeline::AddHoldersLocked(const Job& leader, Job* job) {
  std::vector<size_t> holders;
  for (size_t store : job->ranking) {
    const bool held =
        std::find(job->holders.begin(), job->holders.end(), store) != job->holders.end() ||
        std::find(leader.acknowledged_by.begin(), leader.acknowledged_by.end(), store) !=
            leader.acknowledged_by.end();
    if (held) holders.push_back(store);
  }
  job->holders = std::move(holders);
}

void SubmitPipeline::ReleaseFollowersLocked(Job& job, std::vector<Action>* actions) {
  auto leader = leaders_.find(job.prepared.article.id());
  if (leader == leaders_.end() || leader->second.get() != &job) return;
  const bool stored = !job.acknowledged_by.empty();
  // A leader that ended well stays until no lookup that started before its
  // end is left to apply (ForgetAcknowledgedLocked); one that failed goes.
  const std::shared_ptr<Job> keep = leader->second;  // `job` lives on past the erase
  if (!stored) leaders_.erase(leader);
  std::vector<std::shared_ptr<Job>> followers = std::move(job.followers);
  for (const std::shared_ptr<Job>& follower : followers) {
    if (aborted_) {
      FailLocked(*follower, absl::UnavailableError("ingest is shutting down"), actions);
    } else if (stored) {
      AddHoldersLocked(job, follower.get());
      PlaceLocked(follower);
    } else {
      AdmitLocked(follower);  // the first becomes the leader of the others
    }
  }
}

void SubmitPipeline::PlaceLocked(const std::shared_ptr<Job>& job) {
  std::vector<size_t> targets;
  if (!job->holders.empty()) {
    // A re-crawl: its sighting goes where the article is.
    targets = job->holders;
  } else {
    // New: the first `replicas` stores of the ranking that are up (with
    // stand-ins, see NextStandInLocked), then, if too few are, the first of
    // the others.
    const absl::Time now = absl::Now();
    const size_t wanted = static_cast<size_t>(options_.replicas);
    for (size_t store : job->ranking) {
      if (targets.size() < wanted && !health_.IsDown(store, now) && StandIns()) {
        targets.push_back(store);
      }
    }
    for (size_t store : job->ranking) {
      if (targets.size() >= wanted) break;
      if (std::find(targets.begin(), targets.end(), store) == targets.end()) {
        targets.push_back(store);
      }
    }
  }
  job->needed = static_cast<int>(targets.size());
  for (size_t store : targets) {
    job->placed[store] = true;
    ++job->pending;
    store_states_[store].queue.push_back(Copy{job});
  }
}

size_t SubmitPipeline::NextStandInLocked(const Job& job, absl::Time now) const {
  if (!StandIns()) return SIZE_MAX;
  for (size_t store : job.ranking) {
    if (!job.placed[store] && !health_.IsDown(store, now)) return store;
  }
  return SIZE_MAX;
}

void SubmitPipeline::ForgetAcknowledgedLocked() {
  while (!acknowledged_.empty() &&
         acknowledged_.front().first <= next_lookup_to_apply_) {
    const std::string& id = acknowledged_.front().second;
    on_the_way_.erase(id);
    auto leader = leaders_.find(id);
    if (leader != leaders_.end() && leader->second->finished) leaders_.erase(leader);
    acknowledged_.pop_front();
  }
}

// --- Stage 2: Puts of the copies -------------------------------------------------

void SubmitPipeline::StartPut(size_t store, std::shared_ptr<Batch> batch) {
  v1::PutRequest request;
  absl::Time earliest = absl::InfiniteFuture();
  for (Copy& copy : *batch) {
    const Job& job = *copy.job;
    v1::PutItem* item = request.add_items();
    *item->mutable_article() = job.prepared.article;
    item->mutable_minhash()->Add(job.prepared.minhash.begin(), job.prepared.minhash.end());
    earliest = std::min(earliest, job.deadline);
    ++copy.attempts;
  }
  const absl::Time deadline =
      AttemptDeadline(absl::Now(), earliest, options_.attempt_timeout);
  if (metrics_ != nullptr) metrics_->put_batch_items.Observe(request.items_size());
  stores_[store].client->PutAsync(
      std::move(request), deadline,
      [this, store, batch](absl::StatusOr<v1::PutResponse> reply) {
        FinishPut(store, batch, std::move(reply));
        EndRpc();
      });
}

void SubmitPipeline::FinishPut(size_t store, std::shared_ptr<Batch> batch,
                               absl::StatusOr<v1::PutResponse> reply) {
  std::vector<Action> actions;
  if (reply.ok() && reply->results_size() != static_cast<int>(batch->size())) {
    reply = absl::InternalError(absl::StrCat(
        "store ", stores_[store].name, " answered ", reply->results_size(),
        " results for ", batch->size(), " articles"));
  }
  {
    MutexLock lock(&mutex_);
    --store_states_[store].in_flight;
    if (reply.ok()) {
      health_.Report(store, absl::OkStatus(), absl::Now());
      for (size_t i = 0; i < batch->size(); ++i) {
        AcknowledgeLocked(store, std::move((*batch)[i]),
                          reply->results(static_cast<int>(i)), &actions);
      }
      ForgetAcknowledgedLocked();
    } else if (reply.status().code() == absl::StatusCode::kInvalidArgument &&
               batch->size() > 1) {
      // One article the store refused must not fail the others with it: try
      // each on its own.
      for (Copy& copy : *batch) {
        auto single = std::make_shared<Batch>();
        single->push_back(std::move(copy));
        ++store_states_[store].in_flight;
        ++rpcs_in_flight_;
        actions.push_back([this, store, single] { StartPut(store, single); });
      }
    } else {
      health_.Report(store, reply.status(), absl::Now());
      for (Copy& copy : *batch) {
        RetryOrFailLocked(store, std::move(copy), reply.status(), &actions);
      }
    }
    std::vector<Action> more = PumpLocked();
    actions.insert(actions.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  Run(std::move(actions));
}

void SubmitPipeline::AcknowledgeLocked(size_t store, Copy copy,
                                       const v1::PutResult& result,
                                       std::vector<Action>* actions) {
  Job& job = *copy.job;
  --job.pending;
  if (job.finished) return;  // a late copy of an article already answered
  const size_t rank = static_cast<size_t>(
      std::find(job.ranking.begin(), job.ranking.end(), store) - job.ranking.begin());
  if (rank < job.best_rank) {
    job.best = result;
    job.best_rank = rank;
  }
  job.acknowledged_by.push_back(store);
  if (--job.needed == 0) CompleteLocked(job, actions);
}

void SubmitPipeline::CompleteLocked(Job& job, std::vector<Action>* actions) {
  job.finished = true;
  // Lookups that started before now may have asked the stores before the
  // article was written: they must still find it on its way.
  acknowledged_.emplace_back(next_lookup_, job.prepared.article.id());
  v1::SubmitResponse response;
  response.set_id(job.best.id());
  response.set_outcome(job.best.outcome());
  response.set_duplicate_of(job.best.duplicate_of());
  actions->push_back([done = std::move(job.done), response = std::move(response)]() mutable {
    done(std::move(response));
  });
  ReleaseFollowersLocked(job, actions);
}

void SubmitPipeline::RetryOrFailLocked(size_t store, Copy copy,
                                       const absl::Status& status,
                                       std::vector<Action>* actions) {
  Job& job = *copy.job;
  if (job.finished) {
    --job.pending;
    return;
  }
  const absl::Time now = absl::Now();
  job.last_failure = absl::Status(
      status.code(), absl::StrCat("store ", stores_[store].name, ": ", status.message()));
  if (!store::IsTransientFailure(status.code()) || aborted_) {
    --job.pending;
    FailLocked(job, aborted_ ? absl::UnavailableError("ingest is shutting down") : status,
               actions);
    return;
  }
  if (!job.holders.empty()) {
    // A re-crawl: a holder that cannot be reached misses the sighting (a
    // rebalance merges it in later) when another holder has it or may.
    const int answered = static_cast<int>(job.holders.size()) - job.needed;
    if (answered > 0 || job.pending > 1) {
      --job.pending;
      if (--job.needed == 0) CompleteLocked(job, actions);
      return;
    }
  } else {
    // New: a copy that cannot reach its store goes on down the ranking, to
    // the first store that has no copy of it and is up (a store that failed
    // before and came back may take it).
    job.placed[store] = false;
    const size_t stand_in = NextStandInLocked(job, now);
    if (stand_in != SIZE_MAX) {
      if (metrics_ != nullptr) metrics_->stand_ins.Increment();
      job.placed[stand_in] = true;
      store_states_[stand_in].queue.push_back(std::move(copy));
      return;
    }
    job.placed[store] = true;  // held for the retry
  }
  absl::Duration backoff = options_.initial_backoff;
  for (int i = 1; i < copy.attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
  backoff = std::min(backoff, options_.max_backoff);
  if (now + backoff < job.deadline) {
    if (metrics_ != nullptr) metrics_->retries[store]->Increment();
    retries_.emplace(now + backoff, std::make_pair(store, std::move(copy)));
    changed_.SignalAll();
    return;
  }
  --job.pending;
  if (now >= job.caller_deadline) {
    FailLocked(job,
               absl::DeadlineExceededError(absl::StrCat(
                   "deadline passed waiting for ", job.needed, " more store(s); ",
                   job.last_failure.message())),
               actions);
  } else {
    FailLocked(job,
               absl::UnavailableError(absl::StrCat(
                   job.needed, " more store(s) needed, unavailable after ",
                   copy.attempts, " attempts; ", job.last_failure.message())),
               actions);
  }
}

void SubmitPipeline::FailLocked(Job& job, const absl::Status& failure,
                                std::vector<Action>* actions) {
  if (job.finished) return;
  job.finished = true;
  if (job.followers.empty()) on_the_way_.erase(job.prepared.article.id());
  actions->push_back([done = std::move(job.done), failure] { done(failure); });
  // A failed leader's copies may still have reached stores, but the
  // followers cannot know which: they go on as new.
  job.acknowledged_by.clear();
  ReleaseFollowersLocked(job, actions);
}

void SubmitPipeline::TimerLoop() {
  MutexLock lock(&mutex_);
  while (!(stopping_ && retries_.empty())) {
    if (retries_.empty()) {
      changed_.Wait(&mutex_);
      continue;
    }
    const absl::Time next = retries_.begin()->first;
    if (absl::Now() < next && !aborted_) {
      changed_.WaitWithDeadline(&mutex_, next);
      continue;
    }
    std::vector<Action> actions;
    const absl::Time now = absl::Now();
    while (!retries_.empty() && (aborted_ || retries_.begin()->first <= now)) {
      auto [store, copy] = std::move(retries_.begin()->second);
      retries_.erase(retries_.begin());
      Job& job = *copy.job;
      if (aborted_ || job.finished) {
        --job.pending;
        FailLocked(job, absl::UnavailableError("ingest is shutting down"), &actions);
        continue;
      }
      // A store that came back in the meantime may take the copy instead.
      size_t target = store;
      if (job.holders.empty() && health_.IsDown(store, now)) {
        const size_t stand_in = NextStandInLocked(job, now);
        if (stand_in != SIZE_MAX) {
          if (metrics_ != nullptr) metrics_->stand_ins.Increment();
          job.placed[store] = false;
          job.placed[stand_in] = true;
          target = stand_in;
        }
      }
      store_states_[target].queue.push_front(std::move(copy));
    }
    std::vector<Action> more = PumpLocked();
    actions.insert(actions.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
    mutex_.Unlock();
    Run(std::move(actions));
    mutex_.Lock();
  }
}

void SubmitPipeline::Abort() {
  std::vector<Action> actions;
  {
    MutexLock lock(&mutex_);
    aborted_ = true;
    const absl::Status shutting_down = absl::UnavailableError("ingest is shutting down");
    for (std::shared_ptr<Job>& job : lookup_queue_) FailLocked(*job, shutting_down, &actions);
    lookup_queue_.clear();
    for (StoreState& state : store_states_) {
      for (Copy& copy : state.queue) {
        --copy.job->pending;
        FailLocked(*copy.job, shutting_down, &actions);
      }
      state.queue.clear();
    }
    changed_.SignalAll();  // the timer fails the retries
  }
  Run(std::move(actions));
}

}  // namespace archive::ingest
