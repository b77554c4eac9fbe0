// Reads an input of `archivectl feed` that may be gzip-compressed: many gzip
// members back to back (a .warc.gz, one member a record), one member for the
// whole file, or no gzip at all (read as it is). A damaged member is
// reported with its offset in the file and reading goes on at the next
// member, so that one bad record does not cost the rest of the file.
#ifndef CLI_GZIP_READER_H_
#define CLI_GZIP_READER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace archive::cli {

// Does not own the stream; not thread-safe.
class GzipReader {
 public:
  // Decides by the input's first bytes (1f 8b) whether it is gzip.
  explicit GzipReader(std::istream* in);
  ~GzipReader();

  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  bool gzip() const { return gzip_; }

  // Reads up to `size` bytes of content (decompressed) into `out` and
  // returns how many: 0 at the end of the input, or when damage was found
  // (TakeDamage tells which). No call returns bytes from both sides of a
  // damaged member: after it, content goes on with the next member's.
  size_t Read(char* out, size_t size);

  // Damage found since the last call: where the damaged member starts in
  // the file and what is wrong ("invalid gzip data: incorrect header
  // check"). The content read before it may end in the middle of a record.
  struct Damage {
    uint64_t file_offset = 0;
    std::string reason;
  };
  std::optional<Damage> TakeDamage();

  // The offset in the file of the gzip member whose content starts at
  // `position` (a count of content bytes from the input's start), if one
  // does: each record of a .warc.gz is found at its member's offset. For
  // input that is not gzip, `position` itself. Forgets members that start
  // before `position`.
  std::optional<uint64_t> FileOffsetOf(uint64_t position);

  // Whether reading stopped at an error of the stream.
  bool bad() const { return in_->bad(); }

 private:
  bool Refill();
  void StartMember();
  void SkipToNextMember();

  std::istream* const in_;
  bool gzip_ = false;
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
  std::vector<char> input_;
  // The file offset of input_[0].
  uint64_t input_offset_ = 0;
  bool input_ended_ = false;
  // Content bytes returned so far.
  uint64_t position_ = 0;
  bool in_member_ = false;
  uint64_t member_offset_ = 0;
  // (content position, file offset) of members not yet asked about.
  std::deque<std::pair<uint64_t, uint64_t>> member_starts_;
  std::optional<Damage> damage_;
};

}  // namespace archive::cli

#endif  // CLI_GZIP_READER_H_
