#include "common/canonical_url.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

std::string Canonical(std::string_view url) {
  absl::StatusOr<std::string> canonical = CanonicalUrl(url);
  EXPECT_TRUE(canonical.ok()) << url << ": " << canonical.status();
  return canonical.value_or("<error>");
}

TEST(CanonicalUrlTest, CanonicalUrlIsUnchanged) {
  for (const char* url : {
           "https://aawsat.com/",
           "https://english.aawsat.com/world/4093346-biden-and-kishida",
           "http://example.com:8080/a/b?x=1&y=2",
           "https://[2001:db8::1]:8443/path",
       }) {
    EXPECT_EQ(Canonical(url), url);
  }
}

TEST(CanonicalUrlTest, LowerCasesSchemeAndHostButNotPath) {
  EXPECT_EQ(Canonical("HTTPS://English.AAWSAT.com/World/Story?Id=7"),
            "https://english.aawsat.com/World/Story?Id=7");
}

TEST(CanonicalUrlTest, RemovesFragment) {
  EXPECT_EQ(Canonical("https://aawsat.com/a#comments"), "https://aawsat.com/a");
  EXPECT_EQ(Canonical("https://aawsat.com/a?p=2#top"),
            "https://aawsat.com/a?p=2");
  EXPECT_EQ(Canonical("https://aawsat.com#x"), "https://aawsat.com/");
}

TEST(CanonicalUrlTest, RemovesDefaultPortsOnly) {
  EXPECT_EQ(Canonical("http://aawsat.com:80/a"), "http://aawsat.com/a");
  EXPECT_EQ(Canonical("https://aawsat.com:443/a"), "https://aawsat.com/a");
  EXPECT_EQ(Canonical("https://aawsat.com:/a"), "https://aawsat.com/a");
  EXPECT_EQ(Canonical("http://aawsat.com:0080"), "http://aawsat.com/");
  EXPECT_EQ(Canonical("http://aawsat.com:443/a"), "http://aawsat.com:443/a");
  EXPECT_EQ(Canonical("https://aawsat.com:80/a"), "https://aawsat.com:80/a");
}

TEST(CanonicalUrlTest, EmptyPathIsSlash) {
  EXPECT_EQ(Canonical("https://aawsat.com"), "https://aawsat.com/");
  EXPECT_EQ(Canonical("https://aawsat.com?page=2"),
            "https://aawsat.com/?page=2");
}

TEST(CanonicalUrlTest, RemovesTrackingParametersKeepingTheOthersInOrder) {
  EXPECT_EQ(Canonical("https://aawsat.com/story?utm_source=twitter&id=42&"
                      "UTM_Medium=social&fbclid=IwAR0x&page=2&gclid=abc&"
                      "utm_campaign=spring"),
            "https://aawsat.com/story?id=42&page=2");
  EXPECT_EQ(Canonical("https://aawsat.com/story?dclid=1&msclkid=2&mc_cid=3&"
                      "mc_eid=4&igshid=5&_ga=6&yclid=7&FBCLID=8"),
            "https://aawsat.com/story");
  EXPECT_EQ(Canonical("https://aawsat.com/story?b=2&&a=1&utm_term"),
            "https://aawsat.com/story?b=2&a=1");
  // Only whole names are tracking parameters.
  EXPECT_EQ(Canonical("https://aawsat.com/s?fbclid_x=1&my_utm_source=2"),
            "https://aawsat.com/s?fbclid_x=1&my_utm_source=2");
}

TEST(CanonicalUrlTest, ResolvesDotSegments) {
  EXPECT_EQ(Canonical("https://aawsat.com/a/./b/../c"),
            "https://aawsat.com/a/c");
  EXPECT_EQ(Canonical("https://aawsat.com/a/b/.."), "https://aawsat.com/a/");
  EXPECT_EQ(Canonical("https://aawsat.com/../../a"), "https://aawsat.com/a");
  EXPECT_EQ(Canonical("https://aawsat.com/a/%2E%2E/b"), "https://aawsat.com/b");
}

