#include "common/server_flags.h"

#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve TLS (with --tls_key); re-read when the "
          "file changes");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: require and verify client certificates signed "
          "by them (mutual TLS)");
ABSL_FLAG(bool, insecure, false,
          "serve plaintext on an address that is not loopback (refused "
          "otherwise)");
ABSL_FLAG(std::string, auth_tokens, "",
          "file of \"ROLE sha256:HEX\" and \"ROLE cn:NAME\" lines: calls need a "
          "token or certificate with a role (docs/SECURITY.md); re-read when "
          "it changes");

ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on, at /metrics (off when "
          "empty)");

ABSL_FLAG(std::string, health_listen, "",
          "HOST:PORT of a plaintext port that serves grpc.health.v1 and "
          "nothing else, for probes that cannot do TLS (off when empty)");

namespace archive {

std::string MetricsListenFromFlags() { return absl::GetFlag(FLAGS_metrics_listen); }

std::string HealthListenFromFlags() { return absl::GetFlag(FLAGS_health_listen); }

ServerSecurity ServerSecurityFromFlags() {
  ServerSecurity security;
  security.tls.cert = absl::GetFlag(FLAGS_tls_cert);
  security.tls.key = absl::GetFlag(FLAGS_tls_key);
  security.tls.client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  security.insecure = absl::GetFlag(FLAGS_insecure);
  security.auth_tokens = absl::GetFlag(FLAGS_auth_tokens);
  return security;
}

}  // namespace archive
