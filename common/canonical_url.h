// The canonical form of an article's URL, under which the store indexes the
// revisions of one page, and the check of an article's `source` host name.
//
// CanonicalUrl keeps what names the page and drops what only says how the
// reader got there:
//   - the scheme and host in lower case (a non-ASCII host in its IDNA
//     "xn--" form, a trailing dot dropped), the port only if not the scheme's
//     default (80 for http, 443 for https);
//   - the path with "." and ".." segments resolved, "/" if empty;
//   - the query without tracking parameters (utm_*, fbclid, gclid, ...: see
//     canonical_url.cc), the others in their order, no "?" if none is left;
//   - no fragment;
//   - percent-escapes as RFC 3986 section 6.2.2 makes them comparable:
//     unreserved characters decoded, hex digits upper case, and non-ASCII
//     bytes and characters not allowed in a URI escaped (so an IRI and its
//     URI are one URL). A "%" not starting an escape is the character "%".
// Thread-safe.
#ifndef COMMON_CANONICAL_URL_H_
#define COMMON_CANONICAL_URL_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace archive {

// The canonical form of `url`, an absolute http or https URL with a host.
// INVALID_ARGUMENT, the message starting "url: " and saying why, for anything
// else: another scheme or a relative URL, no host or a malformed one, a bad
// port, user info ("user:password@"), whitespace or control characters.
absl::StatusOr<std::string> CanonicalUrl(std::string_view url);

// True when `host` is a lower-case DNS host name with at least two labels,
// such as "aawsat.com" or "xn--mgbh0fb.xn--kgbechtv": labels of 1 to 63
// letters, digits and hyphens, neither starting nor ending with a hyphen,
// separated by single dots, 253 characters at most, no trailing dot, and a
// last label that is not all digits (so no IPv4 address).
bool IsHostName(std::string_view host);

// `reference` (an href as a page writes it: absolute, "//host/p", "/p", "p",
// "../p", "?q", "#f") resolved against the absolute URL `base` as RFC 3986
// section 5.2 says, leading and trailing white space dropped; the result is
// not canonical (CanonicalUrl makes it so). Empty when neither is absolute.
std::string ResolveUrl(std::string_view base, std::string_view reference);

}  // namespace archive

#endif  // COMMON_CANONICAL_URL_H_
