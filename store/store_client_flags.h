// How ingest_server and query_server reach the stores, from their flags:
// TLS (the CA that signed the stores' certificates, and this server's own
// certificate when the stores require one) and the service token.
#ifndef STORE_STORE_CLIENT_FLAGS_H_
#define STORE_STORE_CLIENT_FLAGS_H_

#include "absl/status/statusor.h"
#include "common/tls.h"

namespace archive::store {

// After absl::ParseCommandLine. INVALID_ARGUMENT naming the flag and file
// when one is wrong.
absl::StatusOr<ClientSecurity> StoreClientSecurityFromFlags();

}  // namespace archive::store

#endif  // STORE_STORE_CLIENT_FLAGS_H_