TEST(CanonicalUrlTest, MakesPercentEscapesComparable) {
  // Unreserved characters decoded, hex digits upper case.
  EXPECT_EQ(Canonical("https://aawsat.com/%7euser/%41b%2fc?q=a%2bb"),
            "https://aawsat.com/~user/Ab%2Fc?q=a%2Bb");
  // A bare "%" is a percent sign.
  EXPECT_EQ(Canonical("https://aawsat.com/100%?x=5%z"),
            "https://aawsat.com/100%25?x=5%25z");
  // Characters a URI may not hold unescaped.
  EXPECT_EQ(Canonical("https://aawsat.com/a|b\"c<d>{e}^`\\"),
            "https://aawsat.com/a%7Cb%22c%3Cd%3E%7Be%7D%5E%60%5C");
}

TEST(CanonicalUrlTest, IriAndUriAreOneUrl) {
  const std::string iri = Canonical("https://aawsat.com/مقالات/بايدن");
  EXPECT_EQ(iri,
            "https://aawsat.com/%D9%85%D9%82%D8%A7%D9%84%D8%A7%D8%AA/"
            "%D8%A8%D8%A7%D9%8A%D8%AF%D9%86");
  EXPECT_EQ(Canonical("https://aawsat.com/%d9%85%d9%82%d8%a7%d9%84%d8%a7%d8%aa/"
                      "%d8%a8%d8%a7%d9%8a%d8%af%d9%86"),
            iri);
  EXPECT_EQ(Canonical("https://ko.example.com/기사?q=대통령"),
            "https://ko.example.com/%EA%B8%B0%EC%82%AC?"
            "q=%EB%8C%80%ED%86%B5%EB%A0%B9");
}

TEST(CanonicalUrlTest, InternationalHostBecomesPunycode) {
  EXPECT_EQ(Canonical("https://BÜCHER.example/"),
            "https://xn--bcher-kva.example/");
  EXPECT_EQ(Canonical("http://مثال.إختبار/"),
            "http://xn--mgbh0fb.xn--kgbechtv/");
  EXPECT_EQ(Canonical("https://aawsat.com./a"), "https://aawsat.com/a");
}

TEST(CanonicalUrlTest, RejectsWhatIsNotAnAbsoluteHttpUrl) {
  for (const char* url : {
           "",
           "aawsat.com/a",
           "/a/b",
           "//aawsat.com/a",
           "ftp://aawsat.com/",
           "mailto:news@aawsat.com",
           "https:aawsat.com",
           "javascript:alert(1)",
           "https:/aawsat.com/",
       }) {
    absl::StatusOr<std::string> canonical = CanonicalUrl(url);
    EXPECT_EQ(canonical.status().code(), absl::StatusCode::kInvalidArgument)
        << url;
    EXPECT_EQ(canonical.status().message(), "url: not an absolute http(s) URL")
        << url;
  }
}

TEST(CanonicalUrlTest, RejectsMalformedAuthoritiesSayingWhy) {
  struct Case {
    const char* url;
    const char* why;
  };
  for (const Case& c : {
           Case{"https:///a", "no host"},
           Case{"https://:443/a", "no host"},
           Case{"https://a..b/", "malformed host"},
           Case{"https://a%2Eb/", "malformed host"},
           Case{"https://[::1/", "malformed IP literal"},
           Case{"https://aawsat.com:https/", "bad port"},
           Case{"https://aawsat.com:65536/", "bad port"},
           Case{"https://user:secret@aawsat.com/", "user info"},
           Case{"https://xn--a.com\u200D/", "not a valid domain name"},
       }) {
    absl::StatusOr<std::string> canonical = CanonicalUrl(c.url);
    EXPECT_EQ(canonical.status().code(), absl::StatusCode::kInvalidArgument)
        << c.url;
    EXPECT_TRUE(absl::StartsWith(canonical.status().message(), "url: "))
        << canonical.status();
    EXPECT_TRUE(absl::StrContains(canonical.status().message(), c.why))
        << canonical.status();
  }
}

