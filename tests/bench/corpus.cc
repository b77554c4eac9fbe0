#include "tests/bench/corpus.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/proto_time.h"

namespace archive::bench {
namespace {

// Independent random streams of one article.
enum Stream : uint64_t { kKindStream = 1, kOriginalStream, kContentStream, kQueryStream };

// SplitMix64: small, fast, and the same on every platform (unlike the
// standard library's distributions), so a seed means the same corpus
// everywhere.
class Random {
 public:
  Random(uint64_t seed, int64_t index, Stream stream)
      : state_(seed * 0x9e3779b97f4a7c15ULL ^
               static_cast<uint64_t>(index) * 0xbf58476d1ce4e5b9ULL ^
               static_cast<uint64_t>(stream) * 0x94d049bb133111ebULL) {
    Next();
  }

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [low, high].
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low + 1)));
  }
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

constexpr const char* kTopLevelDomains[] = {"com",    "com", "com", "org", "net", "co.uk",
                                            "com.au", "de",  "fr",  "in",  "ca",  "ie"};
constexpr const char* kAgencies[] = {"Reuters", "AP",     "AFP",    "Bloomberg", "dpa",
                                     "Kyodo",   "Xinhua", "Yonhap", "Anadolu",   "ANSA"};
// Older originals a duplicate may repeat: the recent past of the crawl.
constexpr int64_t kRepeatWindow = 20'000;
// Outlets' shares of the crawl fall off as 1 / rank^this.
constexpr double kSourceExponent = 0.8;

std::string Capitalized(std::string word) {
  if (!word.empty()) word[0] = absl::ascii_toupper(word[0]);
  return word;
}

// Names in the news: some are in every other story, most turn up now and
// then (Zipf-like over this many).
constexpr double kNames = 20'000;

// A made-up proper name ("Stimora").
std::string Name(Random& random) {
  const uint64_t rank = static_cast<uint64_t>(std::exp(random.Unit() * std::log(kNames)));
  return Capitalized(PseudoWord(rank ^ 0x6e616d6573ULL));
}

std::string PersonName(Random& random) {
  return absl::StrCat(Name(random), " ", Name(random));
}

std::string Number(Random& random) {
  switch (random.Below(4)) {
    case 0:
      return absl::StrCat(random.Between(1990, 2024));
    case 1:
      return absl::StrCat(random.Between(2, 99));
    case 2:
      return absl::StrFormat("%d,%03d", random.Between(1, 99), random.Between(0, 999));
    default:
      return absl::StrFormat("%d.%d", random.Between(1, 20), random.Between(0, 9));
  }
}

std::string Word(const Vocabulary& vocabulary, Random& random) {
  return vocabulary.word(vocabulary.RankFor(random.Unit()));
}

// 6 to 28 words, a capital first, a full stop last.
std::string Sentence(const Vocabulary& vocabulary, Random& random, int min_words,
                     int max_words) {
  const int words = static_cast<int>(random.Between(min_words, max_words));
  std::string sentence;
  for (int w = 0; w < words; ++w) {
    std::string word;
    const double kind = random.Unit();
    if (kind < 0.03) {
      word = Name(random);
    } else if (kind < 0.04) {
      word = Number(random);
    } else {
      word = Word(vocabulary, random);
    }
    if (w == 0) word = Capitalized(std::move(word));
    if (w > 0) sentence += ' ';
    sentence += word;
    if (w + 1 < words && random.Chance(0.06)) sentence += ',';
  }
  sentence += '.';
  return sentence;
}

std::string Headline(const Vocabulary& vocabulary, Random& random) {
  std::string title = Sentence(vocabulary, random, 6, 14);
  title.pop_back();  // headlines have no full stop
  return title;
}

// Paragraphs of sentences, separated by blank lines, of about `target`
// bytes (at most one sentence more).
std::string Body(const Vocabulary& vocabulary, Random& random, size_t target) {
  std::string body;
  while (body.size() < target) {
    if (!body.empty()) body += "\n\n";
    const int sentences = static_cast<int>(random.Between(2, 6));
    for (int s = 0; s < sentences && body.size() < target; ++s) {
      if (s > 0) body += ' ';
      body += Sentence(vocabulary, random, 6, 28);
    }
  }
  return body;
}

