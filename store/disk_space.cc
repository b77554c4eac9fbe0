#include "store/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace archive::store {
namespace {

// Megabytes, rounded down, as an operator reads them.
uint64_t Megabytes(uint64_t bytes) { return bytes >> 20; }

}  // namespace

absl::StatusOr<uint64_t> DiskSpace::FreeBytes() const {
  struct statvfs volume;
  if (statvfs(path_.c_str(), &volume) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot measure the free space of ", path_, ": ",
                     std::strerror(errno)));
  }
  return static_cast<uint64_t>(volume.f_bavail) * volume.f_frsize;
}

absl::Status DiskSpace::CheckWritable() const {
  if (min_free_bytes_ == 0) return absl::OkStatus();
  absl::StatusOr<uint64_t> free = FreeBytes();
  if (!free.ok() || *free >= min_free_bytes_) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("disk nearly full: ", Megabytes(*free), " MB free on ", path_,
                   ", need ", Megabytes(min_free_bytes_),
                   " MB (--min_free_disk); writes resume once space is freed"));
}

}  // namespace archive::store
