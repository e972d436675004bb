// The webroot solver: token files nginx serves, removed after, never
// written through a symbolic link.
#include "resources/acme/webroot.h"

#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

const ChallengeTask kTask{"www.example.com", "tok_EN-1", "tok_EN-1.thumb"};

TEST(WebrootSolverTest, NginxServesTheTokenUntilCleanUp) {
  if (!FindProgram("nginx")) GTEST_SKIP() << NotInstalled("nginx");
  TempDir dir;
  const fs::path root = dir.path() / "www";
  fs::create_directories(root);
  const uint16_t port = FreeLoopbackPort();
  Nginx nginx(dir.path(), root, port);
  ASSERT_TRUE(nginx.ready()) << nginx.Log();
  WebrootSolver solver(root);
  ASSERT_TRUE(solver.Present(kTask).ok());
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port) + "/.well-known/acme-challenge/" + kTask.token;
  const RunResult served = RunTool("curl", {"-sf", url});
  EXPECT_EQ(served.exit_code, 0);
  EXPECT_EQ(served.out, kTask.key_authorization);
  ASSERT_TRUE(solver.CleanUp(kTask).ok());
  EXPECT_NE(RunTool("curl", {"-sf", url}).exit_code, 0);
  EXPECT_FALSE(fs::exists(root / ".well-known")) << "directories the solver made are removed";
}

TEST(WebrootSolverTest, KeepsDirectoriesItDidNotMakeAndReplacesAStaleToken) {
  TempDir dir;
  const fs::path challenge = dir.path() / ".well-known" / "acme-challenge";
  fs::create_directories(challenge);
  dir.Write(".well-known/acme-challenge/" + kTask.token, "left by a killed run");
  WebrootSolver solver(dir.path());
  ASSERT_TRUE(solver.Present(kTask).ok());
  EXPECT_EQ(xcert::testing::ReadFileOrDie(challenge / kTask.token), kTask.key_authorization);
  EXPECT_EQ(fs::status(challenge / kTask.token).permissions() & fs::perms::others_read,
            fs::perms::others_read);
  ASSERT_TRUE(solver.CleanUp(kTask).ok());
  EXPECT_FALSE(fs::exists(challenge / kTask.token));
  EXPECT_TRUE(fs::is_directory(challenge));
}

TEST(WebrootSolverTest, RefusesSymlinkedDirectoriesAndPathTokens) {
  TempDir dir;
  const fs::path elsewhere = dir.path() / "elsewhere";
  fs::create_directories(elsewhere);
  fs::create_directories(dir.path() / "www");
  fs::create_directory_symlink(elsewhere, dir.path() / "www" / ".well-known");
  WebrootSolver solver(dir.path() / "www");
  const Status linked = solver.Present(kTask);
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.message().find("symbolic link"), std::string::npos) << linked.message();
  EXPECT_TRUE(fs::is_empty(elsewhere));
  EXPECT_TRUE(solver.CleanUp(kTask).ok());

  WebrootSolver plain(dir.path() / "plain");
  fs::create_directories(dir.path() / "plain");
  EXPECT_EQ(plain.Present({"x", "../../etc/passwd", "k"}).code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir.path() / "plain" / ".well-known"));
}

TEST(WebrootSolverTest, AMissingWebrootNamesIt) {
  WebrootSolver solver("/nonexistent/xcert/www");
  const Status s = solver.Present(kTask);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/xcert/www"), std::string::npos);
  EXPECT_NE(s.message().find("www.example.com"), std::string::npos);
}

}  // namespace
}  // namespace xcert::acme
