#include "cli/sniffed_stream.h"

namespace archive::cli {

SniffedStream::Buffer::Buffer(std::streambuf* source, size_t sniff_bytes)
    : source_(source), chunk_(64 << 10) {
  first_bytes_.resize(sniff_bytes);
  const std::streamsize got =
      source_ == nullptr ? 0 : source_->sgetn(first_bytes_.data(), sniff_bytes);
  first_bytes_.resize(got > 0 ? static_cast<size_t>(got) : 0);
}

SniffedStream::Buffer::int_type SniffedStream::Buffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!replayed_) {
    replayed_ = true;
    if (!first_bytes_.empty()) {
      char* begin = first_bytes_.data();
      setg(begin, begin, begin + first_bytes_.size());
      return traits_type::to_int_type(*gptr());
    }
  }
  const std::streamsize got = source_ == nullptr ? 0 : source_->sgetn(chunk_.data(), chunk_.size());
  if (got <= 0) return traits_type::eof();
  setg(chunk_.data(), chunk_.data(), chunk_.data() + got);
  return traits_type::to_int_type(*gptr());
}

SniffedStream::SniffedStream(std::istream* in, size_t sniff_bytes)
    : std::istream(nullptr), buffer_(in->rdbuf(), sniff_bytes) {
  rdbuf(&buffer_);
}

}  // namespace archive::cli
