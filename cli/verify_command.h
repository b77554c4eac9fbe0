// archivectl verify: checks every article of every store against its
// content_digest, its key and its id index, and reports each damaged one.
//   archivectl verify [--stores=HOST:PORT,...] [--json]
// Exit status: 0 nothing damaged; 1 damage found (each reported on stdout);
// 2 usage error or a store that cannot be reached.
#ifndef CLI_VERIFY_COMMAND_H_
#define CLI_VERIFY_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace archive::cli {

int RunVerify(const std::vector<std::string>& stores, bool json, std::ostream& out,
              std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_VERIFY_COMMAND_H_
