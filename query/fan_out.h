// Calls every store at once and gathers the replies; says whether enough of
// them answered for a complete read.
#ifndef QUERY_FAN_OUT_H_
#define QUERY_FAN_OUT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/store_client.h"
#include "store/store_health.h"

namespace archive::query {

template <typename Response>
using Replies = std::vector<absl::StatusOr<Response>>;

// The deadline of one store's call of a read due by `deadline`: see FanOut.
inline absl::Time StoreDeadline(const store::StoreHealth* health, absl::Time now,
                                absl::Time deadline) {
  if (health == nullptr || deadline <= now) return deadline;
  return now + (deadline - now) * 3 / 4;
}

// The reply of a store that health passes over.
inline absl::Status PassedOver() {
  return absl::UnavailableError("passed over: it failed a moment ago");
}

// Starts `call(s, store, store_deadline, callback)` on every store s and,
// once the last reply is in, runs `done` with the replies in store order (on
// a gRPC thread). With `health` (replicated stores), a store it passes over is
// not called (its reply is UNAVAILABLE), every reply is reported to it, and
// a store's call gets three quarters of the time left to `deadline`, so that
// one store that hangs fails in time for the others' answers to be used.
// Without it, every store is called with `deadline`. With `only`, a store it
// does not mark is not called either (its reply is UNAVAILABLE, not reported).
template <typename Response>
void FanOutEach(
    const std::vector<store::StoreEndpoint>& stores, store::StoreHealth* health,
    absl::Time deadline,
    const std::function<void(size_t, store::StoreClient*, absl::Time,
                             store::StoreClient::Callback<Response>)>& call,
    std::function<void(Replies<Response>)> done,
    const std::vector<bool>* only = nullptr) {
  struct Gather {
    Replies<Response> replies;
    std::atomic<size_t> remaining;
    std::function<void(Replies<Response>)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->replies.assign(stores.size(), absl::UnknownError("no reply"));
  gather->remaining = stores.size();
  gather->done = std::move(done);
  const absl::Time now = absl::Now();
  const absl::Time store_deadline = StoreDeadline(health, now, deadline);
  for (size_t s = 0; s < stores.size(); ++s) {
    auto reply_to = [gather, s](absl::StatusOr<Response> reply) {
      gather->replies[s] = std::move(reply);
      if (gather->remaining.fetch_sub(1) == 1) {
        gather->done(std::move(gather->replies));
      }
    };
    if (only != nullptr && !(*only)[s]) {
      reply_to(absl::UnavailableError("left out: it did not answer this read before"));
      continue;
    }
    if (health != nullptr && health->IsDown(s, now)) {
      reply_to(PassedOver());  // not reported: it is down already
      continue;
    }
    call(s, stores[s].client.get(), store_deadline,
         [health, s, reply_to = std::move(reply_to)](absl::StatusOr<Response> reply) {
           if (health != nullptr) health->Report(s, reply.status(), absl::Now());
           reply_to(std::move(reply));
         });
  }
}

// FanOutEach for a call that is the same for every store.
template <typename Response>
void FanOut(
    const std::vector<store::StoreEndpoint>& stores, store::StoreHealth* health,
    absl::Time deadline,
    const std::function<void(store::StoreClient*, absl::Time,
                             store::StoreClient::Callback<Response>)>& call,
    std::function<void(Replies<Response>)> done) {
  FanOutEach<Response>(
      stores, health, deadline,
      [&call](size_t, store::StoreClient* client, absl::Time store_deadline,
              store::StoreClient::Callback<Response> reply) {
        call(client, store_deadline, std::move(reply));
      },
      std::move(done));
}

// OK when fewer than `replicas` replies failed: every article has copies
// on `replicas` distinct stores (docs/REPLICATION.md), so the stores that
// answered hold at least one copy of each, and the answer is complete. Else
// UNAVAILABLE (or the failure's own code when only one store failed),
// naming every store that failed and why: a read that cannot promise a
// complete answer fails rather than answer in part.
template <typename Response>
absl::Status EnoughSucceeded(const std::vector<store::StoreEndpoint>& stores,
                             const Replies<Response>& replies, int replicas) {
  std::vector<std::string> failures;
  absl::StatusCode code = absl::StatusCode::kUnavailable;
  for (size_t s = 0; s < replies.size(); ++s) {
    if (replies[s].ok()) continue;
    failures.push_back(absl::StrCat("store ", stores[s].name, ": ",
                                    replies[s].status().message()));
    code = replies[s].status().code();
  }
  if (failures.size() < static_cast<size_t>(replicas)) return absl::OkStatus();
  if (failures.size() > 1) code = absl::StatusCode::kUnavailable;
  return absl::Status(code, absl::StrJoin(failures, "; "));
}

// What a sum over the stores that answered is multiplied by to count each
// article once: 1/replicas when every store answered (each article counted
// on `replicas` stores: exact once the placement is complete), scaled up by
// stores/answered when some did not (an estimate: those stores' share).
inline double CopyScale(size_t stores, size_t answered, int replicas) {
  if (answered == 0) return 0;
  return static_cast<double>(stores) /
         (static_cast<double>(answered) * static_cast<double>(replicas));
}

// How many of `replies` are OK.
template <typename Response>
size_t Answered(const Replies<Response>& replies) {
  size_t answered = 0;
  for (const auto& reply : replies) answered += reply.ok();
  return answered;
}

}  // namespace archive::query

#endif  // QUERY_FAN_OUT_H_
