// The servers' Prometheus metrics: one registry per server, served in the
// text exposition format at /metrics by prometheus-cpp's Exposer (civetweb)
// on --metrics_listen, with the process's own figures and, from one place,
// every RPC's (a gRPC server interceptor, not a line in every handler).
//
// Names follow Prometheus' conventions: the archive's own start with
// archive_, counters end in _total, durations are _seconds histograms;
// the process's are the standard process_* ones.
//
// RPC figures, labelled by `method` ("/archive.v1.Store/Put") and `code`:
//   archive_rpc_handled_total{method,code}   calls finished
//   archive_rpc_duration_seconds{method}     from arrival to status
//   archive_rpc_in_flight{method}            calls under way
//   archive_rpc_shed_total{method}           refused RESOURCE_EXHAUSTED
#ifndef COMMON_METRICS_H_
#define COMMON_METRICS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/exposer.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace archive {

// For a prometheus::Collectable that computes its figures at each scrape:
// a family of `type` (Gauge or Counter) with no samples yet, a sample added
// to it, and a family of one unlabelled sample.
prometheus::MetricFamily SampledFamily(const std::string& name, const std::string& help,
                                       prometheus::MetricType type);
void AddSample(prometheus::MetricFamily* family, double value,
               std::vector<prometheus::ClientMetric::Label> labels = {});
prometheus::MetricFamily SingleSample(const std::string& name, const std::string& help,
                                      prometheus::MetricType type, double value);

// Buckets for latencies from half a millisecond to half a minute.
prometheus::Histogram::BucketBoundaries LatencyBuckets();
// Buckets for counts of 1 to 1000 (batch sizes).
prometheus::Histogram::BucketBoundaries CountBuckets();

// Serves `registry` and the process's figures (process_cpu_seconds_total,
// process_resident_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds) at http://LISTEN/metrics. UNAVAILABLE naming
// the address when it cannot listen.
absl::StatusOr<std::unique_ptr<prometheus::Exposer>> ServeMetrics(
    const std::string& listen_address, std::shared_ptr<prometheus::Registry> registry);

// A server's metrics: its registry and the endpoint serving it, or both
// null when `listen_address` is empty (metrics off).
struct ServedMetrics {
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<prometheus::Exposer> exposer;
};
absl::StatusOr<ServedMetrics> StartMetrics(const std::string& listen_address);

// The interceptor that records the RPC figures above into `registry`.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RpcMetricsInterceptor(
    std::shared_ptr<prometheus::Registry> registry);

}  // namespace archive

#endif  // COMMON_METRICS_H_
