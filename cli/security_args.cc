#include "cli/security_args.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"

namespace archive::cli {

absl::StatusOr<ClientSecurity> TakeSecurityArgs(std::vector<std::string>* args) {
  ClientTlsFiles files;
  std::string token_file;
  const std::pair<const char*, std::string*> flags[] = {
      {"--tls_ca", &files.ca},
      {"--tls_cert", &files.cert},
      {"--tls_key", &files.key},
      {"--token_file", &token_file}};
  std::vector<std::string> rest;
  for (size_t i = 0; i < args->size(); ++i) {
    const std::string& arg = (*args)[i];
    if (absl::StartsWith(arg, "--token=") || arg == "--token") {
      return absl::InvalidArgumentError(
          "--token: a token is not given as a flag, which ps shows to everyone; "
          "use --token_file=FILE or the environment variable ARCHIVE_TOKEN");
    }
    bool taken = false;
    for (const auto& [name, value] : flags) {
      if (absl::StartsWith(arg, absl::StrCat(name, "="))) {
        *value = arg.substr(std::string(name).size() + 1);
        taken = true;
      } else if (arg == name) {
        if (i + 1 == args->size()) {
          return absl::InvalidArgumentError(absl::StrCat(name, " needs a FILE"));
        }
        *value = (*args)[++i];
        taken = true;
      }
    }
    if (!taken) rest.push_back(arg);
  }
  *args = std::move(rest);
  absl::StatusOr<std::string> token = ReadClientToken(token_file);
  if (!token.ok()) return token.status();
  return MakeClientSecurity(files, *std::move(token));
}

}  // namespace archive::cli
