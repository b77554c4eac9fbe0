// An input stream that shows its first bytes before they are read, so that
// feed can decide an input's format by its content even when the input is
// standard input, which cannot be rewound. Does not own the stream it
// reads; not thread-safe.
#ifndef CLI_SNIFFED_STREAM_H_
#define CLI_SNIFFED_STREAM_H_

#include <cstddef>
#include <istream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace archive::cli {

class SniffedStream : public std::istream {
 public:
  // Reads up to `sniff_bytes` of `in` at once.
  SniffedStream(std::istream* in, size_t sniff_bytes);

  // What was read ahead (shorter at the end of a short input); the stream
  // reads it again from its start.
  std::string_view first_bytes() const { return buffer_.first_bytes(); }

 private:
  class Buffer : public std::streambuf {
   public:
    Buffer(std::streambuf* source, size_t sniff_bytes);
    std::string_view first_bytes() const { return first_bytes_; }

   protected:
    int_type underflow() override;

   private:
    std::streambuf* const source_;
    std::string first_bytes_;
    bool replayed_ = false;
    std::vector<char> chunk_;
  };

  Buffer buffer_;
};

}  // namespace archive::cli

#endif  // CLI_SNIFFED_STREAM_H_
