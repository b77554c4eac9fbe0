// Fuzzes query_server's page tokens (query/page_token.h).
//
// Properties: any string decodes without crashing, to INVALID_ARGUMENT naming
// page_token unless it is a token made for this query; a token that decodes
// is refused by every other query, is spelled exactly as EncodePageToken
// spells its bytes (no second spelling of a token is accepted), and its body
// survives another round trip; a body built from the input survives a round
// trip, and altering any one character of its token makes it malformed.
//
// The checksum guards against damage, not forgery (page_token.h): libFuzzer
// may learn a checksum from the comparison and forge a token, which is fine.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "common/deterministic_bytes.h"
#include "query/page_token.h"
#include "tests/fuzz/fuzz_support.h"

namespace archive::fuzz {
namespace {

using ::archive::query::PageTokenBody;

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The query most seed tokens were made for, and another one.
const std::string& Fingerprint() {
  static const std::string* const fingerprint =
      new std::string(query::QueryFingerprint({"list", "aawsat.com"}));
  return *fingerprint;
}

const std::string& OtherFingerprint() {
  static const std::string* const fingerprint =
      new std::string(query::QueryFingerprint({"list", ""}));
  return *fingerprint;
}

std::string Message(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

void CheckRefused(const absl::StatusOr<PageTokenBody>& decoded) {
  FUZZ_CHECK(!decoded.ok(), "token accepted");
  FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument,
             Message(decoded.status()));
  FUZZ_CHECK(Message(decoded.status()).rfind("page_token: ", 0) == 0,
             Message(decoded.status()));
}

bool SameBody(const PageTokenBody& a, const PageTokenBody& b) {
  return DeterministicBytes(a) == DeterministicBytes(b);
}

// The whole input as a token.
void CheckArbitraryToken(const std::string& token) {
  const absl::StatusOr<PageTokenBody> decoded =
      query::DecodePageToken(token, Fingerprint());
  const absl::StatusOr<PageTokenBody> foreign =
      query::DecodePageToken(token, OtherFingerprint());
  if (!foreign.ok()) CheckRefused(foreign);
  if (!decoded.ok()) {
    CheckRefused(decoded);
    return;
  }
  FUZZ_CHECK(!foreign.ok(), "one token accepted by two queries");
  FUZZ_CHECK(decoded->query_fingerprint() == Fingerprint(), "fingerprint");
  std::string bytes;
  FUZZ_CHECK(absl::WebSafeBase64Unescape(token, &bytes), "not base64url");
  FUZZ_CHECK(absl::WebSafeBase64Escape(bytes) == token,
             "accepted another spelling of the token " +
                 absl::WebSafeBase64Escape(bytes));
  const absl::StatusOr<PageTokenBody> again =
      query::DecodePageToken(query::EncodePageToken(*decoded), Fingerprint());
  FUZZ_CHECK(again.ok() && SameBody(*again, *decoded), "body round trip");
}

// A body built from the input.
void CheckRoundTrip(FuzzInput& input) {
  PageTokenBody body;
  body.set_query_fingerprint(Fingerprint());
  body.set_seconds(static_cast<int64_t>(input.Integer(8)));
  body.set_nanos(static_cast<int32_t>(input.Integer(4)));
  body.set_id(input.String());
  const uint64_t score_bits = input.Integer(8);
  double score;
  static_assert(sizeof(score) == sizeof(score_bits));
  std::memcpy(&score, &score_bits, sizeof(score));
  body.set_score(score);
  body.set_document_count(input.Integer(8));
  body.set_total_terms(input.Integer(8));
  for (int terms = input.Byte() % 4; terms > 0; --terms) {
    (*body.mutable_document_frequency())[input.String()] = input.Integer(8);
  }
  const size_t altered_at = input.Integer(2);
  const char replacement = kBase64UrlAlphabet[input.Byte() % 64];
  if (!IsValidUtf8(body.id())) return;  // proto3 strings are UTF-8
  for (const auto& [term, count] : body.document_frequency()) {
    if (!IsValidUtf8(term)) return;
  }

  const std::string token = query::EncodePageToken(body);
  const absl::StatusOr<PageTokenBody> decoded =
      query::DecodePageToken(token, Fingerprint());
  FUZZ_CHECK(decoded.ok(), Message(decoded.status()));
  body.set_version(decoded->version());
  FUZZ_CHECK(SameBody(*decoded, body), "body round trip");

  const absl::StatusOr<PageTokenBody> foreign =
      query::DecodePageToken(token, OtherFingerprint());
  CheckRefused(foreign);
  FUZZ_CHECK(
      Message(foreign.status()).find("another query") != std::string::npos,
      Message(foreign.status()));

  std::string altered = token;
  altered[altered_at % altered.size()] = replacement;
  if (altered != token) {
    CheckRefused(query::DecodePageToken(altered, Fingerprint()));
  }
}

}  // namespace
}  // namespace archive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  archive::fuzz::CheckArbitraryToken(
      std::string(reinterpret_cast<const char*>(data), size));
  archive::fuzz::FuzzInput input(data, size);
  archive::fuzz::CheckRoundTrip(input);
  return 0;
}
