// Writes WARC/1.1 records (ISO 28500:2017) to a stream: the version line,
// the named fields given, then Content-Length and WARC-Block-Digest (SHA-1
// in base32, cli/warc_digest.h) of the block, an empty line, the block, and
// the "\r\n\r\n" that ends every record. With gzip, each record is a gzip
// member of its own, as every WARC writer does, so that a reader can seek
// to a record and a file cut short loses only its last one.
//
// The writer does not own the stream, checks it after every record, and
// flushes it on Flush. Not thread-safe.
#ifndef CLI_WARC_WRITER_H_
#define CLI_WARC_WRITER_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace archive::cli {

struct WarcRecord {
  // The named fields before Content-Length, in this order, WARC-Type and
  // WARC-Record-ID first by convention. Values are one line each.
  std::vector<std::pair<std::string, std::string>> fields;
  std::string block;
  // Whether the whole block is the payload: then WARC-Payload-Digest, the
  // same digest as the block's, follows WARC-Block-Digest.
  bool block_is_payload = false;
};

class WarcWriter {
 public:
  WarcWriter(std::ostream* out, bool gzip);
  ~WarcWriter();
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;

  // INVALID_ARGUMENT naming the field when a name is not a WARC token or a
  // value holds a line break or another control character (a URL from a
  // hostile page must not add fields); DATA_LOSS when the stream fails.
  absl::Status Write(const WarcRecord& record);

  absl::Status Flush();

 private:
  absl::Status Emit(std::string_view bytes, bool last);

  std::ostream* const out_;
  struct Deflater;
  std::unique_ptr<Deflater> deflater_;  // null without gzip
};

// "<urn:uuid:...>" named by `name`, the same for the same name: the first
// 16 bytes of SHA-1(name) with the version set to 5 and the variant to RFC
// 4122's, as a version-5 UUID is made (RFC 4122 section 4.3) but with no
// namespace prefixed.
std::string NameBasedWarcRecordId(std::string_view name);

// "<urn:uuid:...>" of a random (version 4) UUID.
std::string RandomWarcRecordId();

// Whether a WARC file of this name is written gzipped: it ends in ".gz".
bool IsGzipWarcPath(std::string_view path);

}  // namespace archive::cli

#endif  // CLI_WARC_WRITER_H_
