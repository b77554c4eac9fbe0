#include "cli/rebalance_command.h"

#include <utility>

namespace archive::cli {

int RunRebalance(PlacementOptions options, std::ostream& out, std::ostream& err) {
  options.repair = true;
  options.progress = &err;
  options.problems = nullptr;
  absl::StatusOr<PlacementReport> report = RunPlacementWalk(options);
  if (!report.ok()) {
    err << "archivectl rebalance: " << report.status().message()
        << " (nothing is lost: run it again once the store answers)\n";
    return 2;
  }
  out << "rebalanced " << report->checked << " articles over " << options.stores.size()
      << " stores, " << options.replicas << " replica(s) each: " << report->copied
      << " copied, " << report->merged << " merged, " << report->removed
      << " removed, " << report->failed << " failed\n";
  return report->complete(/*repaired=*/true) ? 0 : 1;
}

}  // namespace archive::cli
