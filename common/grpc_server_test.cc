#include "common/grpc_server.h"

#include <future>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/admission_gate.h"
#include "common/health_client.h"
#include "common/testing/server_process.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

TEST(GrpcServerTest, ShutdownClosesEveryGate) {
  AdmissionGate first;
  AdmissionGate second;
  GrpcServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.admission_gates = {&first, &second};
  auto server = GrpcServer::Start(options, {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto serving = CheckHealth(channel, "", absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(serving.ok()) << serving.status();
  EXPECT_EQ(*serving, ServingStatus::kServing);
  EXPECT_TRUE(first.open());
  EXPECT_TRUE(second.open());

  (*server)->Shutdown(absl::Seconds(1));
  EXPECT_FALSE(first.open());
  EXPECT_FALSE(second.open());
  (*server)->Shutdown(absl::Seconds(1));  // idempotent
  EXPECT_FALSE(first.open());
}

// The status of one call of `method` at `address` with an empty request.
grpc::Status CallWithEmptyRequest(const std::string& address, const std::string& method) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

// One ServerReflectionInfo exchange: an empty request, which reflection
// answers with an error inside its response and status OK.
grpc::Status CallReflection(const std::string& address) {
  return CallWithEmptyRequest(address,
                              "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
}

grpc::Status CallReflection(const GrpcServer& server) {
  return CallReflection("127.0.0.1:" + std::to_string(server.port()));
}

// Serves the health service only: the server's statuses, mirrored, and no
// other service (a call of one is UNIMPLEMENTED there).
TEST(GrpcServerTest, TheHealthPortServesHealthAloneWithTheSameStatuses) {
  GrpcServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.service_names = {"archive.v1.Store", "archive.v1.Store.Put"};
  options.health_listen = "127.0.0.1:" + std::to_string(testing::PickFreePort());
  auto server = GrpcServer::Start(options, {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto health = grpc::CreateChannel(options.health_listen, grpc::InsecureChannelCredentials());
  auto status = [&](const std::string& service) {
    auto serving = CheckHealth(health, service, absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(serving.ok()) << serving.status();
    return serving.ok() ? *serving : ServingStatus::kUnknown;
  };
  EXPECT_EQ(status(""), ServingStatus::kServing);
  EXPECT_EQ(status("archive.v1.Store"), ServingStatus::kServing);
  (*server)->SetServingStatus("archive.v1.Store.Put", false);
  EXPECT_EQ(status("archive.v1.Store.Put"), ServingStatus::kNotServing);
  EXPECT_EQ(status("archive.v1.Store"), ServingStatus::kServing);

  EXPECT_EQ(CallWithEmptyRequest(options.health_listen, "/archive.v1.Store/Put").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(CallReflection(options.health_listen).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);

  (*server)->Shutdown(absl::Seconds(1));
}

TEST(GrpcServerTest, ReflectionIsServedOnlyWhereItIsOn) {
  // Any service: a server needs one to build without reflection's.
  v1::Query::CallbackService unimplemented;
  GrpcServerOptions options;
  options.listen_address = "127.0.0.1:0";
  auto with = GrpcServer::Start(options, {&unimplemented});
  ASSERT_TRUE(with.ok()) << with.status();
  options.reflection = false;
  auto without = GrpcServer::Start(options, {&unimplemented});
  ASSERT_TRUE(without.ok()) << without.status();

  const grpc::Status served = CallReflection(**with);
  EXPECT_TRUE(served.ok()) << served.error_code() << " " << served.error_message();
  // Built after a server with reflection in the same process, and still off.
  EXPECT_EQ(CallReflection(**without).error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace archive
