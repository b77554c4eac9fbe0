// Plaintext only where it is safe: each server binary, given an address that
// is not loopback and neither TLS nor --insecure, exits non-zero before it
// listens, saying why in one line; TLS or --insecure lifts the refusal.
//
// Nothing here listens off loopback. The refusals come before any socket;
// where the refusal is lifted, the address is 192.0.2.1 (TEST-NET-1, not an
// address of this machine), so the server gets past the check and fails at
// the bind instead, saying so: that other message is the proof.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/testing/server_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace archive {
namespace {

using ::archive::testing::MakeTempDir;
using ::archive::testing::ServerProcess;
using ::testing::HasSubstr;
using ::testing::Not;

struct Binary {
  const char* path;  // under the runfiles root
  const char* name;  // as it names itself in messages
};

constexpr Binary kServers[] = {{"store/store_server", "store_server"},
                               {"ingest/ingest_server", "ingest_server"},
                               {"query/query_server", "query_server"}};

// What one run of a server that must not start left: its exit code and
// output (stdout and stderr).
struct Exit {
  int code = -1;
  std::string output;
};

class PlaintextListenTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("plaintext_listen"); }

  // Runs `binary` with `args` (and a database for the store), which must
  // end by itself within 30 s.
  Exit Run(const Binary& binary, std::vector<std::string> args) {
    const int serial = ++serial_;
    if (std::string(binary.name) == "store_server") {
      args.push_back(absl::StrCat("--db=", dir_, "/db", serial));
    }
    auto process = ServerProcess::Start(binary.path, args,
                                        absl::StrCat(dir_, "/", binary.name, serial, ".log"));
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return Exit();
    auto code = (*process)->Wait(absl::Seconds(30));
    EXPECT_TRUE(code.ok()) << binary.name << " did not exit: " << code.status() << "\n"
                           << (*process)->Log();
    return Exit{code.ok() ? *code : -1, (*process)->Log()};
  }

  // A certificate for the server's name, by deploy/certs.sh.
  std::vector<std::string> TlsFlags() {
    const std::string certs = dir_ + "/certs";
    const std::string command =
        absl::StrCat("deploy/certs.sh --out=", certs, " localhost:IP:127.0.0.1 >/dev/null 2>&1");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return {"--tls_cert=" + certs + "/localhost.pem", "--tls_key=" + certs + "/localhost-key.pem"};
  }

  std::string dir_;
  int serial_ = 0;  // of the last run
};

TEST_F(PlaintextListenTest, EveryServerRefusesPlaintextOffLoopbackInOneLine) {
  for (const Binary& binary : kServers) {
    for (const char* address : {"0.0.0.0:0", "[::]:0", "192.0.2.1:0"}) {
      SCOPED_TRACE(absl::StrCat(binary.name, " --listen=", address));
      const Exit exit = Run(binary, {absl::StrCat("--listen=", address)});
      EXPECT_NE(exit.code, 0);
      const std::vector<std::string> lines = absl::StrSplit(exit.output, '\n', absl::SkipEmpty());
      ASSERT_EQ(lines.size(), 1u) << exit.output;
      EXPECT_EQ(lines[0].rfind(absl::StrCat(binary.name, ": "), 0), 0u) << lines[0];
      EXPECT_THAT(lines[0], HasSubstr(absl::StrCat("refusing to serve plaintext on ", address,
                                                   ", which is not a loopback address")));
      EXPECT_THAT(lines[0], HasSubstr("--tls_cert and --tls_key, or --insecure"));
    }
  }
}

TEST_F(PlaintextListenTest, ARefusedStoreLeavesNoDatabaseBehind) {
  const Exit exit = Run(kServers[0], {"--listen=0.0.0.0:0"});
  ASSERT_NE(exit.code, 0) << exit.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/db" + std::to_string(serial_)))
      << "the refused store created its database";
}

TEST_F(PlaintextListenTest, InsecureLiftsTheRefusal) {
  for (const Binary& binary : kServers) {
    SCOPED_TRACE(binary.name);
    const Exit exit = Run(binary, {"--listen=192.0.2.1:0", "--insecure"});
    EXPECT_NE(exit.code, 0);
    EXPECT_THAT(exit.output, Not(HasSubstr("refusing to serve plaintext")));
    EXPECT_THAT(exit.output, HasSubstr(absl::StrCat(
                                 binary.name, ": UNAVAILABLE: cannot listen on 192.0.2.1:0")));
  }
}

TEST_F(PlaintextListenTest, TlsLiftsTheRefusal) {
  const std::vector<std::string> tls = TlsFlags();
  for (const Binary& binary : kServers) {
    SCOPED_TRACE(binary.name);
    std::vector<std::string> args = tls;
    args.push_back("--listen=192.0.2.1:0");
    const Exit exit = Run(binary, args);
    EXPECT_NE(exit.code, 0);
    EXPECT_THAT(exit.output, Not(HasSubstr("refusing to serve plaintext")));
    EXPECT_THAT(exit.output, HasSubstr(absl::StrCat(
                                 binary.name, ": UNAVAILABLE: cannot listen on 192.0.2.1:0")));
  }
}

TEST_F(PlaintextListenTest, LoopbackNeedsNeitherTlsNorInsecure) {
  // The refusal is about the address alone: on loopback each server gets
  // past it to the bind, which fails here for want of a port (so that
  // nothing is left listening).
  for (const Binary& binary : kServers) {
    SCOPED_TRACE(binary.name);
    const Exit exit = Run(binary, {"--listen=127.0.0.1:notaport"});
    EXPECT_NE(exit.code, 0);
    EXPECT_THAT(exit.output, Not(HasSubstr("refusing to serve plaintext")));
    EXPECT_THAT(exit.output, HasSubstr("cannot listen on 127.0.0.1:notaport"));
  }
}

}  // namespace
}  // namespace archive
