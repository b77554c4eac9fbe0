// The `warc` input format of `archivectl feed`: the articles in a WARC file
// that a crawler wrote (Heritrix, Browsertrix, wget --warc-file, warcio), or
// that `archivectl export` wrote.
//
// Record by record:
//   response    an HTTP response (chunked and gzip/deflate undone); status
//               200 with HTML content becomes an article, extracted from the
//               page (cli/html_extractor.h) after converting it from its
//               charset (cli/charset.h); other statuses and content types
//               are counted and skipped
//   resource    HTML content, as a response's; an exported article
//   conversion  an exported article (application/vnd.archive.article+json),
//               with its sightings
//   revisit     a new sighting of the article extracted earlier in the same
//               run (this file or another fed with it: RevisitMemory) from
//               the same payload (WARC-Payload-Digest, else WARC-Refers-To);
//               counted and skipped when there is none
//   warcinfo, request, metadata  read past
// A page's crawl time is its record's WARC-Date, its URL the record's
// WARC-Target-URI (angle brackets, as wget writes it, dropped) or the page's
// canonical URL on the same site; its source the `source` option or else
// the URL's host without "www."; its date, when the page gives none, the
// response's Last-Modified.
//
// A malformed record, or an HTTP response that cannot be read, comes out as
// a problem at the record's offset; reading goes on with the next record.
// Memory is bounded by one record (the block limit below) and the revisit
// memory, whatever the file's size. Does not own the stream or the memory;
// not thread-safe.
#ifndef CLI_WARC_ARTICLE_READER_H_
#define CLI_WARC_ARTICLE_READER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "archive/v1/article.pb.h"
#include "cli/parsed_article.h"
#include "cli/warc_reader.h"

namespace archive::cli {

// The Content-Type of an exported article's record.
inline constexpr char kArticleRecordContentType[] = "application/vnd.archive.article+json";

// What a WARC input held.
struct WarcCounts {
  int64_t records = 0;
  // Articles found, revisits included.
  int64_t articles = 0;
  int64_t revisits = 0;
  // Pages and records skipped, by reason: "not HTML", "not 200", "no
  // article text", "revisit of a page not in this run", "page over N
  // bytes", "not an article record".
  std::map<std::string, int64_t> skipped;
  // Malformed records.
  int64_t problems = 0;

  // "120 records, 35 articles (2 revisits); skipped: 40 not HTML, 5 not 200"
  std::string Summary() const;
};

// The articles found so far in a run, by payload digest and by record id,
// for revisit records to find; the oldest forgotten first beyond a bound.
// Not thread-safe.
class RevisitMemory {
 public:
  static constexpr size_t kDefaultBytes = 64 << 20;
  explicit RevisitMemory(size_t max_bytes = kDefaultBytes) : max_bytes_(max_bytes) {}

  void Remember(std::string_view payload_digest, std::string_view record_id,
                const v1::Article& article);
  // The article of that payload digest, else of that record id; null when
  // neither is known (or was forgotten).
  const v1::Article* Find(std::string_view payload_digest, std::string_view record_id) const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const v1::Article> article;
    size_t bytes;
  };
  const size_t max_bytes_;
  absl::flat_hash_map<std::string, std::shared_ptr<const v1::Article>> articles_;
  std::deque<Entry> order_;
  size_t bytes_ = 0;
};

class WarcArticleReader {
 public:
  struct Options {
    // The outlet of every article; empty for each URL's host.
    std::string source;
    size_t max_article_bytes = 0;
  };

  WarcArticleReader(std::istream* in, Options options, RevisitMemory* memory);

  WarcArticleReader(const WarcArticleReader&) = delete;
  WarcArticleReader& operator=(const WarcArticleReader&) = delete;

  // Reads up to the next article, or the next malformed record, and
  // returns true with `*out` set (its `offset` the record's; `problem` set
  // for a malformed one); returns false at the end of the input. Skipped
  // records are counted, not returned.
  bool Next(ParsedArticle* out);

  const WarcCounts& counts() const { return counts_; }
  bool bad() const { return reader_.bad(); }

 private:
  // What became of one record.
  enum class Outcome { kArticle, kSkipped, kProblem };
  Outcome Take(const WarcRecord& record, ParsedArticle* out);
  Outcome TakePage(const WarcRecord& record, ParsedArticle* out);
  Outcome TakeRevisit(const WarcRecord& record, ParsedArticle* out);
  Outcome TakeExported(const WarcRecord& record, ParsedArticle* out);
  Outcome Skip(std::string reason);

  const Options options_;
  WarcReader reader_;
  WarcCounts counts_;
  RevisitMemory* const memory_;
};

}  // namespace archive::cli

#endif  // CLI_WARC_ARTICLE_READER_H_
