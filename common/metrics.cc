#include "common/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/support/interceptor.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/metric_family.h"

namespace archive {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The process's figures, read from /proc at each scrape.
class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    std::ifstream stat_file("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)),
                     std::istreambuf_iterator<char>());
    // Fields after the command's closing parenthesis: field 3 is first.
    const size_t paren = stat.rfind(')');
    if (paren != std::string::npos) {
      std::vector<std::string> fields =
          absl::StrSplit(stat.substr(paren + 2), ' ', absl::SkipEmpty());
      // utime (14), stime (15), starttime (22), rss (24): index = field - 3.
      if (fields.size() > 21) {
        const double cpu = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
        families.push_back(SingleSample("process_cpu_seconds_total",
                                 "User and system CPU time spent in seconds.",
                                 prometheus::MetricType::Counter, cpu));
        const double rss = std::stod(fields[21]) * sysconf(_SC_PAGESIZE);
        families.push_back(SingleSample("process_resident_memory_bytes",
                                 "Resident memory size in bytes.",
                                 prometheus::MetricType::Gauge, rss));
        families.push_back(SingleSample("process_start_time_seconds",
                                 "Start time of the process since unix epoch in seconds.",
                                 prometheus::MetricType::Gauge, BootTime() + std::stod(fields[19]) / ticks));
      }
    }
    families.push_back(SingleSample("process_open_fds", "Number of open file descriptors.",
                             prometheus::MetricType::Gauge, OpenFds()));
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      families.push_back(SingleSample("process_max_fds",
                               "Maximum number of open file descriptors.",
                               prometheus::MetricType::Gauge,
                               static_cast<double>(limit.rlim_cur)));
    }
    return families;
  }

 private:
  static double OpenFds() {
    double count = 0;
    if (DIR* dir = opendir("/proc/self/fd")) {
      while (readdir(dir) != nullptr) ++count;
      closedir(dir);
      count -= 3;  // ".", ".." and the directory's own descriptor
    }
    return count;
  }

  static double BootTime() {
    std::ifstream stat("/proc/stat");
    std::string key;
    double value = 0;
    while (stat >> key) {
      if (key == "btime") {
        stat >> value;
        return value;
      }
      stat.ignore(1 << 20, '\n');
    }
    return 0;
  }
};

struct RpcFamilies {
  explicit RpcFamilies(prometheus::Registry& registry)
      : handled(prometheus::BuildCounter()
                    .Name("archive_rpc_handled_total")
                    .Help("RPCs finished, by method and gRPC status code.")
                    .Register(registry)),
        duration(prometheus::BuildHistogram()
                     .Name("archive_rpc_duration_seconds")
                     .Help("Time from an RPC's arrival to its status, by method.")
                     .Register(registry)),
        in_flight(prometheus::BuildGauge()
                      .Name("archive_rpc_in_flight")
                      .Help("RPCs under way, by method.")
                      .Register(registry)),
        shed(prometheus::BuildCounter()
                 .Name("archive_rpc_shed_total")
                 .Help("RPCs refused with RESOURCE_EXHAUSTED (load shed, or a "
                       "store's disk nearly full), by method.")
                 .Register(registry)) {}

  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& duration;
  prometheus::Family<prometheus::Gauge>& in_flight;
  prometheus::Family<prometheus::Counter>& shed;
};

// One RPC's: created as it arrives, destroyed when gRPC is done with it.
class RpcMetricsRecorder final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsRecorder(std::shared_ptr<RpcFamilies> families, std::string method)
      : families_(std::move(families)),
        method_(std::move(method)),
        started_(absl::Now()),
        in_flight_(families_->in_flight.Add({{"method", method_}})) {
    in_flight_.Increment();
  }
  ~RpcMetricsRecorder() override { in_flight_.Decrement(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::StatusCode code = methods->GetSendStatus().error_code();
      // gRPC's codes are abseil's, numbered alike.
      families_->handled
          .Add({{"method", method_},
                {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}})
          .Increment();
      families_->duration.Add({{"method", method_}}, LatencyBuckets())
          .Observe(absl::ToDoubleSeconds(absl::Now() - started_));
      if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        families_->shed.Add({{"method", method_}}).Increment();
      }
    }
    methods->Proceed();
  }

 private:
  const std::shared_ptr<RpcFamilies> families_;
  const std::string method_;
  const absl::Time started_;
  prometheus::Gauge& in_flight_;
};

class RpcMetricsFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsFactory(std::shared_ptr<prometheus::Registry> registry)
      : registry_(std::move(registry)), families_(std::make_shared<RpcFamilies>(*registry_)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcMetricsRecorder(families_, info->method());
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;  // owns the families
  const std::shared_ptr<RpcFamilies> families_;
};

}  // namespace

prometheus::MetricFamily SampledFamily(const std::string& name, const std::string& help,
                                       prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  return family;
}

void AddSample(prometheus::MetricFamily* family, double value,
               std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  if (family->type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family->metric.push_back(std::move(metric));
}

prometheus::MetricFamily SingleSample(const std::string& name, const std::string& help,
                                      prometheus::MetricType type, double value) {
  prometheus::MetricFamily family = SampledFamily(name, help, type);
  AddSample(&family, value);
  return family;
}

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25,   0.5,   1,      2.5,   5,    10,    30};
}

prometheus::Histogram::BucketBoundaries CountBuckets() {
  return {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
}

absl::StatusOr<std::unique_ptr<prometheus::Exposer>> ServeMetrics(
    const std::string& listen_address, std::shared_ptr<prometheus::Registry> registry) {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen_address, 1);
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen_address,
                                               ": ", error.what()));
  }
  static const auto process = std::make_shared<ProcessCollector>();
  exposer->RegisterCollectable(registry);
  exposer->RegisterCollectable(process);
  return exposer;
}

absl::StatusOr<ServedMetrics> StartMetrics(const std::string& listen_address) {
  ServedMetrics metrics;
  if (listen_address.empty()) return metrics;
  metrics.registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<prometheus::Exposer>> exposer =
      ServeMetrics(listen_address, metrics.registry);
  if (!exposer.ok()) return exposer.status();
  metrics.exposer = *std::move(exposer);
  return metrics;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RpcMetricsInterceptor(
    std::shared_ptr<prometheus::Registry> registry) {
  return std::make_unique<RpcMetricsFactory>(std::move(registry));
}

}  // namespace archive
