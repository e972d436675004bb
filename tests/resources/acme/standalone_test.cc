// The standalone http-01 listener, fetched with the curl command line.
#include "resources/acme/standalone.h"

#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

TEST(StandaloneSolverTest, AnswersPresentedTokensOnlyWhileTheyArePresented) {
  const uint16_t port = FreeLoopbackPort();
  StandaloneSolver solver("127.0.0.1:" + std::to_string(port));
  EXPECT_FALSE(solver.listening());
  const ChallengeTask a{"a.example.com", "tokA", "tokA.thumb"};
  const ChallengeTask b{"b.example.com", "tokB", "tokB.thumb"};
  ASSERT_TRUE(solver.Present(a).ok());
  ASSERT_TRUE(solver.Present(b).ok());
  const std::string base =
      "http://127.0.0.1:" + std::to_string(port) + "/.well-known/acme-challenge/";
  EXPECT_EQ(RunTool("curl", {"-sf", base + "tokA"}).out, "tokA.thumb");
  EXPECT_EQ(RunTool("curl", {"-sf", base + "tokB"}).out, "tokB.thumb");
  const RunResult unknown =
      RunTool("curl", {"-s", "-o", "/dev/null", "-w", "%{http_code}", base + "nope"});
  EXPECT_EQ(unknown.out, "404");
  ASSERT_TRUE(solver.CleanUp(a).ok());
  EXPECT_EQ(RunTool("curl", {"-s", "-o", "/dev/null", "-w", "%{http_code}", base + "tokA"}).out,
            "404");
  EXPECT_TRUE(solver.listening());
  ASSERT_TRUE(solver.CleanUp(b).ok());
  EXPECT_FALSE(solver.listening());
  EXPECT_FALSE(xcert::testing::PortAccepts("127.0.0.1", port)) << "nothing listens between orders";
}

TEST(StandaloneSolverTest, APortInUseNamesTheIdentifierAndTheAddress) {
  auto busy =
      HttpResponder::Start("127.0.0.1:0", [](const ServedRequest&) { return ServedReply{}; });
  ASSERT_TRUE(busy.ok());
  const std::string address = "127.0.0.1:" + std::to_string((*busy)->port());
  StandaloneSolver solver(address);
  const Status s = solver.Present({"mail.example.com", "tok", "tok.k"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("mail.example.com"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(address), std::string::npos) << s.message();
  EXPECT_TRUE(solver.CleanUp({"mail.example.com", "tok", "tok.k"}).ok());
}

}  // namespace
}  // namespace xcert::acme
