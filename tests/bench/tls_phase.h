// The TLS phase (issue 16's "Measure"; docs/BENCHMARKS.md): what TLS and
// tokens cost the pipeline and the reads, side by side with plaintext in
// one run. Two small archives, each a store_server, an ingest_server
// writing to it and a query_server reading it, started side by side:
//  - tls_off: plaintext and no tokens, as every other phase runs;
//  - tls_on: secured as deploy/local/up.sh --tls runs it, with a CA,
//    certificates and role tokens made by deploy/certs.sh in the work
//    folder: TLS on every server (the certificate of "localhost" and
//    127.0.0.1); mutual TLS from ingest and query to the store, whose
//    tokens file admits them by their certificates' common names; the
//    crawler's token on every SubmitStream and the reader's on every read,
//    each checked against the server's --auth_tokens.
// Measured:
//  - the pipeline (ingest_phases.h's) into both in interleaved rounds:
//    articles/s and CPU per article (driver, ingest and store);
//  - reads through each query_server, plaintext's first (query_phase.h's
//    fixed-rate GetArticle, ListArticles and SearchArticles), and the CPU
//    the driver, query and store spent on them.
// Every client opens its channel once and keeps it, as the servers keep
// theirs to the stores: what is measured is the cost of every call, not of
// the handshakes.
#ifndef TESTS_BENCH_TLS_PHASE_H_
#define TESTS_BENCH_TLS_PHASE_H_

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

struct TlsPhaseOptions {
  // ingest.time_limit is each of the two feeds' budget.
  IngestPhaseOptions ingest;
  int rounds = 4;
  // The reads' rates, warm-up, duration and workers.
  QueryPhaseOptions query;
  // deploy/certs.sh, which makes the certificates and tokens.
  std::string certs_script;
};

// Adds tls_off_* and tls_on_* (RecordIngest's figures; the reads'
// get_*, list_* and search_*; reads_cpu_s) and the ratios TLS / plaintext
// to `results`: tls_ratio_on_off (articles/s), tls_cpu_ratio_on_off (CPU
// per article), tls_{get,list,search}_{p50,p99}_ratio_on_off and
// tls_reads_cpu_ratio_on_off. `articles` are the corpus' first ones.
absl::Status RunTlsPhase(const Corpus& corpus, const std::vector<v1::Article>& articles,
                         const ArchiveBinaries& binaries, const std::string& work_dir,
                         const TlsPhaseOptions& options, Results* results);

}  // namespace archive::bench

#endif  // TESTS_BENCH_TLS_PHASE_H_
