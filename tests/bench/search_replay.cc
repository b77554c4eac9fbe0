// search_replay: the query phase's searches, replayed in process on a kept
// query archive (tests/bench/run.sh --keep leaves it in
// <scratch>/run/query_store_db), without gRPC: what the store's own search
// costs, with and without passing over blocks by their bounds, on the same
// archive in the same run. No server may have the database open.
//
//   bazel build -c opt //tests/bench:search_replay
//   bazel-bin/tests/bench/search_replay --db=/tmp/archive-bench.XXXX/run/query_store_db
//
// Prints, for each setting, the latency percentiles and the CPU time of the
// searches, and, as the last line, one JSON object with every figure.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/tokenizer.h"
#include "store/article_db.h"
#include "tests/bench/corpus.h"
#include "tests/bench/fixed_rate.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/results.h"

ABSL_FLAG(std::string, db, "", "the query archive's store database");
ABSL_FLAG(uint64_t, seed, 1, "the corpus' seed, as the benchmark's --seed");
ABSL_FLAG(int, searches, 300, "two-word searches a round");
ABSL_FLAG(int, rounds, 3,
          "rounds of searches, each of other words (the first warms up); each "
          "setting runs the same");
ABSL_FLAG(size_t, min_rank, 50, "rarest vocabulary rank a search word has at least");
ABSL_FLAG(size_t, max_rank, 20'000, "vocabulary rank a search word has at most");
ABSL_FLAG(int, limit, 10, "hits a search returns");
ABSL_FLAG(std::string, words_file, "",
          "searches to run instead of the corpus' words, one a line (split as "
          "the query server splits them), taken in rounds as those would be");
ABSL_FLAG(int, block_cache_mb, 256,
          "the block cache, as store_server's --block_cache_mb");
ABSL_FLAG(std::string, only, "",
          "run one setting only: \"whole\" or \"bounds\" (to profile it)");

namespace archive::bench {
namespace {

int Run() {
  const std::string path = absl::GetFlag(FLAGS_db);
  if (path.empty()) {
    std::cerr << "search_replay: --db is required\n";
    return 2;
  }
  CorpusOptions corpus_options;
  corpus_options.seed = absl::GetFlag(FLAGS_seed);
  const Corpus corpus(corpus_options);
  // Each round its own searches, each run once, as in the query phase, where
  // no search repeats: a repeated one would find its blocks in the cache.
  const int per_round = absl::GetFlag(FLAGS_searches);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  std::vector<v1::SearchRequest> requests;
  std::vector<std::string> lines;
  if (const std::string file = absl::GetFlag(FLAGS_words_file); !file.empty()) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "search_replay: cannot read --words_file " << file << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
    if (lines.size() < static_cast<size_t>(per_round * rounds)) {
      std::cerr << "search_replay: " << file << " has " << lines.size()
                << " searches; --searches and --rounds ask for "
                << per_round * rounds << "\n";
      return 2;
    }
  }
  for (int i = 0; i < per_round * rounds; ++i) {
    v1::SearchRequest request;
    const std::string words =
        lines.empty() ? corpus.SearchWords(i, 2, absl::GetFlag(FLAGS_min_rank),
                                           absl::GetFlag(FLAGS_max_rank))
                      : lines[i];
    for (const std::string& term : Tokenize(words)) request.add_terms(term);
    request.set_limit(absl::GetFlag(FLAGS_limit));
    requests.push_back(std::move(request));
  }

  if (absl::GetFlag(FLAGS_block_cache_mb) < 1) {
    std::cerr << "search_replay: --block_cache_mb must be positive\n";
    return 2;
  }

  Results results;
  results.Set("searches", static_cast<double>(per_round * (rounds - 1)));
  const std::string only = absl::GetFlag(FLAGS_only);
  if (!only.empty() && only != "whole" && only != "bounds") {
    std::cerr << "search_replay: --only must be \"whole\" or \"bounds\"\n";
    return 2;
  }
  for (const bool bounds : {false, true}) {
    const std::string name = bounds ? "bounds" : "whole";
    if (!only.empty() && only != name) continue;
    store::ArticleDbOptions options;
    options.search_block_bounds = bounds;
    options.block_cache_bytes =
        static_cast<size_t>(absl::GetFlag(FLAGS_block_cache_mb)) << 20;
    auto db = store::ArticleDb::Open(path, options);
    if (!db.ok()) {
      std::cerr << "search_replay: " << db.status() << "\n";
      return 1;
    }
    std::vector<double> wall_ms;
    double cpu_ms = 0;
    int64_t hits = 0;
    for (int round = 0; round < rounds; ++round) {
      for (int i = round * per_round; i < (round + 1) * per_round; ++i) {
        const v1::SearchRequest& request = requests[i];
        v1::SearchResponse response;
        const absl::Time start = absl::Now();
        const double cpu_start = ThreadCpuSeconds();
        const absl::Status status = (*db)->Search(request, &response);
        const double cpu = (ThreadCpuSeconds() - cpu_start) * 1e3;
        const double wall = absl::ToDoubleMilliseconds(absl::Now() - start);
        if (!status.ok()) {
          std::cerr << "search_replay: " << request.ShortDebugString() << ": "
                    << status << "\n";
          return 1;
        }
        if (round == 0) continue;  // the warm-up
        wall_ms.push_back(wall);
        cpu_ms += cpu;
        hits += response.hits_size();
      }
    }
    const double measured = static_cast<double>(wall_ms.size());
    results.Set(name + "_p50_ms", Quantile(&wall_ms, 0.50));
    results.Set(name + "_p90_ms", Quantile(&wall_ms, 0.90));
    results.Set(name + "_p99_ms", Quantile(&wall_ms, 0.99));
    results.Set(name + "_max_ms", Quantile(&wall_ms, 1.0));
    results.Set(name + "_cpu_ms_per_search", cpu_ms / std::max(measured, 1.0));
    results.Set(name + "_mean_hits", hits / std::max(measured, 1.0));
    results.Set(name + "_stretches_skipped",
                static_cast<double>((*db)->search_stretches_skipped()));
  }
  std::cout << results.ToTable() << results.ToJson() << std::endl;
  return 0;
}

}  // namespace
}  // namespace archive::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Replays the benchmark's searches on a kept query archive, with and "
      "without block bounds.");
  absl::ParseCommandLine(argc, argv);
  return archive::bench::Run();
}
