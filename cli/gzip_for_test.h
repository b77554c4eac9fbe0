// Test helpers: `text` as one gzip member, as a .warc.gz writer makes them,
// and a file of gzip members taken apart, independently of GzipReader.
#ifndef CLI_GZIP_FOR_TEST_H_
#define CLI_GZIP_FOR_TEST_H_

#include <zlib.h>

#include <string>
#include <vector>

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

// Each gzip member of `bytes` inflated on its own. A damaged or cut-short
// member ends the list, and `*complete` (when given) says whether that
// happened.
inline std::vector<std::string> GunzipMembersForTest(const std::string& bytes,
                                                     bool* complete = nullptr) {
  std::vector<std::string> members;
  size_t offset = 0;
  if (complete != nullptr) *complete = true;
  while (offset < bytes.size()) {
    z_stream z{};
    inflateInit2(&z, 16 + MAX_WBITS);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + offset));
    z.avail_in = static_cast<uInt>(bytes.size() - offset);
    std::string member;
    int result;
    do {
      char buffer[4096];
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof(buffer);
      result = inflate(&z, Z_NO_FLUSH);
      member.append(buffer, sizeof(buffer) - z.avail_out);
    } while (result == Z_OK);
    offset = bytes.size() - z.avail_in;
    inflateEnd(&z);
    if (result != Z_STREAM_END) {
      if (complete != nullptr) *complete = false;
      break;
    }
    members.push_back(std::move(member));
  }
  return members;
}

}  // namespace archive::cli

#endif  // CLI_GZIP_FOR_TEST_H_
