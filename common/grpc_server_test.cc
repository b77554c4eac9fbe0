#include "common/grpc_server.h"

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "common/admission_gate.h"
#include "common/health_client.h"
#include "grpcpp/create_channel.h"
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

}  // namespace
}  // namespace archive
