// archive.v1.Store on gRPC's callback API, serving one ArticleDb.
//
// RocksDB calls block (reads, and the WAL fsync of a Put), so RPCs run on a
// worker pool rather than on gRPC's callback threads; except that Get is
// first tried on the callback thread reading only memory (memtables and the
// block cache), and goes to the pool only when that would need the disk: no
// thread handoff for a cached article. The pool's queue
// is bounded: a request that finds it full is refused at once with
// RESOURCE_EXHAUSTED, and one whose caller gave up or whose deadline passed
// while it waited is not started.
#ifndef STORE_STORE_SERVICE_H_
#define STORE_STORE_SERVICE_H_

#include <functional>

#include "absl/status/status.h"
#include "archive/v1/store.grpc.pb.h"
#include "common/admission_gate.h"
#include "common/thread_pool.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "store/article_db.h"

namespace archive::store {

class StoreService final : public v1::Store::CallbackService {
 public:
  // At most this many articles in one Put.
  static constexpr int kMaxPutItems = 1000;
  // At most this many ids in one Delete.
  static constexpr int kMaxDeleteIds = 1000;
  // Terms of a Stats (a search's words; no query has more), and
  // queries of a FindSimilar (one per article of an ingest batch).
  static constexpr int kMaxStatsTerms = 1024;
  static constexpr int kMaxSimilarQueries = 1000;

  // `db` and `workers` are not owned and must outlive the service; the
  // workers must outlive every call, so destroy the server first. With
  // `metrics`, Puts record their sizes and write times there
  // (store/store_metrics.h).
  StoreService(ArticleDb* db, ThreadPool* workers,
               prometheus::Registry* metrics = nullptr);

  grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* context,
                                const v1::PutRequest* request,
                                v1::PutResponse* response) override;
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* context,
                                const v1::GetRequest* request,
                                v1::Article* response) override;
  grpc::ServerUnaryReactor* Scan(grpc::CallbackServerContext* context,
                                 const v1::ScanRequest* request,
                                 v1::ScanResponse* response) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const v1::SearchRequest* request,
                                   v1::SearchResponse* response) override;
  grpc::ServerUnaryReactor* Count(grpc::CallbackServerContext* context,
                                  const v1::CountRequest* request,
                                  v1::CountResponse* response) override;
  grpc::ServerUnaryReactor* Stats(grpc::CallbackServerContext* context,
                                  const v1::StatsRequest* request,
                                  v1::StatsResponse* response) override;
  grpc::ServerUnaryReactor* FindSimilar(
      grpc::CallbackServerContext* context,
      const v1::FindSimilarRequest* request,
      v1::FindSimilarResponse* response) override;
  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* context,
                                   const v1::DeleteRequest* request,
                                   v1::DeleteResponse* response) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;

  // Closed when the server begins to shut down: a call that starts after
  // that is refused UNAVAILABLE; calls already queued still run.
  AdmissionGate* admission_gate() { return &admission_gate_; }

 private:
  // Runs `work` on a worker and finishes the call with its status.
  //
  // When `try_in_memory` is given, runs it first, here: if it does not
  // fail with NeedsDisk, that finishes the call and `work` is not run.
  grpc::ServerUnaryReactor* Offload(
      grpc::CallbackServerContext* context, std::function<absl::Status()> work,
      const std::function<absl::Status()>& try_in_memory = nullptr);

  ArticleDb* const db_;
  ThreadPool* const workers_;
  AdmissionGate admission_gate_;
  // Null without metrics.
  prometheus::Histogram* put_items_ = nullptr;
  prometheus::Histogram* put_write_seconds_ = nullptr;
};

}  // namespace archive::store

#endif  // STORE_STORE_SERVICE_H_
