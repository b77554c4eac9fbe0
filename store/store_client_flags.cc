#include "store/store_client_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"

ABSL_FLAG(std::string, store_tls_ca, "",
          "PEM CA certificates that signed the stores' certificates: reach the "
          "stores over TLS");
ABSL_FLAG(std::string, store_tls_cert, "",
          "PEM certificate this server presents to the stores (mutual TLS)");
ABSL_FLAG(std::string, store_tls_key, "", "PEM private key of --store_tls_cert");
ABSL_FLAG(std::string, store_token_file, "",
          "file whose first line is the service token sent to the stores");

namespace archive::store {

absl::StatusOr<ClientSecurity> StoreClientSecurityFromFlags() {
  std::string token;
  if (const std::string file = absl::GetFlag(FLAGS_store_token_file); !file.empty()) {
    absl::StatusOr<std::string> read = ReadClientToken(file);
    if (!read.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--store_", read.status().message().substr(2)));
    }
    token = *std::move(read);
  }
  ClientTlsFiles files;
  files.ca = absl::GetFlag(FLAGS_store_tls_ca);
  files.cert = absl::GetFlag(FLAGS_store_tls_cert);
  files.key = absl::GetFlag(FLAGS_store_tls_key);
  absl::StatusOr<ClientSecurity> security = MakeClientSecurity(files, std::move(token));
  if (!security.ok()) {
    // MakeClientSecurity names the client flags (--tls_ca=...).
    return absl::InvalidArgumentError(
        absl::StrCat("--store_", security.status().message().substr(2)));
  }
  return security;
}

}  // namespace archive::store
