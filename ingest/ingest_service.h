// archive.v1.Ingest on gRPC's callback API.
//
// Submit prepares one article (ingest/article_preparer.h) and hands it to
// the SubmitPipeline; a bad article is INVALID_ARGUMENT naming the field.
// SubmitStream answers every request, in order; a bad article gets
// OUTCOME_REJECTED with the reason and the stream goes on. If a store stays
// unreachable the stream ends with that status (UNAVAILABLE): every response
// already sent is true, and the articles without one were not acknowledged.
//
// Flow control: a stream reads its next request only while fewer than
// max_stream_articles articles (and max_stream_bytes of text) of it are
// unanswered, so a slow store slows the client down through gRPC's own flow
// control instead of growing a queue here. Unary Submits beyond
// max_unary_in_flight are refused at once with RESOURCE_EXHAUSTED.
//
// The methods take the request's bytes (gRPC's raw callback API) and parse
// them here: protobuf refuses to parse a proto3 string field that is not
// UTF-8, and gRPC would then fail a Submit without naming the field and end a
// SubmitStream early as if the client were done. Parsed here, such an article
// is rejected like any other bad one.
#ifndef INGEST_INGEST_SERVICE_H_
#define INGEST_INGEST_SERVICE_H_

#include <atomic>
#include <cstddef>

#include "archive/v1/ingest.grpc.pb.h"
#include "common/admission_gate.h"
#include "grpcpp/support/byte_buffer.h"
#include "ingest/article_preparer.h"
#include "ingest/submit_pipeline.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace archive::ingest {

struct IngestServiceOptions {
  PreparerOptions preparer;
  int max_stream_articles = 256;
  size_t max_stream_bytes = size_t{64} << 20;
  int max_unary_in_flight = 1024;
  // Where articles are counted by outcome (archive_ingest_articles_total)
  // and rejections by field (archive_ingest_rejected_total); none when null.
  prometheus::Registry* metrics = nullptr;
};

class IngestService final
    : public v1::Ingest::WithRawCallbackMethod_Submit<
          v1::Ingest::WithRawCallbackMethod_SubmitStream<v1::Ingest::Service>> {
 public:
  // `pipeline` is not owned and must outlive every call.
  IngestService(SubmitPipeline* pipeline, IngestServiceOptions options);

  // A serialized SubmitRequest in, a serialized SubmitResponse out.
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SubmitStream(
      grpc::CallbackServerContext* context) override;

  // Closed when the server begins to shut down: a Submit or SubmitStream
  // that starts after that is refused UNAVAILABLE.
  AdmissionGate* admission_gate() { return &admission_gate_; }

 private:
  class StreamReactor;

  // An article's outcome, or its rejection by a rule, into the counters.
  void Count(const absl::StatusOr<v1::SubmitResponse>& result);
  void CountRejected(const absl::Status& status);

  SubmitPipeline* const pipeline_;
  const IngestServiceOptions options_;
  prometheus::Family<prometheus::Counter>* outcomes_ = nullptr;
  prometheus::Family<prometheus::Counter>* rejected_fields_ = nullptr;
  std::atomic<int> unary_in_flight_{0};
  AdmissionGate admission_gate_;
};

}  // namespace archive::ingest

#endif  // INGEST_INGEST_SERVICE_H_
