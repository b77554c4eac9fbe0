// Asks a server for its grpc.health.v1 status: how clients (tests,
// deploy scripts through archivectl) wait for a server to come up.
#ifndef COMMON_HEALTH_CLIENT_H_
#define COMMON_HEALTH_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"

namespace archive {

enum class ServingStatus { kUnknown, kServing, kNotServing };

// The status of `service` ("" for the server as a whole).
absl::StatusOr<ServingStatus> CheckHealth(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
    absl::Time deadline);

// Polls until the server at `address` reports SERVING; DEADLINE_EXCEEDED
// when it does not within `timeout`.
// Plaintext unless `credentials` says otherwise.
absl::Status WaitUntilServing(const std::string& address, absl::Duration timeout,
                              std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace archive

#endif  // COMMON_HEALTH_CLIENT_H_
