// The replication phase (issue 14's "Measure"; docs/BENCHMARKS.md): what
// the replicated store tier costs and gives, on the benchmark's corpus, in
// one run:
//  - the pipeline (ingest_phases.h's) into three stores with --replicas=1
//    and into three others with --replicas=2, in interleaved rounds: the
//    cost of the second copy in articles/s and CPU per article (driver,
//    ingest and the three stores);
//  - reads through query_server --replicas=2 over the R=2 archive
//    (query_phase.h's fixed-rate GetArticle, ListArticles, SearchArticles)
//    with every store up, then with one SIGKILLed;
//  - the killed store started again on its folder and address, a fourth
//    empty store started, and `archivectl rebalance --stores=<four>
//    --replicas=2` timed: articles checked per second.
#ifndef TESTS_BENCH_REPLICATION_PHASE_H_
#define TESTS_BENCH_REPLICATION_PHASE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "archive/v1/article.pb.h"
#include "tests/bench/archive_servers.h"
#include "tests/bench/corpus.h"
#include "tests/bench/ingest_phases.h"
#include "tests/bench/query_phase.h"
#include "tests/bench/results.h"

namespace archive::bench {

struct ReplicationPhaseOptions {
  // ingest.time_limit is each of the two feeds' budget.
  IngestPhaseOptions ingest;
  int rounds = 4;
  // The reads' rates, warm-up, duration and workers.
  QueryPhaseOptions query;
};

// Adds replication_r1_*, replication_r2_* (RecordIngest's figures),
// replication_ratio_r2_r1, replication_cpu_ratio_r2_r1,
// replicated_up_{get,list,search}_*, replicated_down_{get,list,search}_*
// and rebalance_* to `results`. `articles` are the corpus' first ones.
absl::Status RunReplicationPhase(const Corpus& corpus,
                                 const std::vector<v1::Article>& articles,
                                 const ArchiveBinaries& binaries,
                                 const std::string& work_dir,
                                 const ReplicationPhaseOptions& options,
                                 Results* results);

}  // namespace archive::bench

#endif  // TESTS_BENCH_REPLICATION_PHASE_H_
