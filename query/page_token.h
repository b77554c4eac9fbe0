// query_server's page tokens: opaque to clients, resumable, and stable while
// articles are added, because a token names the last result returned (by
// publication time and id, and score for search), not an offset.
//
// The text is base64url of the serialized PageTokenBody and a 64-bit
// checksum over it, so a malformed or altered token is INVALID_ARGUMENT
// rather than a wrong page; so is a token from another query (its
// fingerprint differs). The checksum guards against damage, not forgery: a
// forged token can only choose where its own query resumes.
#ifndef QUERY_PAGE_TOKEN_H_
#define QUERY_PAGE_TOKEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/page_token.pb.h"

namespace archive::query {

// The fingerprint of a query from its parts (kind, filters, words).
std::string QueryFingerprint(const std::vector<std::string>& parts);

std::string EncodePageToken(PageTokenBody body);

// INVALID_ARGUMENT naming page_token when `token` is not one this server
// made, or was made for another query than `fingerprint`.
absl::StatusOr<PageTokenBody> DecodePageToken(const std::string& token,
                                              const std::string& fingerprint);

}  // namespace archive::query

#endif  // QUERY_PAGE_TOKEN_H_
