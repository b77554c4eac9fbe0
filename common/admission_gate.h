// Whether a service admits a call: the one check every call of the
// archive's services passes first, as it starts.
//
// Two things are checked, in order:
//  - The gate is open: from construction until its server begins to shut
//    down. gRPC alone does not keep the shutdown contract: health checks say
//    NOT_SERVING a moment before gRPC stops admitting calls, and a call that
//    slips into that moment runs to the end (an ingest Submit then waits on
//    the store for its whole deadline). GrpcServer::Shutdown closes every
//    service's gate before health says NOT_SERVING, so whoever sees
//    NOT_SERVING is refused after it.
//  - When roles are required (RequireRoles, before the server starts), the
//    caller's token or certificate has one of them (common/auth.h).
// Thread-safe.
#ifndef COMMON_ADMISSION_GATE_H_
#define COMMON_ADMISSION_GATE_H_

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "common/auth.h"
#include "grpcpp/server_context.h"

namespace archive {

class AdmissionGate {
 public:
  bool open() const { return open_.load(std::memory_order_acquire); }
  void Close() { open_.store(false, std::memory_order_release); }

  // From now on a call must also pass `authorizer` (not owned; it must
  // outlive the gate) with one of `roles`; `service` names the service in
  // refusals ("archive.v1.Ingest"). Call before the server starts.
  void RequireRoles(Authorizer* authorizer, Roles roles, std::string service) {
    authorizer_ = authorizer;
    roles_ = roles;
    service_ = std::move(service);
  }

  // OK when the call may go on; else the status to finish it with.
  absl::Status Admit(const grpc::CallbackServerContext& context) const {
    if (!open()) return Refusal();
    if (authorizer_ == nullptr) return absl::OkStatus();
    return authorizer_->Check(context, roles_, service_);
  }

  // How a call that starts after the gate closed is finished.
  static absl::Status Refusal() {
    return absl::UnavailableError("server is shutting down");
  }

 private:
  std::atomic<bool> open_{true};
  Authorizer* authorizer_ = nullptr;
  Roles roles_{};
  std::string service_;
};

}  // namespace archive

#endif  // COMMON_ADMISSION_GATE_H_
