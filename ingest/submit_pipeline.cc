#include "ingest/submit_pipeline.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/minhash.h"
#include "common/proto_time.h"
#include "common/rendezvous.h"

namespace archive::ingest {
namespace {

bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kAborted;
}

absl::Time LatestDeadline(const std::vector<absl::Time>& deadlines) {
  return *std::max_element(deadlines.begin(), deadlines.end());
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

SubmitPipeline::SubmitPipeline(std::vector<store::StoreEndpoint> stores,
                               PipelineOptions options)
    : options_(options),
      stores_(std::move(stores)),
      store_names_(store::StoreNames(stores_)),
      store_states_(stores_.size()) {
  timer_ = std::thread([this] { TimerLoop(); });
}

SubmitPipeline::~SubmitPipeline() {
  Abort();
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_ = true;
  changed_.notify_all();
  changed_.wait(lock, [this] { return rpcs_in_flight_ == 0; });
  lock.unlock();
  timer_.join();
}

void SubmitPipeline::Run(std::vector<Action> actions) {
  for (Action& action : actions) action();
}

void SubmitPipeline::Submit(PreparedArticle article, absl::Time deadline,
                            Done done) {
  Job job;
  job.prepared = std::move(article);
  job.caller_deadline = deadline;
  job.deadline = std::min(deadline, absl::Now() + options_.max_store_wait);
  job.done = std::move(done);
  std::vector<Action> actions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (aborted_) {
      actions.push_back([done = std::move(job.done)] {
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
  while (lookups_in_flight_ < options_.max_lookups_in_flight &&
         !lookup_queue_.empty()) {
    auto batch = std::make_shared<Batch>();
    while (!lookup_queue_.empty() &&
           batch->size() < static_cast<size_t>(options_.max_batch)) {
      batch->push_back(std::move(lookup_queue_.front()));
      lookup_queue_.pop_front();
    }
    ++lookups_in_flight_;
    rpcs_in_flight_ += static_cast<int>(stores_.size());
    const uint64_t number = next_lookup_++;
    actions.push_back([this, number, batch] { StartLookup(number, batch); });
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
  std::lock_guard<std::mutex> lock(mutex_);
  if (--rpcs_in_flight_ == 0) changed_.notify_all();
}

// --- Stage 1: near-duplicate lookup ------------------------------------------

void SubmitPipeline::StartLookup(uint64_t number, std::shared_ptr<Batch> batch) {
  v1::FindSimilarRequest request;
  request.set_min_resemblance(options_.near_duplicate_resemblance);
  request.set_limit(3);
  std::vector<absl::Time> deadlines;
  for (const Job& job : *batch) {
    auto* query = request.add_queries();
    query->mutable_minhash()->Add(job.prepared.minhash.begin(),
                                  job.prepared.minhash.end());
    deadlines.push_back(job.deadline);
  }
  // Near duplicates are an annotation: the lookup may take at most half the
  // time its most pressed article has left, so that a store that hangs costs
  // the batch its near-duplicate links, not the Puts to the other stores.
  const absl::Time now = absl::Now();
  const absl::Time earliest = *std::min_element(deadlines.begin(), deadlines.end());
  const absl::Time deadline =
      std::min(now + (earliest - now) / 2, now + options_.attempt_timeout);

  struct Round {
    std::vector<absl::StatusOr<v1::FindSimilarResponse>> replies;
    std::atomic<size_t> remaining;
    explicit Round(size_t n)
        : replies(n, absl::UnknownError("no reply")), remaining(n) {}
  };
  auto round = std::make_shared<Round>(stores_.size());
  for (size_t s = 0; s < stores_.size(); ++s) {
    stores_[s].client->FindSimilarAsync(
        request, deadline,
        [this, number, batch, round, s](absl::StatusOr<v1::FindSimilarResponse> reply) {
          round->replies[s] = std::move(reply);
          if (round->remaining.fetch_sub(1) == 1) {
            FinishLookup(number, batch, std::move(round->replies));
          }
          EndRpc();
        });
  }
}

void SubmitPipeline::FinishLookup(
    uint64_t number, std::shared_ptr<Batch> batch,
    std::vector<absl::StatusOr<v1::FindSimilarResponse>> replies) {
  auto best_found = std::make_shared<std::vector<Candidate>>(batch->size());
  std::vector<Candidate>& best = *best_found;
  for (size_t s = 0; s < replies.size(); ++s) {
    const auto& reply = replies[s];
    if (!reply.ok() || reply->results_size() != static_cast<int>(batch->size())) {
      ARCHIVE_LOG(WARNING) << "near-duplicate lookup skipped store "
                           << stores_[s].name << ": "
                           << (reply.ok() ? "wrong number of results"
                                          : reply.status().ToString());
      continue;
    }
    for (size_t j = 0; j < batch->size(); ++j) {
      const std::string& own_id = (*batch)[j].prepared.article.id();
      for (const v1::SimilarArticle& similar : reply->results(j).articles()) {
        if (similar.id() == own_id) continue;
        best[j].Offer(similar.id(), similar.resemblance(), &similar.published_at());
      }
    }
  }

  // Applied in the order the lookups started, whichever answered first, so
  // that an article is compared with every article submitted before it.
  Action apply = [this, batch, best_found] {
    std::vector<Candidate>& found = *best_found;
    for (size_t j = 0; j < batch->size(); ++j) {
      Job& job = (*batch)[j];
      const std::string& id = job.prepared.article.id();
      // Articles still on their way to a store, and earlier ones of this
      // batch, are not in any store's index yet.
      for (const auto& [other_id, signature] : on_the_way_) {
        if (other_id == id) continue;
        const double resemblance = EstimateResemblance(job.prepared.minhash, signature);
        if (resemblance >= options_.near_duplicate_resemblance) {
          found[j].Offer(other_id, resemblance, nullptr);
        }
      }
      if (!found[j].id.empty()) {
        job.prepared.article.set_near_duplicate_of(found[j].id);
      }
      on_the_way_.emplace(id, job.prepared.minhash);
      const size_t store = PickStore(id, store_names_);
      store_states_[store].queue.push_back(std::move(job));
    }
  };
  std::vector<Action> actions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
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

void SubmitPipeline::ForgetAcknowledgedLocked() {
  while (!acknowledged_.empty() &&
         acknowledged_.front().first <= next_lookup_to_apply_) {
    on_the_way_.erase(acknowledged_.front().second);
    acknowledged_.pop_front();
  }
}

// --- Stage 2: Put to the article's store ---------------------------------------

void SubmitPipeline::StartPut(size_t store, std::shared_ptr<Batch> batch) {
  v1::PutRequest request;
  std::vector<absl::Time> deadlines;
  for (Job& job : *batch) {
    v1::PutItem* item = request.add_items();
    *item->mutable_article() = job.prepared.article;
    item->mutable_minhash()->Add(job.prepared.minhash.begin(),
                                 job.prepared.minhash.end());
    deadlines.push_back(job.deadline);
    ++job.attempts;
  }
  const absl::Time deadline =
      std::min(LatestDeadline(deadlines), absl::Now() + options_.attempt_timeout);
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
    std::lock_guard<std::mutex> lock(mutex_);
    --store_states_[store].in_flight;
    if (reply.ok()) {
      for (size_t i = 0; i < batch->size(); ++i) {
        Job& job = (*batch)[i];
        // Lookups that started before now may have asked the store before
        // the article was written: they must still find it on its way.
        acknowledged_.emplace_back(next_lookup_, job.prepared.article.id());
        const v1::PutResult& result = reply->results(static_cast<int>(i));
        v1::SubmitResponse response;
        response.set_id(result.id());
        response.set_outcome(result.outcome());
        response.set_duplicate_of(result.duplicate_of());
        actions.push_back([done = std::move(job.done),
                           response = std::move(response)]() mutable {
          done(std::move(response));
        });
      }
      ForgetAcknowledgedLocked();
    } else if (reply.status().code() == absl::StatusCode::kInvalidArgument &&
               batch->size() > 1) {
      // One article the store refused must not fail the others with it: try
      // each on its own.
      for (Job& job : *batch) {
        auto single = std::make_shared<Batch>();
        single->push_back(std::move(job));
        ++store_states_[store].in_flight;
        ++rpcs_in_flight_;
        actions.push_back([this, store, single] { StartPut(store, single); });
      }
    } else {
      for (Job& job : *batch) RetryOrFail(store, std::move(job), reply.status(), &actions);
    }
    std::vector<Action> more = PumpLocked();
    actions.insert(actions.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  Run(std::move(actions));
}

void SubmitPipeline::RetryOrFail(size_t store, Job job, const absl::Status& status,
                                 std::vector<Action>* actions) {
  const absl::Time now = absl::Now();
  absl::Duration backoff = options_.initial_backoff;
  for (int i = 1; i < job.attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
  backoff = std::min(backoff, options_.max_backoff);
  if (!aborted_ && IsTransient(status.code()) && now + backoff < job.deadline) {
    retries_.emplace(now + backoff, std::make_pair(store, std::move(job)));
    changed_.notify_all();
    return;
  }
  on_the_way_.erase(job.prepared.article.id());
  absl::Status failure;
  if (!IsTransient(status.code())) {
    failure = status;
  } else if (now >= job.caller_deadline) {
    failure = absl::DeadlineExceededError(absl::StrCat(
        "deadline passed waiting for store ", stores_[store].name, ": ",
        status.message()));
  } else {
    failure = absl::UnavailableError(absl::StrCat(
        "store ", stores_[store].name, " unavailable after ", job.attempts,
        " attempts: ", status.message()));
  }
  actions->push_back([done = std::move(job.done), failure] { done(failure); });
}

void SubmitPipeline::TimerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!(stopping_ && retries_.empty())) {
    if (retries_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const absl::Time next = retries_.begin()->first;
    if (absl::Now() < next && !aborted_) {
      changed_.wait_until(lock, absl::ToChronoTime(next));
      continue;
    }
    std::vector<Action> actions;
    while (!retries_.empty() && (aborted_ || retries_.begin()->first <= absl::Now())) {
      auto [store, job] = std::move(retries_.begin()->second);
      retries_.erase(retries_.begin());
      if (aborted_) {
        on_the_way_.erase(job.prepared.article.id());
        actions.push_back([done = std::move(job.done)] {
          done(absl::UnavailableError("ingest is shutting down"));
        });
      } else {
        store_states_[store].queue.push_front(std::move(job));
      }
    }
    std::vector<Action> more = PumpLocked();
    actions.insert(actions.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
    lock.unlock();
    Run(std::move(actions));
    lock.lock();
  }
}

void SubmitPipeline::Abort() {
  std::vector<Action> actions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    aborted_ = true;
    auto fail = [&actions, this](Job& job) {
      on_the_way_.erase(job.prepared.article.id());
      actions.push_back([done = std::move(job.done)] {
        done(absl::UnavailableError("ingest is shutting down"));
      });
    };
    for (Job& job : lookup_queue_) fail(job);
    lookup_queue_.clear();
    for (StoreState& state : store_states_) {
      for (Job& job : state.queue) fail(job);
      state.queue.clear();
    }
    changed_.notify_all();  // the timer fails the retries
  }
  Run(std::move(actions));
}

}  // namespace archive::ingest
