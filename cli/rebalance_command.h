// archivectl rebalance: makes every article live on exactly its owners under
// a store list (cli/placement_walk.h, docs/REPLICATION.md).
//   archivectl rebalance --stores=HOST:PORT,... --replicas=R [--drain=HOST:PORT,...]
// Progress on stderr; safe to interrupt and run again.
// Exit status: 0 the placement is complete; 1 some articles could not be
// placed (a store refused their copies: run it again); 2 usage error or a
// store that cannot be reached.
#ifndef CLI_REBALANCE_COMMAND_H_
#define CLI_REBALANCE_COMMAND_H_

#include <ostream>

#include "cli/placement_walk.h"

namespace archive::cli {

int RunRebalance(PlacementOptions options, std::ostream& out, std::ostream& err);

}  // namespace archive::cli

#endif  // CLI_REBALANCE_COMMAND_H_
