#include "common/tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace archive {
namespace {

using grpc::experimental::FileWatcherCertificateProvider;

absl::Status Invalid(absl::string_view flag, const std::string& path,
                     absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, "=", path, ": ", why));
}

absl::StatusOr<std::string> ReadPem(absl::string_view flag, const std::string& path) {
  if (path.empty()) return Invalid(flag, path, "required with the other TLS files");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(flag, path, "cannot be read");
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
using Certificate = std::unique_ptr<X509, X509Deleter>;
using PrivateKey = std::unique_ptr<EVP_PKEY, KeyDeleter>;

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

absl::StatusOr<Certificate> FirstCertificate(absl::string_view flag,
                                             const std::string& path) {
  absl::StatusOr<std::string> pem = ReadPem(flag, path);
  if (!pem.ok()) return pem.status();
  Bio bio = MemoryBio(*pem);
  Certificate cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return Invalid(flag, path, "holds no PEM certificate");
  return cert;
}

// The certificate and key files, checked to hold a pair that matches.
absl::Status CheckIdentity(absl::string_view cert_flag, const std::string& cert_path,
                           absl::string_view key_flag, const std::string& key_path) {
  absl::StatusOr<Certificate> cert = FirstCertificate(cert_flag, cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> pem = ReadPem(key_flag, key_path);
  if (!pem.ok()) return pem.status();
  Bio bio = MemoryBio(*pem);
  PrivateKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return Invalid(key_flag, key_path, "holds no PEM private key");
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    return Invalid(key_flag, key_path,
                   absl::StrCat("is not the key of the certificate in ", cert_path));
  }
  return absl::OkStatus();
}

unsigned RefreshSeconds() {
  return static_cast<unsigned>(absl::ToInt64Seconds(kCertificateRefresh));
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files) {
  if (!files.enabled()) return grpc::InsecureServerCredentials();
  if (absl::Status identity = CheckIdentity("tls_cert", files.cert, "tls_key", files.key);
      !identity.ok()) {
    return identity;
  }
  std::shared_ptr<FileWatcherCertificateProvider> provider;
  if (files.client_ca.empty()) {
    provider = std::make_shared<FileWatcherCertificateProvider>(files.key, files.cert,
                                                                RefreshSeconds());
  } else {
    absl::StatusOr<Certificate> ca = FirstCertificate("tls_client_ca", files.client_ca);
    if (!ca.ok()) return ca.status();
    provider = std::make_shared<FileWatcherCertificateProvider>(
        files.key, files.cert, files.client_ca, RefreshSeconds());
  }
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!files.client_ca.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

void ClientSecurity::Prepare(grpc::ClientContext* context) const {
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
}

ClientSecurity PlaintextClient() {
  return ClientSecurity{grpc::InsecureChannelCredentials(), ""};
}

absl::StatusOr<ClientSecurity> MakeClientSecurity(const ClientTlsFiles& files,
                                                  std::string token) {
  ClientSecurity security = PlaintextClient();
  security.token = std::move(token);
  if (!files.enabled()) return security;
  absl::StatusOr<Certificate> ca = FirstCertificate("tls_ca", files.ca);
  if (!ca.ok()) return ca.status();
  std::shared_ptr<FileWatcherCertificateProvider> provider;
  const bool identity = !files.cert.empty() || !files.key.empty();
  if (identity) {
    if (absl::Status checked = CheckIdentity("tls_cert", files.cert, "tls_key", files.key);
        !checked.ok()) {
      return checked;
    }
    provider = std::make_shared<FileWatcherCertificateProvider>(files.key, files.cert,
                                                                files.ca, RefreshSeconds());
  } else {
    provider = std::make_shared<FileWatcherCertificateProvider>(files.ca, RefreshSeconds());
  }
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (identity) options.watch_identity_key_cert_pairs();
  // The server's name (the HOST of the address dialled) must be in its
  // certificate.
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  options.set_check_call_host(true);
  security.credentials = grpc::experimental::TlsCredentials(options);
  return security;
}

bool IsLoopbackAddress(const std::string& host_port) {
  std::string host = host_port;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(1, host.find(']') - 1);  // [::1]:50052
  } else if (const size_t colon = host.rfind(':');
             colon != std::string::npos && host.find(':') == colon) {
    host = host.substr(0, colon);  // 127.0.0.1:50052, localhost:50052
  }
  host = absl::AsciiStrToLower(host);
  if (host == "localhost" || host == "::1") return true;
  int first = 0;
  return std::count(host.begin(), host.end(), '.') == 3 &&
         absl::SimpleAtoi(host.substr(0, host.find('.')), &first) && first == 127;
}

absl::Status CheckPlaintextListen(const std::string& listen_address, bool tls,
                                  bool insecure) {
  if (tls || insecure || IsLoopbackAddress(listen_address)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to serve plaintext on ", listen_address,
      ", which is not a loopback address: anyone who reaches it could read and "
      "write the archive; give --tls_cert and --tls_key, or --insecure to "
      "accept that"));
}

}  // namespace archive
