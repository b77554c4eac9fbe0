#include "common/tls.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

using ::testing::HasSubstr;

// A CA and two certificates made by deploy/certs.sh, once for the suite.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/tls_test");
    const std::string command = absl::StrCat(
        "deploy/certs.sh --out=", *dir_, " localhost:IP:127.0.0.1 other >/dev/null 2>&1");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static std::string File(const std::string& name) { return *dir_ + "/" + name; }
  static std::string* dir_;
};
std::string* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, GoodFilesMakeCredentials) {
  EXPECT_TRUE(MakeServerCredentials({File("localhost.pem"), File("localhost-key.pem"), ""}).ok());
  EXPECT_TRUE(MakeServerCredentials(
                  {File("localhost.pem"), File("localhost-key.pem"), File("ca.pem")})
                  .ok());
  EXPECT_TRUE(MakeClientSecurity({File("ca.pem"), "", ""}, "token").ok());
  EXPECT_TRUE(MakeClientSecurity({File("ca.pem"), File("other.pem"), File("other-key.pem")}, "")
                  .ok());
  EXPECT_NE(MakeServerCredentials({}).value(), nullptr);  // plaintext
}

TEST_F(TlsTest, AWrongFileFailsNamingTheFlagAndTheFile) {
  struct Case {
    ServerTlsFiles files;
    std::string message;
  };
  std::ofstream(File("garbage.pem")) << "not a certificate\n";
  for (const Case& c : {
           Case{{File("missing.pem"), File("localhost-key.pem"), ""},
                "--tls_cert=" + File("missing.pem") + ": cannot be read"},
           Case{{File("localhost.pem"), "", ""}, "--tls_key=: required"},
           Case{{File("garbage.pem"), File("localhost-key.pem"), ""},
                "--tls_cert=" + File("garbage.pem") + ": holds no PEM certificate"},
           Case{{File("localhost.pem"), File("localhost.pem"), ""},
                "--tls_key=" + File("localhost.pem") + ": holds no PEM private key"},
           Case{{File("localhost.pem"), File("other-key.pem"), ""},
                "is not the key of the certificate in " + File("localhost.pem")},
           Case{{File("localhost.pem"), File("localhost-key.pem"), File("garbage.pem")},
                "--tls_client_ca=" + File("garbage.pem")},
       }) {
    auto made = MakeServerCredentials(c.files);
    ASSERT_FALSE(made.ok()) << c.message;
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(made.status().message()), HasSubstr(c.message));
  }
  auto client = MakeClientSecurity({File("garbage.pem"), "", ""}, "");
  ASSERT_FALSE(client.ok());
  EXPECT_THAT(std::string(client.status().message()), HasSubstr("--tls_ca="));
}

TEST(LoopbackTest, TellsLoopbackAddressesFromOthers) {
  for (const char* address : {"127.0.0.1:50052", "127.1.2.3:1", "localhost:50051",
                              "LOCALHOST:1", "[::1]:50053"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0:50052", "[::]:50052", "10.0.0.5:50052",
                              "store-0.store.archive.svc:50052", "128.0.0.1:1",
                              "127.example.com:1", "[::ffff:8.8.8.8]:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(CheckPlaintextListenTest, RefusesPlaintextOffLoopbackUnlessInsecure) {
  EXPECT_TRUE(CheckPlaintextListen("127.0.0.1:50052", false, false).ok());
  EXPECT_TRUE(CheckPlaintextListen("0.0.0.0:50052", true, false).ok());
  EXPECT_TRUE(CheckPlaintextListen("0.0.0.0:50052", false, true).ok());
  const absl::Status refused = CheckPlaintextListen("0.0.0.0:50052", false, false);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("refusing to serve plaintext on 0.0.0.0:50052"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("--insecure"));
  EXPECT_EQ(std::string(refused.message()).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace archive
