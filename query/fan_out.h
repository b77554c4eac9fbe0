// Calls every store at once and gathers the replies.
#ifndef QUERY_FAN_OUT_H_
#define QUERY_FAN_OUT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "store/store_client.h"

namespace archive::query {

template <typename Response>
using Replies = std::vector<absl::StatusOr<Response>>;

// Starts `call(store, callback)` on every store and, once the last reply is
// in, runs `done` with the replies in store order (on a gRPC thread).
template <typename Response>
void FanOut(
    const std::vector<store::StoreEndpoint>& stores,
    const std::function<void(store::StoreClient*,
                             store::StoreClient::Callback<Response>)>& call,
    std::function<void(Replies<Response>)> done) {
  struct Gather {
    Replies<Response> replies;
    std::atomic<size_t> remaining;
    std::function<void(Replies<Response>)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->replies.assign(stores.size(), absl::UnknownError("no reply"));
  gather->remaining = stores.size();
  gather->done = std::move(done);
  for (size_t s = 0; s < stores.size(); ++s) {
    call(stores[s].client.get(), [gather, s](absl::StatusOr<Response> reply) {
      gather->replies[s] = std::move(reply);
      if (gather->remaining.fetch_sub(1) == 1) {
        gather->done(std::move(gather->replies));
      }
    });
  }
}

// OK when every reply is; else the first failure, its message prefixed with
// the store's name. A read that cannot hear from every store cannot promise
// a complete answer, so it fails rather than answer in part.
template <typename Response>
absl::Status AllSucceeded(const std::vector<store::StoreEndpoint>& stores,
                          const Replies<Response>& replies) {
  for (size_t s = 0; s < replies.size(); ++s) {
    if (!replies[s].ok()) {
      return absl::Status(replies[s].status().code(),
                          absl::StrCat("store ", stores[s].name, ": ",
                                       replies[s].status().message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace archive::query

#endif  // QUERY_FAN_OUT_H_
