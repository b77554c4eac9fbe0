#include "common/grpc_server.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "common/tls.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/channel_arguments.h"

namespace archive {
namespace {

int signal_pipe[2] = {-1, -1};

void OnTerminationSignal(int signal_number) {
  const char byte = static_cast<char>(signal_number);
  // write(2) is async-signal-safe; a full pipe means a signal is pending
  // already, so a failed write loses nothing.
  (void)!::write(signal_pipe[1], &byte, 1);
}

// Takes server reflection out of one ServerBuilder. Linking gRPC's reflection
// library registers its plugin for every builder of the process (a static
// initializer calls InitProtoReflectionServerBuilderPlugin as the library
// loads), so leaving the Init call out does not turn it off: removing the
// plugin from the builder does.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(
      std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
                                    return plugin->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

// What the health port answers for every method but health's: a server
// needs some service besides health to start, and this one serves nothing.
class HealthOnly final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Refusal final : public grpc::ServerGenericBidiReactor {
     public:
      Refusal() {
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            "this port serves health checks only"));
      }
      void OnDone() override { delete this; }
    };
    return new Refusal;
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const GrpcServerOptions& options,
    const std::vector<grpc::Service*>& services) {
  RETURN_IF_ERROR(CheckPlaintextListen(options.listen_address,
                                       options.credentials != nullptr, options.insecure));
  grpc::EnableDefaultHealthCheckService(true);
  // Registers the plugin for every builder of the process (idempotent);
  // each builder without reflection takes it out again.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  if (!options.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  int port = 0;
  builder.AddListeningPort(options.listen_address,
                           options.credentials != nullptr
                               ? options.credentials
                               : grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // gRPC sets SO_REUSEPORT by default, so a second server on a port in use
  // would start and silently take a share of its connections (a second
  // store on one --listen would answer Puts for the first). One port, one
  // server: the second fails here.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.metrics != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(RpcMetricsInterceptor(options.metrics));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use, or not a HOST:PORT of this machine)"));
  }
  std::unique_ptr<grpc::Server> health_server;
  if (!options.health_listen.empty()) {
    // No service and no reflection: only gRPC's default health service,
    // and a refusal of everything else.
    static HealthOnly* const health_only = new HealthOnly;
    grpc::ServerBuilder health_builder;
    health_builder.SetOption(std::make_unique<WithoutReflection>());
    health_builder.RegisterCallbackGenericService(health_only);
    int health_port = 0;
    health_builder.AddListeningPort(options.health_listen, grpc::InsecureServerCredentials(),
                                    &health_port);
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_server = health_builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      server->Shutdown();
      return absl::UnavailableError(absl::StrCat("cannot listen on --health_listen=",
                                                 options.health_listen));
    }
  }
  return std::unique_ptr<GrpcServer>(
      new GrpcServer(std::move(server), std::move(health_server), port, options));
}

GrpcServer::GrpcServer(std::unique_ptr<grpc::Server> server,
                       std::unique_ptr<grpc::Server> health_server, int port,
                       const GrpcServerOptions& options)
    : server_(std::move(server)),
      health_server_(std::move(health_server)),
      port_(port),
      service_names_(options.service_names),
      admission_gates_(options.admission_gates) {
  for (grpc::HealthCheckServiceInterface* health : HealthServices()) {
    health->SetServingStatus(true);
    for (const std::string& name : service_names_) {
      health->SetServingStatus(name, true);
    }
  }
}

std::vector<grpc::HealthCheckServiceInterface*> GrpcServer::HealthServices() const {
  std::vector<grpc::HealthCheckServiceInterface*> services;
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    if (grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService()) {
      services.push_back(health);
    }
  }
  return services;
}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

std::shared_ptr<grpc::Channel> GrpcServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void GrpcServer::SetServingStatus(const std::string& service, bool serving) {
  MutexLock lock(&health_mutex_);
  if (health_final_) return;
  for (grpc::HealthCheckServiceInterface* health : HealthServices()) {
    health->SetServingStatus(service, serving);
  }
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // First: whoever sees NOT_SERVING must then find the gates closed.
  for (AdmissionGate* gate : admission_gates_) gate->Close();
  {
    MutexLock lock(&health_mutex_);
    health_final_ = true;
    for (grpc::HealthCheckServiceInterface* health : HealthServices()) {
      health->SetServingStatus(false);
    }
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  if (health_server_ != nullptr) {
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
  }
}

void InstallTerminationHandlers() {
  if (signal_pipe[0] >= 0) return;
  if (::pipe2(signal_pipe, O_CLOEXEC) != 0) return;
  struct sigaction action = {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

int WaitForTerminationSignal() {
  InstallTerminationHandlers();
  if (signal_pipe[0] < 0) return SIGTERM;  // no pipe: nothing to wait on
  char byte = 0;
  while (::read(signal_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
  return static_cast<unsigned char>(byte);
}

}  // namespace archive
