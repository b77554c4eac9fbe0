#include "common/fingerprint.h"

#include <openssl/evp.h>

#include <array>

namespace archive {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string Sha256Hex(std::initializer_list<std::string_view> parts) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int length = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  for (std::string_view part : parts) EVP_DigestUpdate(context, part.data(), part.size());
  EVP_DigestFinal_ex(context, digest.data(), &length);
  EVP_MD_CTX_free(context);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * length, '\0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string ContentDigest(std::string_view title, std::string_view body) {
  return Sha256Hex({title, "\n\n", body});
}

std::string IdFromDigest(std::string_view digest) {
  return std::string(digest.substr(0, kIdHexLength));
}

bool IsWellFormedId(std::string_view id) {
  return id.size() == kIdHexLength && IsLowerHex(id);
}

bool IsWellFormedDigest(std::string_view digest) {
  return digest.size() == kDigestHexLength && IsLowerHex(digest);
}

}  // namespace archive
