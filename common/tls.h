// TLS for the archive's servers and their clients, from certificate files,
// with gRPC's own TLS credentials: nothing cryptographic is written here.
//
// Certificates are re-read when their files change, without a restart
// (gRPC's FileWatcherCertificateProvider, every kCertificateRefresh): to
// rotate one, replace the files (the key first is fine; a pair that does not
// match yet is not taken until it does). Each file is checked once at start
// so that a wrong path or a key that does not match its certificate fails
// the server's start with a message naming the flag and the file, instead of
// every handshake later.
#ifndef COMMON_TLS_H_
#define COMMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace archive {

inline constexpr absl::Duration kCertificateRefresh = absl::Seconds(2);

// A server's certificate files; all empty for plaintext.
struct ServerTlsFiles {
  std::string cert;       // --tls_cert: PEM certificate chain
  std::string key;        // --tls_key: PEM private key
  std::string client_ca;  // --tls_client_ca: PEM CAs; set, clients must
                          // present a certificate they signed (mutual TLS)
  bool enabled() const { return !cert.empty() || !key.empty() || !client_ca.empty(); }
};

// Plaintext credentials when `files` is empty; else TLS, requiring and
// verifying client certificates when client_ca is set. INVALID_ARGUMENT
// naming the flag and the file when one is missing, unreadable, not PEM, or
// the key does not match the certificate.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// A client's: the CA that signed the server's certificate, and the client's
// own certificate and key when the server asks for one.
struct ClientTlsFiles {
  std::string ca;    // --tls_ca, --store_tls_ca
  std::string cert;  // --tls_cert, --store_tls_cert
  std::string key;   // --tls_key, --store_tls_key
  bool enabled() const { return !ca.empty() || !cert.empty() || !key.empty(); }
};

// What a client needs to call a server: channel credentials (TLS, the
// server's name checked against its certificate, or plaintext when `files`
// is empty) and the bearer token it sends on every call (empty: none).
struct ClientSecurity {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string token;

  // Adds the token to a call's metadata ("authorization: Bearer TOKEN").
  void Prepare(grpc::ClientContext* context) const;
};

// Plaintext without a token.
ClientSecurity PlaintextClient();

// INVALID_ARGUMENT naming the flag and the file, as for the server.
absl::StatusOr<ClientSecurity> MakeClientSecurity(const ClientTlsFiles& files,
                                                  std::string token);

// True for 127.0.0.0/8, ::1 and "localhost" (HOST of a HOST:PORT).
bool IsLoopbackAddress(const std::string& host_port);

// Plaintext only where it is safe: FAILED_PRECONDITION, in one line saying
// why and what to do, for plaintext on an address that is not loopback
// unless `insecure` (--insecure) says so.
absl::Status CheckPlaintextListen(const std::string& listen_address, bool tls,
                                  bool insecure);

}  // namespace archive

#endif  // COMMON_TLS_H_
