// The throwaway PostgreSQL server: it answers psql with passwords enforced,
// and stopping it frees its port.
#include "tests/support/postgres_server.h"

#include <gtest/gtest.h>

namespace xcert::testing {
namespace {

TEST(PostgresServerTest, ServesPasswordLoginsAndStops) {
  uint16_t port = 0;
  {
    PostgresServer pg;
    if (!pg.installed()) GTEST_SKIP() << pg.problem();
    ASSERT_EQ(pg.problem(), "");
    port = pg.port();
    const RunResult version = pg.Psql("SELECT current_user || ' ' || current_setting('fsync')");
    ASSERT_EQ(version.exit_code, 0) << version.err;
    EXPECT_EQ(version.out, "postgres off\n");

    // The plain role logs in with its password and not without it.
    const std::vector<std::string> argv =
        pg.PsqlArgv({"SELECT current_user"}, PostgresServer::kUser);
    const RunResult user =
        testing::Run(argv, {}, pg.PsqlEnv("support-test", PostgresServer::kUserPassword));
    EXPECT_EQ(user.exit_code, 0) << user.err;
    EXPECT_EQ(user.out, "xcert\n");
    const RunResult refused = testing::Run(argv, {}, pg.PsqlEnv("support-test", "wrong"));
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("password authentication failed"), std::string::npos) << refused.err;
    EXPECT_TRUE(PortAccepts("127.0.0.1", port));
  }
  EXPECT_FALSE(PortAccepts("127.0.0.1", port));
}

}  // namespace
}  // namespace xcert::testing