std::string Slug(const std::string& title, int64_t index) {
  std::vector<std::string> words;
  std::string word;
  for (char c : title) {
    if (absl::ascii_isalnum(c)) {
      word += absl::ascii_tolower(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
    if (words.size() == 6) break;
  }
  if (!word.empty() && words.size() < 6) words.push_back(word);
  return absl::StrCat(absl::StrJoin(words, "-"), "-", index);
}

std::string ArticleUrl(const std::string& source, absl::Time published,
                       const std::string& title, int64_t index) {
  return absl::StrCat("https://www.", source, "/",
                      absl::FormatTime("%Y/%m/%d", published, absl::UTCTimeZone()), "/",
                      Slug(title, index));
}

// The same text as a sloppier crawl saves it: CRLF line ends, some no-break
// spaces, trailing spaces; NormalizeBody undoes all of it.
std::string WithInvisibleDifferences(const std::string& text, Random& random) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') {
      out += "  \r\n";
    } else if (c == ' ' && random.Chance(0.02)) {
      out += "\xc2\xa0";  // U+00A0 NO-BREAK SPACE
    } else {
      out += c;
    }
  }
  return out;
}

// Replaces one word of `body`, away from its ends, with another word.
void CorrectOneWord(const Vocabulary& vocabulary, Random& random, std::string* body) {
  const size_t from = body->size() / 10 + random.Below(body->size() * 8 / 10 + 1);
  const size_t start = body->find(' ', from);
  if (start == std::string::npos) return;
  size_t end = start + 1;
  while (end < body->size() && absl::ascii_isalpha((*body)[end])) ++end;
  if (end == start + 1) return;
  const std::string old_word = body->substr(start + 1, end - start - 1);
  std::string word = Word(vocabulary, random);
  while (word == old_word) word = Word(vocabulary, random);
  body->replace(start + 1, end - start - 1, word);
}

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return ToAbslTime(timestamp);
}

}  // namespace

size_t TextBytes(const v1::Article& article) {
  size_t bytes = article.title().size() + article.body().size();
  for (const std::string& caption : article.captions()) bytes += caption.size();
  return bytes;
}

Corpus::Corpus(CorpusOptions options)
    : options_(std::move(options)),
      vocabulary_(options_.vocabulary_size, options_.zipf_exponent) {
  Random random(options_.seed, -1, kContentStream);
  std::unordered_set<std::string> seen;
  while (static_cast<int>(sources_.size()) < options_.source_count) {
    std::string host = PseudoWord(random.Next());
    if (random.Chance(0.5)) host += PseudoWord(random.Next()).substr(0, 4);
    if (random.Chance(0.3)) host += random.Chance(0.5) ? "news" : "times";
    host = absl::StrCat(
        host, ".",
        kTopLevelDomains[random.Below(sizeof(kTopLevelDomains) / sizeof(char*))]);
    if (seen.insert(host).second) sources_.push_back(std::move(host));
  }
  double total = 0;
  for (size_t rank = 0; rank < sources_.size(); ++rank) {
    total += 1.0 / std::pow(static_cast<double>(rank + 1), kSourceExponent);
    source_cumulative_.push_back(total);
  }
  for (double& c : source_cumulative_) c /= total;
  source_cumulative_.back() = 1.0;
}

ArticleKind Corpus::Kind(int64_t index) const {
  if (index == 0) return ArticleKind::kOriginal;
  Random random(options_.seed, index, kKindStream);
  const double u = random.Unit();
  if (u < options_.exact_duplicate_share) return ArticleKind::kExactDuplicate;
  if (u < options_.exact_duplicate_share + options_.near_duplicate_share) {
    return ArticleKind::kNearDuplicate;
  }
  return ArticleKind::kOriginal;
}

int64_t Corpus::OriginalOf(int64_t index) const {
  if (Kind(index) == ArticleKind::kOriginal) return index;
  Random random(options_.seed, index, kOriginalStream);
  const int64_t low = std::max<int64_t>(0, index - kRepeatWindow);
  int64_t original = low + static_cast<int64_t>(random.Below(index - low));
  while (Kind(original) != ArticleKind::kOriginal) --original;  // 0 is one
  return original;
}

