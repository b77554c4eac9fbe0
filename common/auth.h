// Who may call what: bearer tokens with roles, and the service identities
// of client certificates. One check point per service: AdmissionGate::Admit
// (common/admission_gate.h) asks the Authorizer at the start of every call.
//
// Roles (docs/SECURITY.md):
//   crawler  archive.v1.Ingest (Submit, SubmitStream)
//   reader   archive.v1.Query
//   admin    both, and archive.v1.Store (archivectl verify and rebalance)
//   service  archive.v1.Store: ingest_server and query_server
// Health checks need nothing.
//
// The tokens file (--auth_tokens) holds hashes, never tokens: one
// "ROLE CREDENTIAL" a line, '#' starting a comment, where CREDENTIAL is
//   sha256:HEX  the SHA-256 of a token, 64 lower-case hex digits
//               (printf %s TOKEN | sha256sum), or
//   cn:NAME     the common name of a client certificate verified by the
//               server's --tls_client_ca (a service's identity, mutual TLS).
// The file is read again when it changes (checked at most every second), so
// a token is added or revoked without a restart.
#ifndef COMMON_AUTH_H_
#define COMMON_AUTH_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "grpcpp/server_context.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace archive {

enum class Role { kCrawler, kReader, kAdmin, kService };
const char* RoleName(Role role);

// A set of roles, such as {kReader, kAdmin}.
class Roles {
 public:
  Roles(std::initializer_list<Role> roles) {
    for (Role role : roles) bits_ |= 1u << static_cast<int>(role);
  }
  bool Has(Role role) const { return (bits_ >> static_cast<int>(role)) & 1u; }
  // "reader or admin"
  std::string Describe() const;

 private:
  uint32_t bits_ = 0;
};

// "sha256:" and the SHA-256 of `token` in hex: what a tokens file holds.
std::string TokenHash(absl::string_view token);

// A client's token: the first line of `path` when set, else the environment
// variable ARCHIVE_TOKEN (never a flag, which `ps` shows), else empty.
// INVALID_ARGUMENT naming the file when it cannot be read or is empty.
absl::StatusOr<std::string> ReadClientToken(const std::string& path);

class Authorizer {
 public:
  // Reads the tokens file; INVALID_ARGUMENT "FILE:LINE: why" for a line
  // that is not "ROLE CREDENTIAL".
  static absl::StatusOr<std::unique_ptr<Authorizer>> Load(const std::string& path);

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // OK when the call carries a known token ("authorization: Bearer T") or
  // a verified client certificate whose role is in `allowed`. Else
  // UNAUTHENTICATED (no token, or one not known) or PERMISSION_DENIED
  // naming the roles `service` needs; neither message repeats the token.
  // Failures are logged with the peer's address, at most once a second
  // (with how many were not logged), and counted.
  absl::Status Check(const grpc::CallbackServerContext& context, Roles allowed,
                     absl::string_view service) ABSL_LOCKS_EXCLUDED(mutex_);

  // Failed checks since start.
  uint64_t failures() const ABSL_LOCKS_EXCLUDED(mutex_);

  // From now on each failure is also counted in `registry`:
  // archive_auth_failures_total{code} (UNAUTHENTICATED, PERMISSION_DENIED).
  // Call before the server starts.
  void CountFailuresIn(prometheus::Registry* registry);

 private:
  using Credentials = std::map<std::string, Role>;  // "sha256:..." or "cn:..."

  Authorizer(std::string path, Credentials credentials, int64_t modified);
  static absl::StatusOr<Credentials> Parse(const std::string& path);

  // Reads the file again when it changed since; keeps the old credentials
  // (and logs why) when the new file does not parse.
  void ReloadIfChangedLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status Fail(const grpc::CallbackServerContext& context, absl::Status status)
      ABSL_LOCKS_EXCLUDED(mutex_);

  const std::string path_;
  prometheus::Family<prometheus::Counter>* failure_counters_ = nullptr;
  mutable Mutex mutex_;
  Credentials credentials_ ABSL_GUARDED_BY(mutex_);
  int64_t modified_ ABSL_GUARDED_BY(mutex_);
  absl::Time checked_ ABSL_GUARDED_BY(mutex_);
  uint64_t failures_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Time last_logged_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  uint64_t not_logged_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace archive

#endif  // COMMON_AUTH_H_
