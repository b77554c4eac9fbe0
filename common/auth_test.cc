#include "common/auth.h"

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive/v1/query.grpc.pb.h"
#include "common/admission_gate.h"
#include "common/grpc_server.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "prometheus/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

using ::testing::HasSubstr;

std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

// Answers GetArticle with an empty article once its gate admits the call.
class GatedService final : public v1::Query::CallbackService {
 public:
  AdmissionGate* gate() { return &gate_; }

  grpc::ServerUnaryReactor* GetArticle(grpc::CallbackServerContext* context,
                                       const v1::GetArticleRequest*,
                                       v1::Article*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    const absl::Status admitted = gate_.Admit(*context);
    reactor->Finish(admitted.ok() ? grpc::Status::OK
                                  : grpc::Status(static_cast<grpc::StatusCode>(admitted.code()),
                                                 std::string(admitted.message())));
    return reactor;
  }

 private:
  AdmissionGate gate_;
};

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_ = WriteFile("tokens", absl::StrCat("# roles of the test\n",
                                               "reader ", TokenHash("reader-token"), "\n",
                                               "admin  ", TokenHash("admin-token"),
                                               "  # the operator\n\n",
                                               "crawler ", TokenHash("crawler-token"), "\n"));
    auto authorizer = Authorizer::Load(tokens_);
    ASSERT_TRUE(authorizer.ok()) << authorizer.status();
    authorizer_ = *std::move(authorizer);
    authorizer_->CountFailuresIn(registry_.get());
    service_.gate()->RequireRoles(authorizer_.get(), {Role::kReader, Role::kAdmin},
                                  "archive.v1.Query");
    GrpcServerOptions options;
    options.listen_address = "127.0.0.1:0";
    auto server = GrpcServer::Start(options, {&service_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::Query::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Call(const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::GetArticleRequest request;
    v1::Article article;
    return stub_->GetArticle(&context, request, &article);
  }

  // The value of archive_auth_failures_total{code=`code`}, 0 when absent.
  double FailuresCounted(const std::string& code) const {
    for (const prometheus::MetricFamily& family : registry_->Collect()) {
      if (family.name != "archive_auth_failures_total") continue;
      for (const prometheus::ClientMetric& metric : family.metric) {
        if (!metric.label.empty() && metric.label[0].value == code) return metric.counter.value;
      }
    }
    return 0;
  }

  std::string tokens_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<Authorizer> authorizer_;
  GatedService service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

TEST_F(AuthorizerTest, AKnownTokenInAnAllowedRoleIsAdmitted) {
  EXPECT_TRUE(Call("Bearer reader-token").ok());
  EXPECT_TRUE(Call("Bearer admin-token").ok());
  EXPECT_EQ(authorizer_->failures(), 0u);
}

TEST_F(AuthorizerTest, NoTokenOrAnUnknownOneIsUnauthenticatedAndNotRepeated) {
  grpc::Status none = Call("");
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(none.error_message(), HasSubstr("archive.v1.Query needs a token"));
  grpc::Status unknown = Call("Bearer not-a-token-we-know");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(unknown.error_message().find("not-a-token-we-know"), std::string::npos);
  EXPECT_EQ(Call("Basic cmVhZGVy").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(authorizer_->failures(), 3u);
  EXPECT_EQ(FailuresCounted("UNAUTHENTICATED"), 3);
}

TEST_F(AuthorizerTest, AKnownTokenInAnotherRoleIsPermissionDeniedNamingTheRoles) {
  grpc::Status denied = Call("Bearer crawler-token");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(),
              HasSubstr("archive.v1.Query needs the reader or admin role; this is crawler's"));
  EXPECT_EQ(denied.error_message().find("crawler-token"), std::string::npos);
  EXPECT_EQ(FailuresCounted("PERMISSION_DENIED"), 1);
}

TEST_F(AuthorizerTest, TheFileIsReadAgainWhenItChanges) {
  EXPECT_EQ(Call("Bearer new-token").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A revoked reader, a new one; the mtime must move past the 1 s check.
  absl::SleepFor(absl::Milliseconds(1100));
  std::ofstream(tokens_) << "reader " << TokenHash("new-token") << "\n";
  EXPECT_TRUE(Call("Bearer new-token").ok());
  EXPECT_EQ(Call("Bearer reader-token").error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // A broken file keeps the one in force.
  absl::SleepFor(absl::Milliseconds(1100));
  std::ofstream(tokens_) << "reader not-a-hash\n";
  EXPECT_TRUE(Call("Bearer new-token").ok());
}

TEST(AuthorizerLoadTest, ABadLineIsNamedByFileAndLine) {
  struct Case {
    std::string contents;
    std::string message;
  };
  for (const Case& c : {
           Case{"reader\n", ":1: expected"},
           Case{"# ok\nwriter sha256:" + std::string(64, 'a') + "\n", ":2: unknown role \"writer\""},
           Case{"reader secret-token\n", ":1: a credential is sha256:HEX or cn:NAME"},
           Case{"reader sha256:ABC\n", ":1: a token's hash is sha256: and 64"},
           Case{"service cn:\n", ":1: cn: needs"},
           Case{"reader cn:x\nadmin cn:x\n", ":2: the same credential again"},
       }) {
    const std::string path = WriteFile("bad_tokens", c.contents);
    auto loaded = Authorizer::Load(path);
    ASSERT_FALSE(loaded.ok()) << c.contents;
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(loaded.status().message()), HasSubstr(path + c.message));
  }
  EXPECT_FALSE(Authorizer::Load("/no/such/tokens").ok());
}

TEST(TokenHashTest, IsWhatSha256sumPrints) {
  // printf %s test | sha256sum
  EXPECT_EQ(TokenHash("test"),
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

TEST(ReadClientTokenTest, AFileOrTheEnvironmentNeverAFlag) {
  EXPECT_EQ(*ReadClientToken(WriteFile("token", "s3cret\n")), "s3cret");
  EXPECT_FALSE(ReadClientToken(WriteFile("empty_token", "\n")).ok());
  EXPECT_FALSE(ReadClientToken("/no/such/file").ok());
  setenv("ARCHIVE_TOKEN", "from-env", 1);
  EXPECT_EQ(*ReadClientToken(""), "from-env");
  unsetenv("ARCHIVE_TOKEN");
  EXPECT_EQ(*ReadClientToken(""), "");
}

}  // namespace
}  // namespace archive