v1::Article Corpus::Original(int64_t index) const {
  Random random(options_.seed, index, kContentStream);
  v1::Article article;
  const size_t source = std::upper_bound(source_cumulative_.begin(),
                                         source_cumulative_.end(), random.Unit()) -
                        source_cumulative_.begin();
  article.set_source(sources_[std::min(source, sources_.size() - 1)]);
  const int64_t span_seconds = absl::ToInt64Seconds(options_.span);
  const absl::Time published =
      options_.first_published + absl::Seconds(random.Below(span_seconds));
  *article.mutable_published_at() = ToProtoTimestamp(published);
  *article.mutable_crawled_at() =
      ToProtoTimestamp(published + absl::Seconds(random.Between(300, 86'400)));
  article.set_title(Headline(vocabulary_, random));
  const size_t low = options_.min_body_bytes;
  const size_t high = std::max(low, options_.max_body_bytes - 256);
  article.set_body(Body(vocabulary_, random, low + random.Below(high - low + 1)));
  if (random.Chance(0.4)) article.add_captions(Sentence(vocabulary_, random, 8, 16));
  const int authors = static_cast<int>(random.Below(3));
  for (int a = 0; a < authors; ++a) article.add_authors(PersonName(random));
  article.set_language("en");
  article.set_url(ArticleUrl(article.source(), published, article.title(), index));
  return article;
}

v1::Article Corpus::Article(int64_t index) const {
  const ArticleKind kind = Kind(index);
  if (kind == ArticleKind::kOriginal) return Original(index);

  v1::Article article = Original(OriginalOf(index));
  Random random(options_.seed, index, kContentStream);
  const size_t other_source = std::upper_bound(source_cumulative_.begin(),
                                               source_cumulative_.end(), random.Unit()) -
                              source_cumulative_.begin();
  std::string other = sources_[std::min(other_source, sources_.size() - 1)];
  if (other == article.source()) other = sources_[(other_source + 1) % sources_.size()];
  const absl::Time published = TimeOf(article.published_at());

  if (kind == ArticleKind::kExactDuplicate) {
    // Crawled again, later: the outlet's other URL for it, or syndicated.
    const absl::Time crawled =
        TimeOf(article.crawled_at()) + absl::Seconds(random.Between(3'600, 30 * 86'400));
    *article.mutable_crawled_at() = ToProtoTimestamp(crawled);
    if (random.Chance(0.5)) {
      article.set_url(absl::StrCat(article.url(), "/amp"));
    } else {
      article.set_source(other);
      article.set_url(ArticleUrl(other, published, article.title(), index));
    }
    if (random.Chance(0.3)) {
      article.set_title(absl::StrCat(article.title(), " "));
      article.set_body(WithInvisibleDifferences(article.body(), random));
    }
    return article;
  }

  // A near duplicate: the wire story re-published by another outlet.
  const absl::Time republished =
      published + absl::Seconds(random.Between(600, 3 * 86'400));
  *article.mutable_published_at() = ToProtoTimestamp(republished);
  *article.mutable_crawled_at() =
      ToProtoTimestamp(republished + absl::Seconds(random.Between(300, 86'400)));
  article.set_source(other);
  article.set_title(Headline(vocabulary_, random));
  std::string body = article.body();
  CorrectOneWord(vocabulary_, random, &body);
  const char* agency = kAgencies[random.Below(sizeof(kAgencies) / sizeof(char*))];
  body = absl::StrCat(absl::AsciiStrToUpper(Name(random)), " (", agency, ") - ", body,
                      "\n\nReporting by ", PersonName(random), "; Editing by ",
                      PersonName(random));
  article.set_body(std::move(body));
  article.clear_captions();
  article.clear_authors();
  article.set_url(ArticleUrl(other, republished, article.title(), index));
  return article;
}

std::string Corpus::SearchWords(int64_t index, int words, size_t min_rank,
                                size_t max_rank) const {
  Random random(options_.seed, index, kQueryStream);
  max_rank = std::min(max_rank, vocabulary_.size());
  min_rank = std::min(min_rank, max_rank - 1);
  const double low = std::log(static_cast<double>(min_rank + 1));
  const double high = std::log(static_cast<double>(max_rank));
  std::vector<std::string> chosen;
  while (static_cast<int>(chosen.size()) < words) {
    const size_t rank =
        static_cast<size_t>(std::exp(low + (high - low) * random.Unit()) - 1);
    const std::string& word = vocabulary_.word(std::min(rank, max_rank - 1));
    if (std::find(chosen.begin(), chosen.end(), word) == chosen.end()) {
      chosen.push_back(word);
    }
  }
  return absl::StrJoin(chosen, " ");
}

}  // namespace archive::bench
