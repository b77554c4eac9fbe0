#include "cli/warc_writer.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/warc_digest.h"
#include "common/status_macros.h"

namespace archive::cli {
namespace {

// RFC 9110's token characters, which WARC field names are made of.
bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || absl::StrContains("()<>@,;:\\\"/[]?={}", c)) {
      return false;
    }
  }
  return true;
}

bool IsOneLine(std::string_view value) {
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

// RFC 4122's layout of 16 bytes, with `version` in the version bits and
// the variant 10xx.
std::string FormatUuid(unsigned char bytes[16], int version) {
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | (version << 4));
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid = "<urn:uuid:";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
    uuid += kHex[bytes[i] >> 4];
    uuid += kHex[bytes[i] & 0x0f];
  }
  return uuid + ">";
}

}  // namespace

struct WarcWriter::Deflater {
  z_stream stream{};
  bool ready = false;
  ~Deflater() {
    if (ready) deflateEnd(&stream);
  }
};

WarcWriter::WarcWriter(std::ostream* out, bool gzip) : out_(out) {
  if (!gzip) return;
  deflater_ = std::make_unique<Deflater>();
  // 15 + 16: a gzip wrapper around the deflate stream.
  deflater_->ready = deflateInit2(&deflater_->stream, Z_DEFAULT_COMPRESSION,
                                  Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

WarcWriter::~WarcWriter() = default;

absl::Status WarcWriter::Emit(std::string_view bytes, bool last) {
  if (deflater_ == nullptr) {
    out_->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  } else {
    if (!deflater_->ready) return absl::InternalError("zlib: deflateInit2 failed");
    z_stream& z = deflater_->stream;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    char buffer[64 << 10];
    int result;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof(buffer);
      result = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      if (result == Z_STREAM_ERROR) return absl::InternalError("zlib: deflate failed");
      out_->write(buffer, static_cast<std::streamsize>(sizeof(buffer) - z.avail_out));
    } while (z.avail_out == 0 || (last && result != Z_STREAM_END));
    // The next record is a new gzip member.
    if (last) deflateReset(&z);
  }
  if (!out_->good()) return absl::DataLossError("writing the WARC output failed");
  return absl::OkStatus();
}

absl::Status WarcWriter::Write(const WarcRecord& record) {
  std::string header = "WARC/1.1\r\n";
  for (const auto& [name, value] : record.fields) {
    if (!IsToken(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("WARC field name \"", name, "\" is not a token"));
    }
    if (!IsOneLine(value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "WARC field ", name, ": the value holds a line break or a control character"));
    }
    absl::StrAppend(&header, name, ": ", value, "\r\n");
  }
  const std::string digest = WarcSha1Digest(record.block);
  absl::StrAppend(&header, "Content-Length: ", record.block.size(), "\r\n",
                  "WARC-Block-Digest: ", digest, "\r\n");
  if (record.block_is_payload) {
    absl::StrAppend(&header, "WARC-Payload-Digest: ", digest, "\r\n");
  }
  header += "\r\n";
  RETURN_IF_ERROR(Emit(header, false));
  RETURN_IF_ERROR(Emit(record.block, false));
  return Emit("\r\n\r\n", true);
}

absl::Status WarcWriter::Flush() {
  out_->flush();
  if (!out_->good()) return absl::DataLossError("writing the WARC output failed");
  return absl::OkStatus();
}

std::string NameBasedWarcRecordId(std::string_view name) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(name.data(), name.size(), hash, &length, EVP_sha1(), nullptr);
  return FormatUuid(hash, 5);
}

std::string RandomWarcRecordId() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  return FormatUuid(bytes, 4);
}

bool IsGzipWarcPath(std::string_view path) {
  return path.size() >= 3 && path.substr(path.size() - 3) == ".gz";
}

}  // namespace archive::cli
