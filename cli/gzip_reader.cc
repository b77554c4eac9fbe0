#include "cli/gzip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace archive::cli {
namespace {

constexpr size_t kInputBytes = 64 << 10;
constexpr char kGzipMagic[] = "\x1f\x8b\x08";  // and deflate, the only method

}  // namespace

struct GzipReader::Inflater {
  z_stream stream{};
  bool ready = false;
  ~Inflater() {
    if (ready) inflateEnd(&stream);
  }
};

GzipReader::GzipReader(std::istream* in)
    : in_(in), inflater_(std::make_unique<Inflater>()), input_(kInputBytes) {
  inflater_->stream.next_in = reinterpret_cast<Bytef*>(input_.data());
  inflater_->stream.avail_in = 0;
  Refill();
  const z_stream& stream = inflater_->stream;
  gzip_ = stream.avail_in >= 2 && std::memcmp(stream.next_in, kGzipMagic, 2) == 0;
  if (gzip_) {
    // 16 + window bits: gzip wrapping only, each member's CRC checked.
    inflater_->ready = inflateInit2(&inflater_->stream, 16 + MAX_WBITS) == Z_OK;
  }
}

GzipReader::~GzipReader() = default;

// Keeps the bytes not yet consumed, moved to the front, and reads more
// after them. Returns false when nothing is left to consume.
bool GzipReader::Refill() {
  z_stream& stream = inflater_->stream;
  const size_t consumed = reinterpret_cast<char*>(stream.next_in) - input_.data();
  input_offset_ += consumed;
  std::memmove(input_.data(), stream.next_in, stream.avail_in);
  size_t held = stream.avail_in;
  if (!input_ended_ && held < input_.size()) {
    in_->read(input_.data() + held, static_cast<std::streamsize>(input_.size() - held));
    held += static_cast<size_t>(in_->gcount());
    if (!*in_) input_ended_ = true;
  }
  stream.next_in = reinterpret_cast<Bytef*>(input_.data());
  stream.avail_in = static_cast<uInt>(held);
  return held > 0;
}

void GzipReader::StartMember() {
  z_stream& stream = inflater_->stream;
  inflateReset(&stream);
  in_member_ = true;
  member_offset_ = input_offset_ + (reinterpret_cast<char*>(stream.next_in) - input_.data());
  member_starts_.emplace_back(position_, member_offset_);
}

// Looks for the next member's magic bytes after a damaged one.
void GzipReader::SkipToNextMember() {
  z_stream& stream = inflater_->stream;
  for (;;) {
    const char* begin = reinterpret_cast<const char*>(stream.next_in);
    const char* end = begin + stream.avail_in;
    const char* found = std::search(begin, end, kGzipMagic, kGzipMagic + 3);
    if (found != end) {
      stream.avail_in -= static_cast<uInt>(found - begin);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(found));
      return;
    }
    // Keep two bytes: the magic may straddle the refill.
    const uInt keep = std::min<uInt>(stream.avail_in, 2);
    stream.next_in += stream.avail_in - keep;
    stream.avail_in = keep;
    if (input_ended_) {
      stream.avail_in = 0;
      return;
    }
    Refill();
  }
}

size_t GzipReader::Read(char* out, size_t size) {
  z_stream& stream = inflater_->stream;
  if (!gzip_) {
    if (stream.avail_in == 0 && !Refill()) return 0;
    const size_t n = std::min<size_t>(size, stream.avail_in);
    std::memcpy(out, stream.next_in, n);
    stream.next_in += n;
    stream.avail_in -= static_cast<uInt>(n);
    position_ += n;
    return n;
  }
  if (!inflater_->ready) return 0;
  for (;;) {
    if (!in_member_) {
      if (stream.avail_in == 0 && !Refill()) return 0;
      StartMember();
    }
    if (stream.avail_in == 0 && !Refill()) {
      damage_ = Damage{member_offset_, "the file ends inside a gzip member"};
      in_member_ = false;
      return 0;
    }
    stream.next_out = reinterpret_cast<Bytef*>(out);
    stream.avail_out = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    const uInt asked = stream.avail_out;
    const int result = inflate(&stream, Z_NO_FLUSH);
    const size_t produced = asked - stream.avail_out;
    position_ += produced;
    if (result == Z_STREAM_END) {
      in_member_ = false;
    } else if (result != Z_OK && result != Z_BUF_ERROR) {
      damage_ = Damage{member_offset_,
                       absl::StrCat("invalid gzip data: ",
                                    stream.msg != nullptr ? stream.msg : "error")};
      in_member_ = false;
      SkipToNextMember();
    }
    if (produced > 0 || damage_) return produced;
  }
}

std::optional<GzipReader::Damage> GzipReader::TakeDamage() {
  std::optional<Damage> damage = std::move(damage_);
  damage_.reset();
  return damage;
}

std::optional<uint64_t> GzipReader::FileOffsetOf(uint64_t position) {
  if (!gzip_) return position;
  while (!member_starts_.empty() && member_starts_.front().first < position) {
    member_starts_.pop_front();
  }
  // Of members that start at the same place (empty ones), the last.
  while (member_starts_.size() >= 2 && member_starts_[1].first == position) {
    member_starts_.pop_front();
  }
  if (!member_starts_.empty() && member_starts_.front().first == position) {
    return member_starts_.front().second;
  }
  return std::nullopt;
}

}  // namespace archive::cli
