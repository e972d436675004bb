// The exec hook: argv and environment as documented, failures and timeouts.
#include "resources/acme/exec_hook.h"

#include <gtest/gtest.h>

#include "resources/acme/jws.h"
#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

fs::path Script(const TempDir& dir, const std::string& body) {
  const fs::path p = dir.Write("hook.sh", "#!/bin/sh\n" + body);
  fs::permissions(p, fs::perms::owner_all);
  return p;
}

TEST(ExecHookTest, PassesActionIdentTokenKeyauthAndTheTxtRecord) {
  TempDir dir;
  const fs::path out = dir.path() / "out";
  const fs::path hook = Script(dir,
                               "printf '%s|' \"$@\" \"$XCERT_ACME_CHALLENGE\" "
                               "\"$XCERT_ACME_TXT_NAME\" \"$XCERT_ACME_TXT_VALUE\" >> " +
                                   out.string() + "\necho >> " + out.string() + "\n");
  ExecHookSolver solver({hook.string()});
  const ChallengeTask task{"mail.example.com", "tok", "tok.thumb"};
  ASSERT_TRUE(solver.Present(task).ok());
  ASSERT_TRUE(solver.CleanUp(task).ok());
  const std::string value = Dns01TxtValue("tok.thumb");
  EXPECT_EQ(
      xcert::testing::ReadFileOrDie(out),
      "add|mail.example.com|tok|tok.thumb|dns-01|_acme-challenge.mail.example.com|" + value +
          "|\nremove|mail.example.com|tok|tok.thumb|dns-01|_acme-challenge.mail.example.com|" +
          value + "|\n");
}

TEST(ExecHookTest, AFailingHookIsAnErrorWithItsOutput) {
  TempDir dir;
  ExecHookSolver solver({Script(dir, "echo 'provider said no' >&2\nexit 4\n").string()});
  const Status s = solver.Present({"mail.example.com", "t", "t.k"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("add mail.example.com"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("exited with 4"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("provider said no"), std::string::npos) << s.message();
  EXPECT_FALSE(ExecHookSolver({"/nonexistent/hook"}).Present({"a", "t", "k"}).ok());
}

TEST(ExecHookTest, AHookThatHangsIsStopped) {
  TempDir dir;
  ExecHookSolver solver({Script(dir, "sleep 30\n").string()}, "dns-01", std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  const Status s = solver.Present({"slow.example.com", "t", "t.k"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("did not finish in 1 s"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace xcert::acme
