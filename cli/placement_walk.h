// PlacementWalk: checks, and with `repair` makes, every article live on
// exactly its owners: the first `replicas` stores of its rendezvous ranking
// over `stores` (docs/REPLICATION.md). What `archivectl rebalance` runs, and
// `archivectl verify --replicas` without repair.
//
// It walks every store's articles a page at a time (memory bounded by a
// page, whatever the archive's size), asks every store which of the page's
// ids it holds, and handles each article once, on the walk of the first
// store of its ranking that holds it. To repair, it sends each holder's copy
// to every owner as a copy Put (new there: stored with its sightings; held
// already: the sightings it lacks are added), so diverged copies merge and a
// store that came back empty is refilled; only once every owner acknowledged
// durably does it Delete the copies on stores that are not owners (stand-ins,
// a store being drained). Interrupting it loses nothing, and running it again
// goes on where it stopped. Not thread-safe; one walk at a time per archive
// is what an operator runs.
#ifndef CLI_PLACEMENT_WALK_H_
#define CLI_PLACEMENT_WALK_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "store/store_client.h"

namespace archive::cli {

struct PlacementOptions {
  // How the stores are reached (TLS, the admin token).
  ClientSecurity security = PlaintextClient();
  // The store list the articles are placed over, as ingest's --stores.
  std::vector<std::string> stores;
  // Stores to empty: walked and emptied, never owners.
  std::vector<std::string> drain;
  int replicas = 1;
  bool repair = false;
  // Articles a page.
  int page_size = 200;
  // Progress lines on this stream every `progress_every`; null for none.
  std::ostream* progress = nullptr;
  absl::Duration progress_every = absl::Seconds(2);
  // Each problem found, one line, on this stream (up to max_problem_lines).
  std::ostream* problems = nullptr;
  int max_problem_lines = 100;
};

struct PlacementReport {
  // Articles checked. Without repair each is checked once; a repair checks
  // again an article it moved onto a store that the walk reaches later (a
  // check that finds it in place: the price of not remembering every id).
  uint64_t checked = 0;
  uint64_t under_replicated = 0;  // fewer than `replicas` copies
  uint64_t misplaced = 0;         // a copy off its owners, or an owner without one
  uint64_t copied = 0;            // copies an owner did not have, now written
  uint64_t merged = 0;            // owners' copies that gained sightings
  uint64_t removed = 0;           // copies deleted from stores not owners
  uint64_t failed = 0;            // articles a store's failure left as they were
  // Placement is complete: every article on exactly its owners (after a
  // repair: every problem found was mended).
  bool complete(bool repaired) const {
    return failed == 0 && (repaired || (under_replicated == 0 && misplaced == 0));
  }
};

// Runs the walk. An error (UNAVAILABLE naming the store, usually) when a
// store cannot be walked or asked at all; an owner that refuses a copy only
// counts the article as failed, and the walk goes on.
absl::StatusOr<PlacementReport> RunPlacementWalk(const PlacementOptions& options);

}  // namespace archive::cli

#endif  // CLI_PLACEMENT_WALK_H_
