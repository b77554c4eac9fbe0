#include "query/page_token.h"

#include <openssl/evp.h>

#include <array>

#include "absl/strings/escaping.h"

namespace archive::query {
namespace {

constexpr uint32_t kPageTokenVersion = 1;
constexpr size_t kChecksumBytes = 8;

std::string Sha256(const std::string& bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(),
             nullptr);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string Checksum(const std::string& body) {
  return Sha256("archive.query.PageToken\n" + body).substr(0, kChecksumBytes);
}

}  // namespace

std::string QueryFingerprint(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) {
    joined += std::to_string(part.size());
    joined += ':';
    joined += part;
  }
  return Sha256(joined).substr(0, 16);
}

std::string EncodePageToken(PageTokenBody body) {
  body.set_version(kPageTokenVersion);
  std::string bytes;
  body.SerializeToString(&bytes);
  bytes += Checksum(bytes);
  return absl::WebSafeBase64Escape(bytes);
}

absl::StatusOr<PageTokenBody> DecodePageToken(const std::string& token,
                                              const std::string& fingerprint) {
  std::string bytes;
  // absl's decoder also takes padding, white space and stray low bits: only
  // the one spelling EncodePageToken makes is a token.
  if (!absl::WebSafeBase64Unescape(token, &bytes) || bytes.size() < kChecksumBytes ||
      absl::WebSafeBase64Escape(bytes) != token) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  const std::string body_bytes = bytes.substr(0, bytes.size() - kChecksumBytes);
  PageTokenBody body;
  if (bytes.substr(body_bytes.size()) != Checksum(body_bytes) ||
      !body.ParseFromString(body_bytes) || body.version() != kPageTokenVersion) {
    return absl::InvalidArgumentError("page_token: malformed or altered");
  }
  if (body.query_fingerprint() != fingerprint) {
    return absl::InvalidArgumentError(
        "page_token: belongs to another query (a token is only valid with the "
        "same filters and words)");
  }
  return body;
}

}  // namespace archive::query
