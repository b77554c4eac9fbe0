// Content fingerprints: the digest that makes two crawls one article, and the
// id derived from it.
//
// content_digest = SHA-256(title "\n\n" body) of the normalized text, as 64
// lower-case hex digits; id = its first 32 hex digits (128 bits). Because the
// id derives from the content, a retried submit is idempotent.
#ifndef COMMON_FINGERPRINT_H_
#define COMMON_FINGERPRINT_H_

#include <initializer_list>
#include <string>
#include <string_view>

namespace archive {

inline constexpr size_t kIdHexLength = 32;
inline constexpr size_t kDigestHexLength = 64;

// SHA-256 of the concatenated `parts`, as lower-case hex.
std::string Sha256Hex(std::initializer_list<std::string_view> parts);

// SHA-256 of title "\n\n" body, lower-case hex. Expects normalized text.
std::string ContentDigest(std::string_view title, std::string_view body);

// The id of the article whose content_digest is `digest`.
std::string IdFromDigest(std::string_view digest);

// True when `id` has the form of an id: 32 lower-case hex digits.
bool IsWellFormedId(std::string_view id);

// True when `digest` has the form of a digest: 64 lower-case hex digits.
bool IsWellFormedDigest(std::string_view digest);

}  // namespace archive

#endif  // COMMON_FINGERPRINT_H_
