// What secures one of the archive's servers, as its flags give it, and its
// application to the server about to start: TLS credentials, whether
// plaintext off loopback is accepted, and the roles its calls need.
//
// Flags (common/server_flags.h defines them for the binaries):
//   --tls_cert, --tls_key, --tls_client_ca   TLS, mutual with a client CA
//   --insecure                               plaintext on a network address
//   --auth_tokens=FILE                       roles for tokens and
//                                            certificates (common/auth.h)
#ifndef COMMON_SERVER_SECURITY_H_
#define COMMON_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/grpc_server.h"
#include "common/tls.h"

namespace archive {

struct ServerSecurity {
  ServerTlsFiles tls;
  bool insecure = false;
  // The tokens file; empty: any caller may call (loopback and tests).
  std::string auth_tokens;
};

// Sets options->credentials, insecure and reflection, and makes every gate
// of options->admission_gates require one of `roles` (refusals naming
// `service`). Returns the Authorizer the gates use, to be kept until the
// server is gone (null when there is no tokens file). INVALID_ARGUMENT
// naming the flag and file when a file is wrong.
absl::StatusOr<std::unique_ptr<Authorizer>> ApplyServerSecurity(
    const ServerSecurity& security, Roles roles, const std::string& service,
    GrpcServerOptions* options);

}  // namespace archive

#endif  // COMMON_SERVER_SECURITY_H_
