// `lock: {type: postgres}` with the real binary and a real PostgreSQL on
// loopback (tests/support/postgres_server.h): apply takes the advisory lock
// of every server of the manifest; while a runner elsewhere holds one, apply
// changes nothing and names that runner; read-only commands take no lock;
// a missing connection string is named at its manifest line; the password
// in the connection string is never printed; PostgreSQL releases the locks
// when apply ends. psql (as the superuser) is the oracle for what is locked.
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "tests/support/loopback.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The key of a server's lock as PostgreSQL computes it (resources/lock/advisory_key.h).
std::string ServerKey(const std::string& lower_case_server) {
  return "('x' || left(encode(sha256(convert_to('xcert:v1:server:" + lower_case_server +
         "', 'UTF8')), 'hex'), 16))::bit(64)::bigint";
}

class PostgresLockE2e : public PostgresSuite {
 protected:
  void SetUp() override {
    PostgresSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml",
                  dir_.path() / "xcert.yaml");
    dir_.Write("xcert.yaml", ReadFileOrDie(dir_.path() / "xcert.yaml") +
                                 "\nlock:\n  type: postgres\n  dsnEnv: XCERT_LOCK_DSN\n");
    const RunResult init = X({"store", "init", "-f", "xcert.yaml"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  RunResult X(const std::vector<std::string>& args, bool with_dsn = true) {
    std::map<std::string, std::string> env = {{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"},
                                              {"NO_COLOR", "1"}};
    if (with_dsn) env["XCERT_LOCK_DSN"] = pg_->ConnInfo();
    return RunXcert(args, dir_.path(), env);
  }

  static std::string Oracle(const std::string& sql) {
    const RunResult r = pg_->Psql(sql);
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return std::string(xcert::Trim(r.out));
  }

  static bool WaitFor(const std::string& sql, const std::string& want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Oracle(sql) != want) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }

  static constexpr const char* kAdvisoryLocks =
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted";

  TempDir dir_;
};

TEST_F(PostgresLockE2e, ARunnerElsewhereHoldingAServerStopsApplyWhichNamesIt) {
  // Another runner (a psql session outside xcert) holds MailServer21.
  auto holder = std::make_unique<BackgroundProcess>(
      pg_->PsqlArgv(
          {"SELECT pg_advisory_lock(" + ServerKey("mailserver21") + ")", "\\! sleep 600"}),
      dir_.path() / "holder.out", pg_->PsqlEnv("xcert ci-runner-7 pid 4242 run holder-run"));
  ASSERT_TRUE(WaitFor(kAdvisoryLocks, "1")) << holder->Log();

  const RunResult blocked = X({"apply", "--auto-approve"});
  EXPECT_EQ(blocked.exit_code, 1) << blocked.out;
  EXPECT_THAT(blocked.err, HasSubstr("locked by another run"));
  EXPECT_THAT(blocked.err, HasSubstr("'xcert ci-runner-7 pid 4242 run holder-run'"));
  EXPECT_THAT(blocked.err, Not(HasSubstr(PostgresServer::kUserPassword)));
  EXPECT_FALSE(fs::exists(dir_.path() / "backups")) << "nothing may change";
  EXPECT_EQ(X({"plan", "--detailed-exitcode"}).exit_code, 2) << "the changes are still to do";
  // Read-only commands take no lock.
  EXPECT_EQ(X({"drift"}).exit_code, 2);

  holder->Stop();
  ASSERT_TRUE(WaitFor(kAdvisoryLocks, "0"));
  const RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_THAT(apply.out, HasSubstr("Apply complete!"));
  EXPECT_EQ(Oracle(kAdvisoryLocks), "0") << "PostgreSQL released apply's locks when it ended";
  EXPECT_EQ(X({"drift"}).exit_code, 0);
}

// While apply runs, its lock is visible in pg_locks under its own name.
TEST_F(PostgresLockE2e, ApplyHoldsItsServersLockUnderItsRunName) {
  // A reload hook that waits lets the oracle look while apply holds the lock.
  std::string m = ReadFileOrDie(dir_.path() / "xcert.yaml");
  const std::string server = "    version: \"2019\"\n";
  ASSERT_NE(m.find(server), std::string::npos);
  m.replace(m.find(server), server.size(),
            server + "    hooks:\n      reload: [sh, -c, 'touch reloading; sleep 3']\n");
  dir_.Write("xcert.yaml", m);
  auto apply = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{XcertBinary().string(), "apply", "--auto-approve", "--no-verify"},
      dir_.path() / "apply.out",
      std::map<std::string, std::string>{{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"},
                                         {"XCERT_LOCK_DSN", pg_->ConnInfo()},
                                         {"NO_COLOR", "1"}},
      dir_.path());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir_.path() / "reloading") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(dir_.path() / "reloading")) << apply->Log();
  EXPECT_THAT(Oracle("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                     "USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND "
                     "((l.classid::int8 << 32) | l.objid::int8) = " +
                     ServerKey("mailserver21")),
              ::testing::MatchesRegex("xcert .* pid [0-9]+ run [0-9TZ-]+"));
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (apply->running() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(apply->running()) << apply->Log();
  EXPECT_EQ(apply->Stop(), 0) << apply->Log();
  EXPECT_THAT(apply->Log(), HasSubstr("Apply complete!"));
  EXPECT_EQ(Oracle(kAdvisoryLocks), "0");
}

TEST_F(PostgresLockE2e, AMissingConnectionStringIsNamedAtItsManifestLine) {
  const RunResult r = X({"apply", "--auto-approve"}, /*with_dsn=*/false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:56:11: error: lock: "));
  EXPECT_THAT(r.err, HasSubstr("XCERT_LOCK_DSN"));
  EXPECT_FALSE(fs::exists(dir_.path() / "backups"));
  EXPECT_EQ(X({"drift"}, /*with_dsn=*/false).exit_code, 2) << "drift needs no lock";
}

}  // namespace
}  // namespace xcert::testing
