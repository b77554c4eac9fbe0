#include "query/page_token.h"

#include "gtest/gtest.h"

namespace archive::query {
namespace {

TEST(PageTokenTest, RoundTrips) {
  const std::string fingerprint = QueryFingerprint({"list", "aawsat.com"});
  PageTokenBody body;
  body.set_query_fingerprint(fingerprint);
  body.set_seconds(-5);
  body.set_id("0123456789abcdef0123456789abcdef");
  (*body.mutable_document_frequency())["japan"] = 7;
  const std::string token = EncodePageToken(body);
  auto decoded = DecodePageToken(token, fingerprint);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->seconds(), -5);
  EXPECT_EQ(decoded->id(), body.id());
  EXPECT_EQ(decoded->document_frequency().at("japan"), 7u);
}

TEST(PageTokenTest, EveryAlteredCharacterIsRefused) {
  const std::string fingerprint = QueryFingerprint({"list", ""});
  PageTokenBody body;
  body.set_query_fingerprint(fingerprint);
  body.set_seconds(1673568000);
  body.set_id("0123456789abcdef0123456789abcdef");
  const std::string token = EncodePageToken(body);
  for (size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    auto decoded = DecodePageToken(altered, fingerprint);
    ASSERT_FALSE(decoded.ok()) << "position " << i;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message().substr(0, 11), "page_token:");
  }
}

TEST(PageTokenTest, OnlyTheTokensOwnSpellingIsAccepted) {
  const std::string fingerprint = QueryFingerprint({"list", ""});
  PageTokenBody body;
  body.set_query_fingerprint(fingerprint);
  body.set_id("0123456789abcdef0123456789abcdef");
  for (int id_bytes = 0; id_bytes < 3; ++id_bytes) {
    body.mutable_id()->push_back('x');  // every length modulo 3
    const std::string token = EncodePageToken(body);
    ASSERT_TRUE(DecodePageToken(token, fingerprint).ok());
    std::string stray_bits = token;
    stray_bits.back() = stray_bits.back() == 'A' ? 'B' : 'A';
    for (const std::string& other :
         {token + "=", token + "==", token + "\n", " " + token, stray_bits}) {
      EXPECT_EQ(DecodePageToken(other, fingerprint).status().code(),
                absl::StatusCode::kInvalidArgument)
          << other;
    }
  }
}

TEST(PageTokenTest, MalformedAndForeignTokensAreInvalidArgument) {
  const std::string mine = QueryFingerprint({"list", "a.com"});
  const std::string theirs = QueryFingerprint({"list", "b.com"});
  for (const std::string& garbage : {std::string(""), std::string("!!!"),
                                     std::string("AAAA"), std::string(500, 'x')}) {
    EXPECT_EQ(DecodePageToken(garbage, mine).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  PageTokenBody body;
  body.set_query_fingerprint(theirs);
  auto decoded = DecodePageToken(EncodePageToken(body), mine);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("another query"), std::string::npos);
}

TEST(QueryFingerprintTest, PartsAreUnambiguous) {
  EXPECT_NE(QueryFingerprint({"ab", "c"}), QueryFingerprint({"a", "bc"}));
  EXPECT_EQ(QueryFingerprint({"a", "b"}), QueryFingerprint({"a", "b"}));
}

}  // namespace
}  // namespace archive::query
