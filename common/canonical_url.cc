#include "common/canonical_url.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "unicode/bytestream.h"
#include "unicode/idna.h"
#include "unicode/stringpiece.h"
#include "unicode/utypes.h"

namespace archive {
namespace {

// Debian's abseil has its own string_view, not std::string_view: the parsing
// below works on absl::string_view.

// Query parameters that identify a campaign, a click or a visitor, not the
// page. Matched without regard to case, as is the "utm_" prefix.
constexpr absl::string_view kTrackingParameters[] = {
    "_ga",     "_gl",    "_hsenc", "_hsmi",  "dclid",  "fbclid",
    "gbraid",  "gclid",  "igshid", "mc_cid", "mc_eid", "mkt_tok",
    "msclkid", "ttclid", "twclid", "wbraid", "yclid",
};
constexpr absl::string_view kTrackingPrefix = "utm_";

absl::Status InvalidUrl(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("url: ", why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 pchar, plus the "/" and "?" that paths and queries may hold.
bool MayStayUnescaped(unsigned char c) {
  static constexpr absl::string_view kSubDelimsEtc = "!$&'()*+,;=:@/?";
  return IsUnreserved(c) || kSubDelimsEtc.find(c) != absl::string_view::npos;
}

void AppendEscape(unsigned char c, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xf]);
}

// `part` (a path or a query) with comparable percent-escapes.
std::string NormalizeEscapes(absl::string_view part) {
  std::string out;
  out.reserve(part.size());
  for (size_t i = 0; i < part.size(); ++i) {
    const auto c = static_cast<unsigned char>(part[i]);
    if (c == '%' && i + 2 < part.size() && HexValue(part[i + 1]) >= 0 &&
        HexValue(part[i + 2]) >= 0) {
      const auto decoded = static_cast<unsigned char>(
          HexValue(part[i + 1]) * 16 + HexValue(part[i + 2]));
      if (IsUnreserved(decoded)) {
        out.push_back(static_cast<char>(decoded));
      } else {
        AppendEscape(decoded, out);
      }
      i += 2;
    } else if (c != '%' && MayStayUnescaped(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      AppendEscape(c, out);
    }
  }
  return out;
}

// RFC 3986 section 5.2.4 on a path that starts with "/"; "" becomes "/".
std::string RemoveDotSegments(absl::string_view path) {
  if (path.empty()) return "/";
  std::vector<absl::string_view> segments;
  const std::vector<absl::string_view> input =
      absl::StrSplit(path.substr(1), '/');
  for (size_t i = 0; i < input.size(); ++i) {
    const bool last = i + 1 == input.size();
    if (input[i] == "..") {
      if (!segments.empty()) segments.pop_back();
      if (last) segments.push_back("");
    } else if (input[i] == ".") {
      if (last) segments.push_back("");
    } else {
      segments.push_back(input[i]);
    }
  }
  return absl::StrCat("/", absl::StrJoin(segments, "/"));
}

bool IsTrackingParameter(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (absl::StartsWith(lower, kTrackingPrefix)) return true;
  for (absl::string_view tracking : kTrackingParameters) {
    if (lower == tracking) return true;
  }
  return false;
}

// `query` (escapes normalized) without tracking parameters and empty ones.
std::string RemoveTrackingParameters(absl::string_view query) {
  std::vector<absl::string_view> kept;
  for (absl::string_view parameter : absl::StrSplit(query, '&')) {
    if (parameter.empty()) continue;
    if (IsTrackingParameter(parameter.substr(0, parameter.find('=')))) {
      continue;
    }
    kept.push_back(parameter);
  }
  return absl::StrJoin(kept, "&");
}

const icu::IDNA* Uts46() {
  static const icu::IDNA* const idna = [] {
    UErrorCode error = U_ZERO_ERROR;
    icu::IDNA* uts46 = icu::IDNA::createUTS46Instance(
        UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_CHECK_BIDI |
            UIDNA_CHECK_CONTEXTJ,
        error);
    return U_SUCCESS(error) ? uts46 : nullptr;
  }();
  return idna;
}

absl::StatusOr<std::string> ToAsciiHost(absl::string_view host) {
  const icu::IDNA* idna = Uts46();
  if (idna == nullptr) return absl::InternalError("ICU IDNA unavailable");
  std::string ascii;
  icu::StringByteSink<std::string> sink(&ascii);
  icu::IDNAInfo info;
  UErrorCode error = U_ZERO_ERROR;
  idna->nameToASCII_UTF8(
      icu::StringPiece(host.data(), static_cast<int32_t>(host.size())), sink,
      info, error);
  if (U_FAILURE(error) || info.hasErrors()) {
    return InvalidUrl(
        absl::StrCat("host \"", host, "\" is not a valid domain name"));
  }
  return ascii;
}

absl::StatusOr<std::string> CanonicalHost(absl::string_view host) {
  if (host.empty()) return InvalidUrl("no host");
  if (host.front() == '[' || host.back() == ']') {
    if (host.size() < 3 || host.front() != '[' || host.back() != ']') {
      return InvalidUrl(absl::StrCat("malformed IP literal \"", host, "\""));
    }
    for (char c : host.substr(1, host.size() - 2)) {
      if (!absl::ascii_isxdigit(c) && c != ':' && c != '.') {
        return InvalidUrl(absl::StrCat("malformed IP literal \"", host, "\""));
      }
    }
    return absl::AsciiStrToLower(host);
  }
  const bool is_ascii = std::all_of(host.begin(), host.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
  std::string canonical;
  if (is_ascii) {
    canonical = absl::AsciiStrToLower(host);
  } else {
    ASSIGN_OR_RETURN(canonical, ToAsciiHost(host));
  }
  if (canonical.size() > 1 && canonical.back() == '.') canonical.pop_back();
  for (absl::string_view label : absl::StrSplit(canonical, '.')) {
    const bool well_formed =
        !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
          return absl::ascii_isalnum(c) || c == '-' || c == '_';
        });
    if (!well_formed) {
      return InvalidUrl(absl::StrCat("malformed host \"", host, "\""));
    }
  }
  return canonical;
}

// The port to write after the host: "" for none or the scheme's default,
// else the number without leading zeros.
absl::StatusOr<std::string> CanonicalPort(absl::string_view port,
                                          absl::string_view scheme) {
  uint32_t value = 0;
  for (char c : port) {
    if (!absl::ascii_isdigit(c)) {
      return InvalidUrl(absl::StrCat("bad port \"", port, "\""));
    }
    value = value * 10 + (c - '0');
    if (value > 65535) {
      return InvalidUrl(absl::StrCat("bad port \"", port, "\""));
    }
  }
  if (port.empty() || (scheme == "http" && value == 80) ||
      (scheme == "https" && value == 443)) {
    return std::string();
  }
  return absl::StrCat(":", value);
}

// The scheme of an absolute URL ("https" of "https://a.b/"), or empty.
absl::string_view SchemeOf(absl::string_view url) {
  for (size_t i = 0; i < url.size(); ++i) {
    const char c = url[i];
    if (c == ':') return i == 0 ? absl::string_view() : url.substr(0, i);
    if (!absl::ascii_isalpha(c) &&
        (i == 0 || (!absl::ascii_isdigit(c) && c != '+' && c != '-' &&
                    c != '.'))) {
      return absl::string_view();
    }
  }
  return absl::string_view();
}

}  // namespace

absl::StatusOr<std::string> CanonicalUrl(std::string_view url_text) {
  const absl::string_view url(url_text.data(), url_text.size());
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidUrl("contains whitespace or a control character");
    }
  }
  const size_t colon = url.find(':');
  if (colon == absl::string_view::npos) {
    return InvalidUrl("not an absolute http(s) URL");
  }
  const std::string scheme = absl::AsciiStrToLower(url.substr(0, colon));
  if ((scheme != "http" && scheme != "https") ||
      url.substr(colon + 1, 2) != "//") {
    return InvalidUrl("not an absolute http(s) URL");
  }
  absl::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find('#'));
  const absl::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  rest.remove_prefix(authority.size());
  const absl::string_view path = rest.substr(0, rest.find('?'));
  rest.remove_prefix(path.size());
  const absl::string_view query = rest.empty() ? rest : rest.substr(1);

  if (authority.find('@') != absl::string_view::npos) {
    return InvalidUrl("user info (user:password@) is not allowed");
  }
  size_t port_colon = authority.rfind(':');
  if (absl::StartsWith(authority, "[")) {
    // An IP literal's colons are inside its brackets.
    const size_t bracket = authority.rfind(']');
    if (bracket == absl::string_view::npos || port_colon < bracket) {
      port_colon = absl::string_view::npos;
    }
  }
  const absl::string_view host = authority.substr(0, port_colon);
  const absl::string_view port = port_colon == absl::string_view::npos
                                     ? absl::string_view()
                                     : authority.substr(port_colon + 1);

  ASSIGN_OR_RETURN(const std::string canonical_host, CanonicalHost(host));
  ASSIGN_OR_RETURN(const std::string canonical_port,
                   CanonicalPort(port, scheme));
  std::string canonical =
      absl::StrCat(scheme, "://", canonical_host, canonical_port,
                   RemoveDotSegments(NormalizeEscapes(path)));
  const std::string kept_query =
      RemoveTrackingParameters(NormalizeEscapes(query));
  if (!kept_query.empty()) absl::StrAppend(&canonical, "?", kept_query);
  return canonical;
}

