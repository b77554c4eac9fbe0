#include "cli/health_command.h"

#include "absl/time/clock.h"
#include "common/health_client.h"

namespace archive::cli {

int RunHealth(const std::vector<std::string>& addresses, absl::Duration wait,
              const ClientSecurity& security, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> defaults = {"127.0.0.1:50051", "127.0.0.1:50052",
                                             "127.0.0.1:50053"};
  int exit_status = 0;
  for (const std::string& address : addresses.empty() ? defaults : addresses) {
    const absl::Status status =
        WaitUntilServing(address, std::max(wait, absl::Milliseconds(500)),
                         security.credentials);
    if (status.ok()) {
      out << address << " SERVING\n";
    } else {
      err << address << " not serving: " << status.message() << "\n";
      exit_status = 2;
    }
  }
  return exit_status;
}

}  // namespace archive::cli
