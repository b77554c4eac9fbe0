#include "ingest/ingest_service.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article_rules.h"
#include "common/grpc_status.h"
#include "common/text_normalizer.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/support/slice.h"

namespace archive::ingest {
namespace {

absl::Time CallDeadline(const grpc::CallbackServerContext* context) {
  const auto deadline = context->deadline();
  // gRPC reports "no deadline" as a time centuries away.
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 100)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// Why `bytes` do not parse as a SubmitRequest: the first string field of the
// article that is not UTF-8, named as PrepareArticle names it.
absl::Status WhyUnparsable(const std::string& bytes) {
  using ::google::protobuf::FieldDescriptor;
  using ::google::protobuf::UnknownField;
  using ::google::protobuf::UnknownFieldSet;
  UnknownFieldSet request;
  if (request.ParseFromString(bytes)) {
    for (int i = 0; i < request.field_count(); ++i) {
      const UnknownField& field = request.field(i);
      UnknownFieldSet article;
      if (field.number() != v1::SubmitRequest::kArticleFieldNumber ||
          field.type() != UnknownField::TYPE_LENGTH_DELIMITED ||
          !article.ParseFromString(field.length_delimited())) {
        continue;
      }
      std::map<int, int> seen;  // field number -> values so far
      for (int j = 0; j < article.field_count(); ++j) {
        const UnknownField& value = article.field(j);
        const FieldDescriptor* descriptor =
            v1::Article::descriptor()->FindFieldByNumber(value.number());
        const int index = seen[value.number()]++;
        if (descriptor == nullptr || descriptor->type() != FieldDescriptor::TYPE_STRING ||
            value.type() != UnknownField::TYPE_LENGTH_DELIMITED) {
          continue;
        }
        absl::StatusOr<std::string> text = NormalizeBody(value.length_delimited());
        if (text.ok()) continue;
        std::string name = absl::StrCat("article.", descriptor->name());
        if (descriptor->is_repeated()) absl::StrAppend(&name, "[", index, "]");
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": ", std::string(text.status().message())));
      }
    }
  }
  return absl::InvalidArgumentError(
      "request: not a well-formed archive.v1.SubmitRequest");
}

absl::StatusOr<v1::SubmitRequest> ParseRequest(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) {
    return absl::InvalidArgumentError("request: unreadable");
  }
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  v1::SubmitRequest request;
  if (!request.ParseFromString(bytes)) return WhyUnparsable(bytes);
  return request;
}

grpc::ByteBuffer Serialize(const v1::SubmitResponse& response) {
  grpc::Slice slice(response.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

// The field a rule failure names: "article.captions[2]: ..." is captions.
std::string RejectedField(const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  if (message.rfind("article.", 0) != 0) return "request";
  message.remove_prefix(8);
  const size_t end = message.find_first_of(".[: ");
  return std::string(message.substr(0, end));
}

}  // namespace

IngestService::IngestService(SubmitPipeline* pipeline, IngestServiceOptions options)
    : pipeline_(pipeline), options_(options) {
  if (options_.metrics == nullptr) return;
  outcomes_ = &prometheus::BuildCounter()
                   .Name("archive_ingest_articles_total")
                   .Help("Articles submitted, by outcome: stored, duplicate, "
                         "near_duplicate, rejected.")
                   .Register(*options_.metrics);
  rejected_fields_ = &prometheus::BuildCounter()
                          .Name("archive_ingest_rejected_total")
                          .Help("Articles rejected, by the field a rule found wrong.")
                          .Register(*options_.metrics);
}

void IngestService::Count(const absl::StatusOr<v1::SubmitResponse>& result) {
  if (outcomes_ == nullptr || !result.ok()) return;
  const char* outcome = "rejected";
  switch (result->outcome()) {
    case v1::OUTCOME_STORED:
      outcome = "stored";
      break;
    case v1::OUTCOME_DUPLICATE:
      outcome = "duplicate";
      break;
    case v1::OUTCOME_NEAR_DUPLICATE:
      outcome = "near_duplicate";
      break;
    default:
      break;
  }
  outcomes_->Add({{"outcome", outcome}}).Increment();
}

void IngestService::CountRejected(const absl::Status& status) {
  if (outcomes_ == nullptr) return;
  outcomes_->Add({{"outcome", "rejected"}}).Increment();
  rejected_fields_->Add({{"field", RejectedField(status)}}).Increment();
}

grpc::ServerUnaryReactor* IngestService::Submit(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status admitted = admission_gate_.Admit(*context); !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  absl::StatusOr<v1::SubmitRequest> parsed = ParseRequest(*request);
  absl::StatusOr<PreparedArticle> prepared =
      parsed.ok() ? PrepareArticle(parsed->article(), absl::Now(), options_.preparer)
                  : parsed.status();
  if (!prepared.ok()) {
    CountRejected(prepared.status());
    reactor->Finish(ToGrpcStatus(prepared.status()));
    return reactor;
  }
  if (unary_in_flight_.fetch_add(1) >= options_.max_unary_in_flight) {
    unary_in_flight_.fetch_sub(1);
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "ingest overloaded: too many Submits under way; "
                                 "retry with backoff or use SubmitStream"));
    return reactor;
  }
  pipeline_->Submit(*std::move(prepared), CallDeadline(context),
                    [this, reactor, response](absl::StatusOr<v1::SubmitResponse> result) {
                      unary_in_flight_.fetch_sub(1);
                      Count(result);
                      if (result.ok()) *response = Serialize(*result);
                      reactor->Finish(ToGrpcStatus(result.status()));
                    });
  return reactor;
}

