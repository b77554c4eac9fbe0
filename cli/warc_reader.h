// Reads the records of a WARC file (ISO 28500, WARC/1.0 and WARC/1.1),
// plain or gzip (a member a record, as every writer does, or the whole file
// in one), one record at a time: no record's block is held beyond a bound,
// whatever the file's size.
//
// A malformed record (no version line, no Content-Length, a damaged gzip
// member, a file that ends inside a record) comes out as a problem with the
// offset where the record starts, and reading goes on at the next record.
// Offsets are those that WARC indexes (CDX) give: of the record's gzip
// member in a .warc.gz, of its first byte in a plain file, and of its first
// byte in the decompressed content when one gzip member holds many records.
#ifndef CLI_WARC_READER_H_
#define CLI_WARC_READER_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/gzip_reader.h"
#include "cli/warc_digest.h"

namespace archive::cli {

struct WarcRecord {
  // Where the record starts (see above).
  uint64_t offset = 0;
  // "WARC/1.1".
  std::string version;
  // The named fields in order, names as written.
  std::vector<std::pair<std::string, std::string>> fields;
  // The content block, or its first max_block_bytes bytes.
  std::string block;
  // Its Content-Length.
  uint64_t block_bytes = 0;

  // The value of the first field of that name (in any case), or "".
  std::string_view Field(std::string_view name) const;
  // WARC-Type, in lower case ("response", "revisit").
  std::string Type() const;
  bool block_truncated() const { return block.size() < block_bytes; }
};

// A record whose WARC-Block-Digest (sha1, the one every writer uses) does
// not match its block is a problem ("WARC-Block-Digest does not match the
// block"): the bytes are not what the crawler saved. Digests of other
// algorithms are not checked, nor those of revisit records (GNU Wget writes
// the empty block's digest there).

struct WarcProblem {
  uint64_t offset = 0;
  std::string reason;
};

// Does not own the stream; not thread-safe.
class WarcReader {
 public:
  WarcReader(std::istream* in, size_t max_block_bytes);

  WarcReader(const WarcReader&) = delete;
  WarcReader& operator=(const WarcReader&) = delete;

  enum class Result { kRecord, kProblem, kEnd };
  // Reads the next record into `*record`, or the next problem into
  // `*problem`, or finds the end of the input.
  Result Next(WarcRecord* record, WarcProblem* problem);

  bool gzip() const { return content_.gzip(); }
  // Whether reading stopped at an error of the stream.
  bool bad() const { return content_.bad(); }

 private:
  // The buffered content; false at the end (or at damage: see damaged_).
  bool Fill();
  // Reads a line (without its CRLF or LF) of at most kMaxLineBytes; false
  // at the end of the content before any byte.
  bool ReadLine(std::string* line, bool* too_long);
  // Moves up to `size` bytes of content into `out` (keeping at most
  // `keep`), returns how many were there.
  uint64_t ReadBlock(uint64_t size, size_t keep, std::string* out, WarcDigest* digest);
  uint64_t position() const { return buffer_position_ + start_; }
  // Skips to the next line that starts a record, after a problem.
  void Resynchronize();
  bool TakeDamage(WarcProblem* problem);

  GzipReader content_;
  const size_t max_block_bytes_;
  std::string buffer_;
  size_t start_ = 0;  // bytes of buffer_ consumed
  // The content position of buffer_[0].
  uint64_t buffer_position_ = 0;
  bool ended_ = false;
  // Damage found by the last Fill, not yet reported.
  std::optional<GzipReader::Damage> damaged_;
  // A line read ahead while looking for a record.
  bool have_line_ahead_ = false;
  std::string line_ahead_;
  uint64_t line_ahead_position_ = 0;
};

}  // namespace archive::cli

#endif  // CLI_WARC_READER_H_
