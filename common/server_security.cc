#include "common/server_security.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace archive {

absl::StatusOr<std::unique_ptr<Authorizer>> ApplyServerSecurity(
    const ServerSecurity& security, Roles roles, const std::string& service,
    GrpcServerOptions* options) {
  if (security.tls.enabled()) {
    ASSIGN_OR_RETURN(options->credentials, MakeServerCredentials(security.tls));
  }
  options->insecure = security.insecure;
  if (security.auth_tokens.empty()) return std::unique_ptr<Authorizer>();
  absl::StatusOr<std::unique_ptr<Authorizer>> authorizer =
      Authorizer::Load(security.auth_tokens);
  if (!authorizer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--auth_tokens: ", authorizer.status().message()));
  }
  if (options->metrics != nullptr) (*authorizer)->CountFailuresIn(options->metrics.get());
  options->reflection = false;
  for (AdmissionGate* gate : options->admission_gates) {
    gate->RequireRoles(authorizer->get(), roles, service);
  }
  return authorizer;
}

}  // namespace archive
