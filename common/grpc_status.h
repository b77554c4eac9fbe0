// The one place where absl::Status and grpc::Status are converted. Their
// codes are the same numbers, so only the type changes.
#ifndef COMMON_GRPC_STATUS_H_
#define COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace archive {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace archive

#endif  // COMMON_GRPC_STATUS_H_