bool IsHostName(std::string_view host_text) {
  const absl::string_view host(host_text.data(), host_text.size());
  if (host.empty() || host.size() > 253) return false;
  const std::vector<absl::string_view> labels = absl::StrSplit(host, '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'z') && c != '-') {
        return false;
      }
    }
  }
  // An all-numeric last label would make an IPv4 address a host name.
  const absl::string_view last = labels.back();
  return !std::all_of(last.begin(), last.end(),
                      [](char c) { return absl::ascii_isdigit(c); });
}

std::string ResolveUrl(std::string_view base_text,
                       std::string_view reference_text) {
  const absl::string_view base =
      absl::StripAsciiWhitespace({base_text.data(), base_text.size()});
  const absl::string_view reference = absl::StripAsciiWhitespace(
      {reference_text.data(), reference_text.size()});
  if (!SchemeOf(reference).empty()) return std::string(reference);
  const absl::string_view scheme = SchemeOf(base);
  if (scheme.empty()) return std::string();
  if (absl::StartsWith(reference, "//")) {
    return absl::StrCat(scheme, ":", reference);
  }
  // base = scheme ":" ["//" authority] path ["?" query] ["#" fragment]
  absl::string_view rest = base.substr(scheme.size() + 1);
  absl::string_view authority;
  if (absl::StartsWith(rest, "//")) {
    authority = rest.substr(0, rest.find_first_of("/?#", 2));
    rest.remove_prefix(authority.size());
  }
  const absl::string_view without_fragment = rest.substr(0, rest.find('#'));
  const absl::string_view path =
      without_fragment.substr(0, without_fragment.find('?'));
  const std::string prefix = absl::StrCat(scheme, ":", authority);
  if (reference.empty()) return absl::StrCat(prefix, without_fragment);
  if (reference[0] == '#') {
    return absl::StrCat(prefix, without_fragment, reference);
  }
  if (reference[0] == '?') return absl::StrCat(prefix, path, reference);
  const size_t end_of_path = reference.find_first_of("?#");
  const absl::string_view reference_path = reference.substr(0, end_of_path);
  const absl::string_view suffix = end_of_path == absl::string_view::npos
                                       ? absl::string_view()
                                       : reference.substr(end_of_path);
  std::string merged;
  if (reference_path[0] == '/') {
    merged = std::string(reference_path);
  } else if (!authority.empty() && path.empty()) {
    merged = absl::StrCat("/", reference_path);
  } else {
    merged = absl::StrCat(path.substr(0, path.rfind('/') + 1), reference_path);
    if (merged[0] != '/') merged.insert(0, "/");
  }
  return absl::StrCat(prefix, RemoveDotSegments(merged), suffix);
}

}  // namespace archive
