#include "cli/warc_digest.h"

#include <openssl/evp.h>

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/string_view.h"

namespace archive::cli {

struct WarcDigest::State {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(context); }
};

WarcDigest::WarcDigest() : state_(new State) {
  EVP_DigestInit_ex(state_->context, EVP_sha1(), nullptr);
}

WarcDigest::~WarcDigest() { delete state_; }

void WarcDigest::Update(std::string_view bytes) {
  EVP_DigestUpdate(state_->context, bytes.data(), bytes.size());
}

std::string WarcDigest::Finish() {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->context, hash, &length);
  // RFC 4648 base32: 160 bits are exactly 32 characters, no padding.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string digest = "sha1:";
  uint64_t buffer = 0;
  int bits = 0;
  for (unsigned int i = 0; i < length; ++i) {
    const unsigned char byte = hash[i];
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      digest += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return digest;
}

std::string WarcSha1Digest(std::string_view bytes) {
  WarcDigest digest;
  digest.Update(bytes);
  return digest.Finish();
}

bool SameWarcDigest(std::string_view a, std::string_view b) {
  const absl::string_view left = absl::StripAsciiWhitespace(AbslView(a));
  const absl::string_view right = absl::StripAsciiWhitespace(AbslView(b));
  return !left.empty() && absl::EqualsIgnoreCase(left, right);
}

}  // namespace archive::cli
