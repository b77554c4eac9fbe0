#include "common/auth.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/fingerprint.h"
#include "common/logging.h"
#include "grpc/grpc_security_constants.h"

namespace archive {
namespace {

constexpr Role kAllRoles[] = {Role::kCrawler, Role::kReader, Role::kAdmin,
                              Role::kService};
constexpr absl::Duration kReloadCheck = absl::Seconds(1);
constexpr char kBearer[] = "Bearer ";

// The file's modification time in nanoseconds, or -1 when it cannot be read.
int64_t ModifiedAt(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return -1;
  return int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
}

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kCrawler:
      return "crawler";
    case Role::kReader:
      return "reader";
    case Role::kAdmin:
      return "admin";
    case Role::kService:
      return "service";
  }
  return "?";
}

std::string Roles::Describe() const {
  std::vector<std::string> names;
  for (Role role : kAllRoles) {
    if (Has(role)) names.push_back(RoleName(role));
  }
  return absl::StrJoin(names, " or ");
}

std::string TokenHash(absl::string_view token) {
  return absl::StrCat("sha256:", Sha256Hex({std::string_view(token.data(), token.size())}));
}

absl::StatusOr<std::string> ReadClientToken(const std::string& path) {
  if (path.empty()) {
    const char* environment = std::getenv("ARCHIVE_TOKEN");
    return std::string(environment == nullptr ? "" : environment);
  }
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token_file=", path, ": cannot be read"));
  }
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token_file=", path, ": its first line is empty"));
  }
  return token;
}

absl::StatusOr<Authorizer::Credentials> Authorizer::Parse(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot be read"));
  Credentials credentials;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    std::vector<std::string> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    auto invalid = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", why));
    };
    if (fields.size() != 2) return invalid("expected \"ROLE sha256:HEX\" or \"ROLE cn:NAME\"");
    std::optional<Role> role;
    for (Role known : kAllRoles) {
      if (fields[0] == RoleName(known)) role = known;
    }
    if (!role.has_value()) {
      return invalid(absl::StrCat("unknown role \"", absl::CEscape(fields[0]),
                                  "\" (crawler, reader, admin or service)"));
    }
    const std::string& credential = fields[1];
    if (absl::StartsWith(credential, "sha256:")) {
      const std::string_view hex = std::string_view(credential).substr(7);
      if (hex.size() != 64 || !IsLowerHex(hex)) {
        return invalid("a token's hash is sha256: and 64 lower-case hex digits "
                       "(printf %s TOKEN | sha256sum); the file holds no tokens");
      }
    } else if (absl::StartsWith(credential, "cn:")) {
      if (credential.size() == 3) return invalid("cn: needs a certificate's common name");
    } else {
      return invalid("a credential is sha256:HEX or cn:NAME");
    }
    if (!credentials.emplace(credential, *role).second) {
      return invalid("the same credential again");
    }
  }
  return credentials;
}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Load(const std::string& path) {
  const int64_t modified = ModifiedAt(path);
  absl::StatusOr<Credentials> credentials = Parse(path);
  if (!credentials.ok()) return credentials.status();
  return std::unique_ptr<Authorizer>(
      new Authorizer(path, *std::move(credentials), modified));
}

Authorizer::Authorizer(std::string path, Credentials credentials, int64_t modified)
    : path_(std::move(path)),
      credentials_(std::move(credentials)),
      modified_(modified),
      checked_(absl::Now()) {}

void Authorizer::ReloadIfChangedLocked(absl::Time now) {
  if (now - checked_ < kReloadCheck) return;
  checked_ = now;
  const int64_t modified = ModifiedAt(path_);
  if (modified == modified_) return;
  modified_ = modified;
  absl::StatusOr<Credentials> credentials = Parse(path_);
  if (!credentials.ok()) {
    ARCHIVE_LOG(WARNING) << "tokens file not reloaded, the old one stays in force: "
                         << credentials.status().message();
    return;
  }
  credentials_ = *std::move(credentials);
  ARCHIVE_LOG(INFO) << "tokens file " << path_ << " reloaded: " << credentials_.size()
                    << " credential(s)";
}

absl::Status Authorizer::Check(const grpc::CallbackServerContext& context,
                               Roles allowed, absl::string_view service) {
  // The call's own token, else its verified certificate's common name.
  std::string credential;
  const auto& metadata = context.client_metadata();
  const auto authorization = metadata.find("authorization");
  if (authorization != metadata.end()) {
    const absl::string_view value(authorization->second.data(),
                                 authorization->second.size());
    if (!absl::StartsWith(value, kBearer)) {
      return Fail(context, absl::UnauthenticatedError(
                               "authorization metadata must be \"Bearer TOKEN\""));
    }
    credential = TokenHash(value.substr(sizeof(kBearer) - 1));
  } else if (std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
             auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const grpc::string_ref& name : auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
      credential = absl::StrCat("cn:", absl::string_view(name.data(), name.size()));
    }
  }
  if (credential.empty()) {
    return Fail(context, absl::UnauthenticatedError(absl::StrCat(
                             service, " needs a token: send \"authorization: Bearer "
                                      "TOKEN\" (archivectl: --token_file or ARCHIVE_TOKEN)")));
  }
  std::optional<Role> role;
  {
    MutexLock lock(&mutex_);
    ReloadIfChangedLocked(absl::Now());
    const auto found = credentials_.find(credential);
    if (found != credentials_.end()) role = found->second;
  }
  if (!role.has_value()) {
    return Fail(context, absl::UnauthenticatedError(
                             absl::StartsWith(credential, "cn:")
                                 ? absl::StrCat("certificate ", credential, " has no role")
                                 : std::string("unknown token")));
  }
  if (!allowed.Has(*role)) {
    return Fail(context, absl::PermissionDeniedError(absl::StrCat(
                             service, " needs the ", allowed.Describe(), " role; this is ",
                             RoleName(*role), "'s")));
  }
  return absl::OkStatus();
}

void Authorizer::CountFailuresIn(prometheus::Registry* registry) {
  failure_counters_ = &prometheus::BuildCounter()
                           .Name("archive_auth_failures_total")
                           .Help("Calls refused for their token or certificate, by code.")
                           .Register(*registry);
}

absl::Status Authorizer::Fail(const grpc::CallbackServerContext& context,
                              absl::Status status) {
  if (failure_counters_ != nullptr) {
    failure_counters_->Add({{"code", absl::StatusCodeToString(status.code())}}).Increment();
  }
  const absl::Time now = absl::Now();
  MutexLock lock(&mutex_);
  ++failures_;
  if (now - last_logged_ < absl::Seconds(1)) {
    ++not_logged_;
    return status;
  }
  ARCHIVE_LOG(WARNING) << "refused a call from " << context.peer() << ": " << status
                       << (not_logged_ > 0
                               ? absl::StrCat(" (and ", not_logged_, " more not logged)")
                               : std::string());
  last_logged_ = now;
  not_logged_ = 0;
  return status;
}

uint64_t Authorizer::failures() const {
  MutexLock lock(&mutex_);
  return failures_;
}

}  // namespace archive
