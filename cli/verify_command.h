// archivectl verify: checks every article of every store against its
// content_digest, its key and its id index, and reports each damaged one;
// with --replicas=R also where each article's copies are (placement_walk.h),
// reporting the under-replicated and misplaced ones.
//   archivectl verify [--stores=HOST:PORT,...] [--replicas=R] [--json]
// Exit status: 0 nothing damaged (and, with --replicas, every article on
// exactly its owners); 1 damage or misplacement found (each reported on
// stdout); 2 usage error or a store that cannot be reached.
#ifndef CLI_VERIFY_COMMAND_H_
#define CLI_VERIFY_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "common/tls.h"

namespace archive::cli {

// `replicas` 0: no placement check.
int RunVerify(const std::vector<std::string>& stores, int replicas, bool json,
              const ClientSecurity& security,
              std::ostream& out, std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_VERIFY_COMMAND_H_
