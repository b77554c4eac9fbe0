#include "tests/bench/tls_phase.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/status_macros.h"
#include "common/tls.h"
#include "tests/bench/proc_stats.h"

namespace archive::bench {
namespace {

// What one archive's servers are started with, and what its clients call
// them with.
struct Security {
  std::vector<std::string> store_args, ingest_args, query_args;
  ClientSecurity probe;    // health checks (a certificate for mutual TLS)
  ClientSecurity crawler;  // the pipeline's SubmitStream
  ClientSecurity reader;   // the reads
};

Security Plaintext() {
  return {{}, {}, {}, PlaintextClient(), PlaintextClient(), PlaintextClient()};
}

// Everything secured, as deploy/local/up.sh --tls does it: deploy/certs.sh
// makes a CA, the certificates of the servers ("localhost", and 127.0.0.1,
// the address every client dials), of ingest and query (their identities
// to the store) and of the benchmark's health probes, and the role tokens
// with their hashes, in `dir`.
absl::StatusOr<Security> Secured(const std::string& certs_script,
                                 const std::string& dir) {
  const std::string log_path = dir + ".log";
  ASSIGN_OR_RETURN(const Finished made,
                   RunToCompletion({certs_script, "--out=" + dir, "--tokens",
                                    "localhost:IP:127.0.0.1", "ingest", "query", "bench"},
                                   log_path));
  if (made.exit_status != 0) {
    return absl::InternalError(absl::StrCat(certs_script, " exited with ",
                                            made.exit_status, "; see ", log_path));
  }
  // The store takes the role tokens' hashes and trusts ingest and query by
  // their certificates' common names.
  const std::string store_tokens = dir + "/store_auth_tokens";
  {
    std::ifstream tokens(dir + "/auth_tokens");
    std::ofstream out(store_tokens);
    out << tokens.rdbuf() << "service cn:ingest\nservice cn:query\n";
    if (!tokens || !out) {
      return absl::InternalError(absl::StrCat("cannot write ", store_tokens));
    }
  }
  const std::string ca = dir + "/ca.pem";
  const std::string auth_tokens = "--auth_tokens=" + dir + "/auth_tokens";
  const std::string cert = "--tls_cert=" + dir + "/localhost.pem";
  const std::string key = "--tls_key=" + dir + "/localhost-key.pem";
  Security security;
  security.store_args = {cert, key, "--tls_client_ca=" + ca,
                         "--auth_tokens=" + store_tokens};
  for (const auto& [args, name] : {std::pair(&security.ingest_args, "ingest"),
                                   std::pair(&security.query_args, "query")}) {
    *args = {cert,
             key,
             auth_tokens,
             "--store_tls_ca=" + ca,
             absl::StrCat("--store_tls_cert=", dir, "/", name, ".pem"),
             absl::StrCat("--store_tls_key=", dir, "/", name, "-key.pem")};
  }
  ASSIGN_OR_RETURN(security.probe,
                   MakeClientSecurity({ca, dir + "/bench.pem", dir + "/bench-key.pem"}, ""));
  for (const auto& [client, role] : {std::pair(&security.crawler, "crawler"),
                                     std::pair(&security.reader, "reader")}) {
    ASSIGN_OR_RETURN(std::string token, ReadClientToken(dir + "/tokens/" + role));
    ASSIGN_OR_RETURN(*client, MakeClientSecurity({ca}, std::move(token)));
  }
  return security;
}

// One archive of the phase: a store, the ingest_server writing to it and
// the query_server reading it.
struct Archive {
  std::string name;
  Security security;
  std::string db;
  std::unique_ptr<ArchiveServer> store, ingest, query;
};

std::vector<std::string> Joined(std::vector<std::string> args,
                                const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

absl::StatusOr<Archive> StartArchive(const std::string& name, Security security,
                                     const ArchiveBinaries& binaries,
                                     const std::string& work_dir,
                                     const IngestPhaseOptions& ingest) {
  Archive archive;
  archive.name = name;
  archive.security = std::move(security);
  archive.db = work_dir + "/" + name + "_db";
  const Security& with = archive.security;
  const std::string logs = work_dir + "/" + name;
  ASSIGN_OR_RETURN(
      archive.store,
      ArchiveServer::Start(binaries.store(),
                           Joined({"--db=" + archive.db,
                                   std::string("--sync=") + (ingest.sync ? "true" : "false")},
                                  with.store_args),
                           logs + "_store.log", "", with.probe));
  const std::string stores = "--stores=" + archive.store->address();
  ASSIGN_OR_RETURN(
      archive.ingest,
      ArchiveServer::Start(binaries.ingest(),
                           Joined({stores, absl::StrCat("--max_batch=", ingest.batch),
                                   absl::StrCat("--near_duplicate_threshold=",
                                                ingest.near_duplicate_resemblance)},
                                  with.ingest_args),
                           logs + "_ingest.log", "", with.probe));
  ASSIGN_OR_RETURN(archive.query,
                   ArchiveServer::Start(binaries.query(), Joined({stores}, with.query_args),
                                        logs + "_query.log", "", with.probe));
  return archive;
}

}  // namespace

absl::Status RunTlsPhase(const Corpus& corpus, const std::vector<v1::Article>& articles,
                         const ArchiveBinaries& binaries, const std::string& work_dir,
                         const TlsPhaseOptions& options, Results* results) {
  if (articles.empty()) return absl::FailedPreconditionError("no articles");
  if (options.certs_script.empty()) {
    return absl::FailedPreconditionError(
        "the tls phase needs deploy/certs.sh (bench_driver --certs_script)");
  }
  ASSIGN_OR_RETURN(Security secured, Secured(options.certs_script, work_dir + "/tls"));
  ASSIGN_OR_RETURN(Archive off, StartArchive("tls_off", Plaintext(), binaries, work_dir,
                                             options.ingest));
  ASSIGN_OR_RETURN(Archive on, StartArchive("tls_on", std::move(secured), binaries,
                                            work_dir, options.ingest));
  const auto key = [](const Archive& archive, const std::string& figure) {
    return absl::StrCat(archive.name, "_", figure);
  };
  const auto ratio = [&](const std::string& figure) {
    return Ratio(results->Number(key(on, figure)), results->Number(key(off, figure)));
  };

  // 1. The same slices into both, in interleaved rounds whose order
  // rotates, as the write phases do.
  std::vector<std::pair<std::string, std::unique_ptr<IngestTarget>>> feeds;
  for (const Archive* archive : {&off, &on}) {
    ASSIGN_OR_RETURN(std::unique_ptr<IngestTarget> target,
                     ConnectPipeline(archive->ingest->address(),
                                     {archive->ingest->pid(), archive->store->pid()},
                                     options.ingest, archive->security.crawler));
    feeds.emplace_back(archive->name, std::move(target));
  }
  RETURN_IF_ERROR(
      StoreInRounds(articles, options.rounds, options.ingest.batch, feeds, results));
  feeds.clear();
  results->Set("tls_ratio_on_off", ratio("articles_per_s"));
  results->Set("tls_cpu_ratio_on_off", ratio("cpu_us_per_article"));

  // 2. The same reads of each, one archive idle while the other is read.
  for (const Archive* archive : {&off, &on}) {
    WaitUntilQuiet(archive->store->pid(), 0.05, absl::Seconds(20));
  }
  const std::vector<StoredArticle> stored = StoredArticles(articles);
  for (const Archive* archive : {&off, &on}) {
    const std::vector<pid_t> pids = {::getpid(), archive->query->pid(),
                                     archive->store->pid()};
    const std::optional<double> cpu_before = CpuSeconds(pids);
    RETURN_IF_ERROR(MeasureArchiveReads(corpus, archive->query->address(), stored,
                                        options.query, archive->name + "_", results,
                                        archive->security.reader));
    const std::optional<double> cpu_after = CpuSeconds(pids);
    if (cpu_before.has_value() && cpu_after.has_value()) {
      results->Set(key(*archive, "reads_cpu_s"), *cpu_after - *cpu_before);
    }
  }
  for (const char* kind : {"get", "list", "search"}) {
    for (const char* quantile : {"p50", "p99"}) {
      results->Set(absl::StrCat("tls_", kind, "_", quantile, "_ratio_on_off"),
                   ratio(absl::StrCat(kind, "_", quantile, "_ms")));
    }
  }
  results->Set("tls_reads_cpu_ratio_on_off", ratio("reads_cpu_s"));

  for (Archive* archive : {&off, &on}) {
    for (ArchiveServer* server :
         {archive->query.get(), archive->ingest.get(), archive->store.get()}) {
      RETURN_IF_ERROR(server->Stop());
    }
    std::filesystem::remove_all(archive->db);
  }
  return absl::OkStatus();
}

}  // namespace archive::bench
