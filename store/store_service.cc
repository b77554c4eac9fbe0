#include "store/store_service.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/grpc_status.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "store/rocksdb_status.h"

namespace archive::store {
namespace {

// INVALID_ARGUMENT for a request whose `field` holds `count` entries, more
// than `limit`.
// Admission comes first: a caller that may not call learns nothing more.
grpc::ServerUnaryReactor* RefuseOverLimit(const AdmissionGate& gate,
                                          grpc::CallbackServerContext* context,
                                          const char* field, int count, int limit,
                                          const char* rpc) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status admitted = gate.Admit(*context); !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               absl::StrCat(field, ": ", count, " exceed the limit of ",
                                            limit, " a ", rpc)));
  return reactor;
}

}  // namespace

StoreService::StoreService(ArticleDb* db, ThreadPool* workers,
                           prometheus::Registry* metrics)
    : db_(db), workers_(workers) {
  if (metrics == nullptr) return;
  put_items_ = &prometheus::BuildHistogram()
                    .Name("archive_store_put_items")
                    .Help("Articles in one Put.")
                    .Register(*metrics)
                    .Add({}, CountBuckets());
  put_write_seconds_ = &prometheus::BuildHistogram()
                            .Name("archive_store_put_write_seconds")
                            .Help("Time to write one Put's batch, fsync included, "
                                  "without its time queued for a worker.")
                            .Register(*metrics)
                            .Add({}, LatencyBuckets());
}

grpc::ServerUnaryReactor* StoreService::Offload(
    grpc::CallbackServerContext* context, std::function<absl::Status()> work,
    const std::function<absl::Status()>& try_in_memory) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  if (try_in_memory) {
    const absl::Status status = try_in_memory();
    if (!NeedsDisk(status)) {
      reactor->Finish(ToGrpcStatus(status));
      return reactor;
    }
  }
  const bool queued = workers_->TrySchedule(
      [context, reactor, work = std::move(work)] {
        if (context->IsCancelled()) {
          reactor->Finish(
              grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by caller"));
          return;
        }
        if (context->deadline() < std::chrono::system_clock::now()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                       "deadline passed while queued"));
          return;
        }
        reactor->Finish(ToGrpcStatus(work()));
      });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "store overloaded: request queue full"));
  }
  return reactor;
}

grpc::ServerUnaryReactor* StoreService::Put(
    grpc::CallbackServerContext* context, const v1::PutRequest* request,
    v1::PutResponse* response) {
  if (request->items_size() > kMaxPutItems) {
    return RefuseOverLimit(admission_gate_, context, "items", request->items_size(), kMaxPutItems, "Put");
  }
  return Offload(context, [this, request, response]() -> absl::Status {
    const absl::Time started = absl::Now();
    absl::StatusOr<std::vector<v1::PutResult>> written = db_->Put(request->items());
    if (put_items_ != nullptr && written.ok()) {
      put_items_->Observe(request->items_size());
      put_write_seconds_->Observe(absl::ToDoubleSeconds(absl::Now() - started));
    }
    ASSIGN_OR_RETURN(std::vector<v1::PutResult> results, std::move(written));
    for (v1::PutResult& result : results) {
      *response->add_results() = std::move(result);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* StoreService::Delete(
    grpc::CallbackServerContext* context, const v1::DeleteRequest* request,
    v1::DeleteResponse* response) {
  if (request->ids_size() > kMaxDeleteIds) {
    return RefuseOverLimit(admission_gate_, context, "ids", request->ids_size(), kMaxDeleteIds, "Delete");
  }
  return Offload(context, [this, request, response]() -> absl::Status {
    ASSIGN_OR_RETURN(const uint32_t deleted, db_->Delete(request->ids()));
    response->set_deleted(deleted);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* StoreService::Get(
    grpc::CallbackServerContext* context, const v1::GetRequest* request,
    v1::Article* response) {
  auto get = [this, request, response](bool memory_only) -> absl::Status {
    ASSIGN_OR_RETURN(*response, db_->Get(request->id(), memory_only));
    return absl::OkStatus();
  };
  return Offload(
      context, [get] { return get(false); }, [get] { return get(true); });
}

grpc::ServerUnaryReactor* StoreService::Scan(
    grpc::CallbackServerContext* context, const v1::ScanRequest* request,
    v1::ScanResponse* response) {
  // No try in memory first: a page of 100 articles nearly always needs a
  // block from the disk, and a try that fails half-way is wasted work (a
  // quarter of the store's scanning time in a profile of lists).
  return Offload(context, [this, request, response] {
    return db_->Scan(*request, response);
  });
}

grpc::ServerUnaryReactor* StoreService::Search(
    grpc::CallbackServerContext* context, const v1::SearchRequest* request,
    v1::SearchResponse* response) {
  return Offload(context, [this, context, request, response] {
    return db_->Search(*request, response,
                       absl::FromChrono(context->deadline()));
  });
}

grpc::ServerUnaryReactor* StoreService::Count(
    grpc::CallbackServerContext* context, const v1::CountRequest* request,
    v1::CountResponse* response) {
  return Offload(context, [this, context, request, response] {
    return db_->Count(*request, response, absl::FromChrono(context->deadline()));
  });
}

grpc::ServerUnaryReactor* StoreService::Stats(
    grpc::CallbackServerContext* context, const v1::StatsRequest* request,
    v1::StatsResponse* response) {
  if (request->terms_size() > kMaxStatsTerms) {
    return RefuseOverLimit(admission_gate_, context, "terms", request->terms_size(), kMaxStatsTerms,
                           "Stats");
  }
  return Offload(context, [this, request, response] {
    return db_->Stats(*request, response);
  });
}

grpc::ServerUnaryReactor* StoreService::FindSimilar(
    grpc::CallbackServerContext* context, const v1::FindSimilarRequest* request,
    v1::FindSimilarResponse* response) {
  if (request->queries_size() > kMaxSimilarQueries) {
    return RefuseOverLimit(admission_gate_, context, "queries", request->queries_size(),
                           kMaxSimilarQueries, "FindSimilar");
  }
  return Offload(context, [this, request, response] {
    return db_->FindSimilar(*request, response);
  });
}

grpc::ServerUnaryReactor* StoreService::Verify(grpc::CallbackServerContext* context,
                                               const v1::VerifyRequest* request,
                                               v1::VerifyResponse* response) {
  return Offload(context, [this, request, response] {
    return db_->Verify(*request, response);
  });
}

}  // namespace archive::store
