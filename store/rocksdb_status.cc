#include "store/rocksdb_status.h"

#include "absl/strings/str_cat.h"

namespace archive::store {
namespace {

constexpr char kNeedsDiskPayload[] = "archive.store/needs-disk";

}  // namespace

bool NeedsDisk(const absl::Status& status) {
  return status.GetPayload(kNeedsDiskPayload).has_value();
}

absl::Status FromRocksDbStatus(const rocksdb::Status& status,
                               std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(std::string(context), ": ", status.ToString());
  switch (status.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(message);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kNotSupported:
      return absl::UnimplementedError(message);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(message);
    case rocksdb::Status::kIOError:
      // A full disk is RocksDB's "hard error": writes stop until space
      // comes back, and the SstFileManager resumes them (column_families.h).
      // Some of RocksDB's paths say so only in the message.
      if (status.IsNoSpace() || status.subcode() == rocksdb::Status::kSpaceLimit ||
          message.find("No space left on device") != std::string::npos) {
        return absl::ResourceExhaustedError(
            absl::StrCat("disk full: ", message, "; writes resume once space is freed"));
      }
      return absl::UnavailableError(message);
    case rocksdb::Status::kMergeInProgress:
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
      return absl::AbortedError(message);
    case rocksdb::Status::kIncomplete: {
      absl::Status unavailable = absl::UnavailableError(message);
      unavailable.SetPayload(kNeedsDiskPayload, absl::Cord());
      return unavailable;
    }
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(message);
    case rocksdb::Status::kTimedOut:
      return absl::DeadlineExceededError(message);
    case rocksdb::Status::kAborted:
      return absl::AbortedError(message);
    case rocksdb::Status::kExpired:
      return absl::DeadlineExceededError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace archive::store