TEST(CanonicalUrlTest, RejectsWhitespaceAndControlCharacters) {
  for (const char* url : {
           "https://aawsat.com/a b",
           " https://aawsat.com/",
           "https://aawsat.com/\n",
           "https://aawsat.com/a\tb",
           "https://aawsat.com/\x7F",
           "https://aawsat.com/\x01",
       }) {
    EXPECT_EQ(CanonicalUrl(url).status().message(),
              "url: contains whitespace or a control character")
        << url;
  }
}

TEST(CanonicalUrlTest, IsIdempotent) {
  for (const char* url : {
           "HTTP://Example.COM:80/a/../b/%7e?utm_source=x&q=%e2%82%ac#f",
           "https://BÜCHER.example/مقالات?x=1%",
       }) {
    const std::string once = Canonical(url);
    EXPECT_EQ(Canonical(once), once);
  }
}

TEST(IsHostNameTest, AcceptsLowerCaseDnsNames) {
  for (const char* host : {
           "aawsat.com",
           "english.aawsat.com",
           "bbc.co.uk",
           "a.b",
           "xn--mgbh0fb.xn--kgbechtv",
           "news-24.example.org",
           "9news.com.au",
       }) {
    EXPECT_TRUE(IsHostName(host)) << host;
  }
  const std::string label63(63, 'a');
  EXPECT_TRUE(IsHostName(label63 + ".com"));
  // 253 characters: four labels of 61 and one of 5, with four dots.
  const std::string label61(61, 'b');
  EXPECT_TRUE(IsHostName(label61 + "." + label61 + "." + label61 + "." +
                         label61 + ".abcde"));
}

TEST(IsHostNameTest, RejectsEverythingElse) {
  const std::string label61(61, 'b');
  for (const std::string& host : {
           std::string(""),
           std::string("localhost"),
           std::string("Aawsat.com"),
           std::string("aawsat.com."),
           std::string(".aawsat.com"),
           std::string("aawsat..com"),
           std::string("-aawsat.com"),
           std::string("aawsat-.com"),
           std::string("aaw_sat.com"),
           std::string("aawsat.com:443"),
           std::string("https://aawsat.com"),
           std::string("aawsat.com/"),
           std::string("aaw sat.com"),
           std::string("192.168.0.1"),
           std::string("bücher.de"),
           std::string(64, 'a') + ".com",
           label61 + "." + label61 + "." + label61 + "." + label61 + ".abcdef",
       }) {
    EXPECT_FALSE(IsHostName(host)) << host;
  }
}

// RFC 3986 section 5.4.1's normal examples, and what news pages write.
TEST(ResolveUrlTest, ResolvesReferencesAsRfc3986Says) {
  const std::string base = "http://a/b/c/d;p?q";
  for (const auto& [reference, expected] :
       std::vector<std::pair<std::string, std::string>>{
           {"g:h", "g:h"},
           {"g", "http://a/b/c/g"},
           {"./g", "http://a/b/c/g"},
           {"g/", "http://a/b/c/g/"},
           {"/g", "http://a/g"},
           {"//g", "http://g"},
           {"?y", "http://a/b/c/d;p?y"},
           {"g?y", "http://a/b/c/g?y"},
           {"#s", "http://a/b/c/d;p?q#s"},
           {"g#s", "http://a/b/c/g#s"},
           {"..", "http://a/b/"},
           {"../g", "http://a/b/g"},
           {"../..", "http://a/"},
           {"../../g", "http://a/g"},
           {"", "http://a/b/c/d;p?q"},
       }) {
    EXPECT_EQ(ResolveUrl(base, reference), expected) << reference;
  }
  EXPECT_EQ(ResolveUrl("https://news.example/world/", "  story.html\n"),
            "https://news.example/world/story.html");
  EXPECT_EQ(ResolveUrl("https://news.example", "story"),
            "https://news.example/story");
}

TEST(ResolveUrlTest, IsEmptyWithoutAnAbsoluteUrl) {
  EXPECT_EQ(ResolveUrl("", "/story"), "");
  EXPECT_EQ(ResolveUrl("news.example/a", "b"), "");
  EXPECT_EQ(ResolveUrl("", "https://news.example/a"), "https://news.example/a");
}

}  // namespace
}  // namespace archive
