// Test helper: `text` as one gzip member, as a .warc.gz writer makes them.
#ifndef CLI_GZIP_FOR_TEST_H_
#define CLI_GZIP_FOR_TEST_H_

#include <zlib.h>

#include <string>

namespace archive::cli {

inline std::string GzipForTest(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace archive::cli

#endif  // CLI_GZIP_FOR_TEST_H_
