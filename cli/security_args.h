// The flags every archivectl verb takes to reach servers that need TLS or a
// token:
//   --tls_ca=FILE     the CA that signed the servers' certificates (TLS on)
//   --tls_cert=FILE   this client's certificate, where a server asks for one
//   --tls_key=FILE    its key
//   --token_file=FILE the bearer token, first line; else $ARCHIVE_TOKEN.
// A token is never a flag: `ps` shows flags to every user of the machine.
#ifndef CLI_SECURITY_ARGS_H_
#define CLI_SECURITY_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tls.h"

namespace archive::cli {

// Takes those flags out of `args` (before the verb parses the rest) and
// makes the client's security from them. INVALID_ARGUMENT naming the flag
// and file when one is wrong, or when --token is given.
absl::StatusOr<ClientSecurity> TakeSecurityArgs(std::vector<std::string>* args);

}  // namespace archive::cli

#endif  // CLI_SECURITY_ARGS_H_
