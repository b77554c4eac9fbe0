// Whether a service still admits new calls: open from construction until
// its server begins to shut down. Thread-safe.
//
// gRPC alone does not keep the shutdown contract: health checks say
// NOT_SERVING a moment before gRPC stops admitting calls, and a call that
// slips into that moment runs to the end (an ingest Submit then waits on the
// store for its whole deadline). GrpcServer::Shutdown closes every
// service's gate before health says NOT_SERVING, and each service checks its
// gate when a call starts, so whoever sees NOT_SERVING is refused after it.
#ifndef COMMON_ADMISSION_GATE_H_
#define COMMON_ADMISSION_GATE_H_

#include <atomic>

#include "absl/status/status.h"

namespace archive {

class AdmissionGate {
 public:
  bool open() const { return open_.load(std::memory_order_acquire); }
  void Close() { open_.store(false, std::memory_order_release); }

  // How a call that starts after the gate closed is finished.
  static absl::Status Refusal() {
    return absl::UnavailableError("server is shutting down");
  }

 private:
  std::atomic<bool> open_{true};
};

}  // namespace archive

#endif  // COMMON_ADMISSION_GATE_H_
