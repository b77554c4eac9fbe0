// archivectl health: asks servers for their grpc.health.v1 status, for
// operators and scripts (deploy/local/up.sh waits with it).
//   archivectl health [--wait=SECONDS] [ADDR...]
// With no ADDR, the three default addresses. Exit status 0 when every server
// is SERVING (within --wait), 2 otherwise.
#ifndef CLI_HEALTH_COMMAND_H_
#define CLI_HEALTH_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/tls.h"

namespace archive::cli {

int RunHealth(const std::vector<std::string>& addresses, absl::Duration wait,
              const ClientSecurity& security, std::ostream& out, std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_HEALTH_COMMAND_H_
