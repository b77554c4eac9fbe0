// StoreClient: the typed client of archive.v1.Store that ingest_server and
// query_server use, returning absl::StatusOr instead of grpc::Status.
//
// Every call takes a deadline; the store honours it. Thread-safe: one client
// may serve many concurrent calls over its channel.
#ifndef STORE_STORE_CLIENT_H_
#define STORE_STORE_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/v1/store.grpc.pb.h"

namespace archive::store {

class StoreClient {
 public:
  // `stub` may be any implementation (a real channel's, or a test double).
  explicit StoreClient(std::shared_ptr<v1::Store::StubInterface> stub);

  // A client over an insecure channel to HOST:PORT, with send and receive
  // limits that fit a full Put batch.
  static std::unique_ptr<StoreClient> Connect(const std::string& address);

  absl::StatusOr<v1::PutResponse> Put(const v1::PutRequest& request,
                                      absl::Time deadline);
  absl::StatusOr<v1::Article> Get(std::string_view id, absl::Time deadline);
  absl::StatusOr<v1::ScanResponse> Scan(const v1::ScanRequest& request,
                                        absl::Time deadline);
  absl::StatusOr<v1::StatsResponse> Stats(const v1::StatsRequest& request,
                                          absl::Time deadline);

 private:
  std::shared_ptr<v1::Store::StubInterface> stub_;
};

}  // namespace archive::store

#endif  // STORE_STORE_CLIENT_H_