// One SubmitStream call. Owns itself: deleted once gRPC is done with it and
// every article it handed to the pipeline has come back.
class IngestService::StreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(IngestService* service, grpc::CallbackServerContext* context)
      : service_(service), deadline_(CallDeadline(context)) {
    if (absl::Status admitted = service_->admission_gate_.Admit(*context);
        !admitted.ok()) {
      finished_ = true;
      Finish(ToGrpcStatus(admitted));
      return;
    }
    reading_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client has sent everything (or is gone)
      std::unique_lock<std::mutex> lock(mutex_);
      reading_ = false;
      reads_done_ = true;
      Advance(std::move(lock));
      return;
    }
    const int64_t sequence = next_read_++;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (finished_ || !failure_.ok()) {  // a late read after the end
        reading_ = false;
        Advance(std::move(lock));
        return;
      }
    }
    absl::StatusOr<v1::SubmitRequest> parsed = ParseRequest(request_);
    const size_t bytes = parsed.ok() ? ArticleTextBytes(parsed->article()) : request_.Length();
    absl::StatusOr<PreparedArticle> prepared =
        parsed.ok() ? PrepareArticle(parsed->article(), absl::Now(),
                                     service_->options_.preparer)
                    : parsed.status();
    std::unique_lock<std::mutex> lock(mutex_);
    reading_ = false;
    ++unanswered_;
    unanswered_bytes_ += bytes;
    pending_bytes_[sequence] = bytes;
    if (!prepared.ok()) {
      service_->CountRejected(prepared.status());
      v1::SubmitResponse rejected;
      rejected.set_outcome(v1::OUTCOME_REJECTED);
      rejected.set_error(std::string(prepared.status().message()));
      ready_.emplace(sequence, std::move(rejected));
      Advance(std::move(lock));
      return;
    }
    ++in_pipeline_;
    lock.unlock();
    service_->pipeline_->Submit(
        *std::move(prepared), deadline_,
        [this, sequence](absl::StatusOr<v1::SubmitResponse> result) {
          service_->Count(result);
          std::unique_lock<std::mutex> lock(mutex_);
          --in_pipeline_;
          if (result.ok()) {
            ready_.emplace(sequence, *std::move(result));
          } else if (failure_.ok()) {
            failure_ = result.status();
          }
          Advance(std::move(lock));
        });
    lock.lock();
    Advance(std::move(lock));
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mutex_);
    writing_ = false;
    --unanswered_;
    unanswered_bytes_ -= pending_bytes_[next_write_];
    pending_bytes_.erase(next_write_);
    ++next_write_;
    if (!ok && failure_.ok()) {
      failure_ = absl::CancelledError("client stopped reading responses");
    }
    Advance(std::move(lock));
  }

  void OnCancel() override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (failure_.ok()) failure_ = absl::CancelledError("cancelled by client");
    Advance(std::move(lock));
  }

  void OnDone() override {
    std::unique_lock<std::mutex> lock(mutex_);
    grpc_done_ = true;
    MaybeDelete(std::move(lock));
  }

 private:
  // Decides the next step under the lock (read more, write the next
  // response in order, or finish) and takes it after unlocking.
  void Advance(std::unique_lock<std::mutex> lock) {
    if (finished_) {
      MaybeDelete(std::move(lock));
      return;
    }
    bool start_read = false;
    bool start_write = false;
    bool finish = false;
    grpc::Status finish_status;
    if (!failure_.ok()) {
      // Stop: answer nothing more once the write under way is done. A read
      // still pending ends (not ok) when the call does.
      if (!writing_) {
        finish = true;
        finish_status = ToGrpcStatus(failure_);
      }
    } else {
      if (!writing_) {
        auto next = ready_.find(next_write_);
        if (next != ready_.end()) {
          response_ = Serialize(next->second);
          ready_.erase(next);
          writing_ = true;
          start_write = true;
        }
      }
      if (!reading_ && !reads_done_ &&
          unanswered_ < service_->options_.max_stream_articles &&
          unanswered_bytes_ < service_->options_.max_stream_bytes) {
        reading_ = true;
        start_read = true;
      }
      if (reads_done_ && !writing_ && !start_write && unanswered_ == 0) {
        finish = true;
        finish_status = grpc::Status::OK;
      }
    }
    if (finish) finished_ = true;
    lock.unlock();
    if (start_write) StartWrite(&response_);
    if (start_read) StartRead(&request_);
    if (finish) Finish(finish_status);
  }

  void MaybeDelete(std::unique_lock<std::mutex> lock) {
    const bool done = grpc_done_ && in_pipeline_ == 0;
    lock.unlock();
    if (done) delete this;
  }

  IngestService* const service_;
  const absl::Time deadline_;

  // request_ is touched only between StartRead and OnReadDone, response_
  // between StartWrite and OnWriteDone; gRPC orders those.
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  int64_t next_read_ = 0;

  std::mutex mutex_;
  std::map<int64_t, v1::SubmitResponse> ready_;  // guarded by mutex_
  std::map<int64_t, size_t> pending_bytes_;      // guarded by mutex_
  int64_t next_write_ = 0;                       // guarded by mutex_
  int unanswered_ = 0;                           // guarded by mutex_
  size_t unanswered_bytes_ = 0;                  // guarded by mutex_
  int in_pipeline_ = 0;                          // guarded by mutex_
  bool reading_ = false;                         // guarded by mutex_
  bool reads_done_ = false;                      // guarded by mutex_
  bool writing_ = false;                         // guarded by mutex_
  bool finished_ = false;                        // guarded by mutex_
  bool grpc_done_ = false;                       // guarded by mutex_
  absl::Status failure_;                         // guarded by mutex_
};

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
IngestService::SubmitStream(grpc::CallbackServerContext* context) {
  return new StreamReactor(this, context);
}

}  // namespace archive::ingest
