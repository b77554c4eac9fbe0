// The digests that WARC records carry (WARC-Block-Digest,
// WARC-Payload-Digest): "algorithm:value", by convention "sha1:" and the
// SHA-1 in RFC 4648 base32, as Heritrix, wget and warcio write them.
#ifndef CLI_WARC_DIGEST_H_
#define CLI_WARC_DIGEST_H_

#include <string>
#include <string_view>

namespace archive::cli {

// Computes a digest of a record's block or payload, fed in pieces.
// Not thread-safe.
class WarcDigest {
 public:
  WarcDigest();
  ~WarcDigest();
  WarcDigest(const WarcDigest&) = delete;
  WarcDigest& operator=(const WarcDigest&) = delete;

  void Update(std::string_view bytes);
  // "sha1:" and 32 base32 characters. Ends the digest.
  std::string Finish();

 private:
  struct State;
  State* state_;
};

// The "sha1:BASE32" digest of `bytes`.
std::string WarcSha1Digest(std::string_view bytes);

// Whether two digest fields name the same digest: the algorithm's name in
// any case, the base32 value in any case (writers differ).
bool SameWarcDigest(std::string_view a, std::string_view b);

}  // namespace archive::cli

#endif  // CLI_WARC_DIGEST_H_
