// StoreClient: the typed client of archive.v1.Store that ingest_server and
// query_server use, returning absl::StatusOr instead of grpc::Status.
//
// Every call takes a deadline; the store honours it. Thread-safe: one client
// may serve many concurrent calls over its channel.
#ifndef STORE_STORE_CLIENT_H_
#define STORE_STORE_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/store.grpc.pb.h"
#include "common/tls.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace archive::store {

class StoreClient {
 public:
  // `stub` may be any implementation (a real channel's, or a test double);
  // `security`'s token, when set, goes with every call (common/auth.h).
  explicit StoreClient(std::shared_ptr<v1::Store::StubInterface> stub,
                       ClientSecurity security = PlaintextClient());

  // From now on every call's time and failure is recorded in `registry`
  // under this store's name: archive_store_call_seconds{store,method} and
  // archive_store_call_failures_total{store,method,code}. Call before any
  // call is made.
  void RecordMetrics(prometheus::Registry* registry, const std::string& store);

  // A client over a channel to HOST:PORT secured by `security` (TLS and a
  // token, or plaintext), with send and receive limits that fit a full Put
  // batch.
  static std::unique_ptr<StoreClient> Connect(
      const std::string& address, const ClientSecurity& security = PlaintextClient());

  absl::StatusOr<v1::PutResponse> Put(const v1::PutRequest& request,
                                      absl::Time deadline);
  absl::StatusOr<v1::Article> Get(std::string_view id, absl::Time deadline);
  absl::StatusOr<v1::ScanResponse> Scan(const v1::ScanRequest& request,
                                        absl::Time deadline);
  absl::StatusOr<v1::SearchResponse> Search(const v1::SearchRequest& request,
                                            absl::Time deadline);
  absl::StatusOr<v1::StatsResponse> Stats(const v1::StatsRequest& request,
                                          absl::Time deadline);
  absl::StatusOr<v1::CountResponse> Count(const v1::CountRequest& request,
                                          absl::Time deadline);
  absl::StatusOr<v1::VerifyResponse> Verify(const v1::VerifyRequest& request,
                                            absl::Time deadline);
  absl::StatusOr<v1::FindSimilarResponse> FindSimilar(
      const v1::FindSimilarRequest& request, absl::Time deadline);
  absl::StatusOr<v1::DeleteResponse> Delete(const v1::DeleteRequest& request,
                                            absl::Time deadline);

  // Asynchronous forms, for servers that must not block a thread per call:
  // `done` runs once, on a gRPC thread, when the call ends; it must not
  // block.
  template <typename Response>
  using Callback = std::function<void(absl::StatusOr<Response>)>;
  void PutAsync(v1::PutRequest request, absl::Time deadline,
                Callback<v1::PutResponse> done);
  void GetAsync(v1::GetRequest request, absl::Time deadline,
                Callback<v1::Article> done);
  void ScanAsync(v1::ScanRequest request, absl::Time deadline,
                 Callback<v1::ScanResponse> done);
  void SearchAsync(v1::SearchRequest request, absl::Time deadline,
                   Callback<v1::SearchResponse> done);
  void StatsAsync(v1::StatsRequest request, absl::Time deadline,
                  Callback<v1::StatsResponse> done);
  void CountAsync(v1::CountRequest request, absl::Time deadline,
                  Callback<v1::CountResponse> done);
  void FindSimilarAsync(v1::FindSimilarRequest request, absl::Time deadline,
                        Callback<v1::FindSimilarResponse> done);

 private:
  // What each call records when RecordMetrics was called; null otherwise.
  struct CallMetrics {
    std::string store;
    prometheus::Family<prometheus::Histogram>* seconds;
    prometheus::Family<prometheus::Counter>* failures;
    void Record(const char* method, absl::Duration took, const absl::Status& status) const;
  };

  std::shared_ptr<v1::Store::StubInterface> stub_;
  const ClientSecurity security_;
  std::shared_ptr<const CallMetrics> metrics_;
};

// One store as the other servers see it: its name (the --stores entry, which
// is also what rendezvous routing hashes) and a client.
struct StoreEndpoint {
  std::string name;
  std::unique_ptr<StoreClient> client;
};

// Splits and checks a --stores value ("h1:p1,h2:p2"): INVALID_ARGUMENT naming
// --stores when it is empty, has an empty or repeated entry, or an entry that
// is not HOST:PORT.
absl::StatusOr<std::vector<std::string>> ParseStoreList(const std::string& flag);

// Checks a --replicas value against the number of --stores:
// INVALID_ARGUMENT naming --replicas unless 1 <= replicas <= store_count.
absl::Status ValidateReplicas(int replicas, size_t store_count);

// Endpoints for `addresses`, each over its own channel; with `metrics`,
// each records its calls there (StoreClient::RecordMetrics).
std::vector<StoreEndpoint> ConnectStores(
    const std::vector<std::string>& addresses,
    const ClientSecurity& security = PlaintextClient(),
    prometheus::Registry* metrics = nullptr);

// The names of `stores`, in order: what PickStore (common/rendezvous.h) takes.
std::vector<std::string> StoreNames(const std::vector<StoreEndpoint>& stores);

}  // namespace archive::store

#endif  // STORE_STORE_CLIENT_H_
