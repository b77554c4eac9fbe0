// Minimal leveled logging to stderr, one line a message, for the servers.
//
// abseil 20220623 has no absl/log. Usage:
//   ARCHIVE_LOG(INFO) << "listening on " << address;
// Thread-safe: each message is formatted apart and written with one call.
#ifndef COMMON_LOGGING_H_
#define COMMON_LOGGING_H_

#include <sstream>

namespace archive {

enum class LogSeverity { kInfo, kWarning, kError };

// Collects one message and writes it to stderr when destroyed.
class LogMessage {
 public:
  LogMessage(LogSeverity severity, const char* file, int line);
  ~LogMessage();
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;

  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

}  // namespace archive

#define ARCHIVE_LOG_SEVERITY_INFO ::archive::LogSeverity::kInfo
#define ARCHIVE_LOG_SEVERITY_WARNING ::archive::LogSeverity::kWarning
#define ARCHIVE_LOG_SEVERITY_ERROR ::archive::LogSeverity::kError

#define ARCHIVE_LOG(severity)                                             \
  ::archive::LogMessage(ARCHIVE_LOG_SEVERITY_##severity, __FILE__, __LINE__) \
      .stream()

#endif  // COMMON_LOGGING_H_
