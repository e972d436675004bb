// The loopback server helper against a real server: openssl s_server.
#include "tests/support/loopback.h"

#include <signal.h>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

TEST(FreeLoopbackPortTest, NothingListensThere) {
  const uint16_t port = FreeLoopbackPort();
  EXPECT_GT(port, 0);
  EXPECT_FALSE(PortAccepts("127.0.0.1", port));
}

TEST(FindProgramTest, FindsDaemonsOutsidePathAndNotMissingOnes) {
  EXPECT_TRUE(FindProgram("sh").has_value());
  EXPECT_FALSE(FindProgram("no-such-program-xcert").has_value());
  EXPECT_NE(NotInstalled("nginx").find("scripts/setup"), std::string::npos);
}

class OpensslServer : public ::testing::Test {
 protected:
  void SetUp() override {
    openssl_ = FindProgram("openssl");
    if (!openssl_) GTEST_SKIP() << NotInstalled("openssl");
    const RunResult made = testing::Run(
        {openssl_->string(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout",
         (dir_.path() / "key.pem").string(), "-out", (dir_.path() / "cert.pem").string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  std::vector<std::string> ServerArgv(uint16_t port) const {
    return {openssl_->string(),
            "s_server",
            "-quiet",
            "-accept",
            "127.0.0.1:" + std::to_string(port),
            "-cert",
            (dir_.path() / "cert.pem").string(),
            "-key",
            (dir_.path() / "key.pem").string()};
  }
  TempDir dir_;
  std::optional<fs::path> openssl_;
};

TEST_F(OpensslServer, StartsListensAndStopsByPid) {
  const uint16_t port = FreeLoopbackPort();
  BackgroundProcess server(ServerArgv(port), dir_.path() / "server.log");
  ASSERT_TRUE(server.WaitForPort(port)) << server.Log();
  EXPECT_TRUE(server.running());
  server.Stop();
  EXPECT_FALSE(PortAccepts("127.0.0.1", port));
}

TEST_F(OpensslServer, WaitForPortFailsFastWhenTheServerCannotStart) {
  const uint16_t port = FreeLoopbackPort();
  std::vector<std::string> argv = ServerArgv(port);
  argv[6] = (dir_.path() / "missing.pem").string();  // -cert
  BackgroundProcess server(argv, dir_.path() / "server.log");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(server.WaitForPort(port));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(server.Log().empty());
}

TEST_F(OpensslServer, KilledServerIsReportedAsSignalled) {
  const uint16_t port = FreeLoopbackPort();
  BackgroundProcess server(ServerArgv(port), dir_.path() / "server.log");
  ASSERT_TRUE(server.WaitForPort(port)) << server.Log();
  server.Signal(SIGKILL);
  EXPECT_EQ(server.Stop(), 128 + SIGKILL);
}

}  // namespace
}  // namespace xcert::testing
