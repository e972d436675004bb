// The PostgreSQL lock against a real PostgreSQL (one server for the suite,
// tests/support/postgres_server.h). The oracle is the server itself, read
// through psql as the superuser: pg_locks and pg_stat_activity say who holds
// which advisory key, and keys are computed there with the SQL documented in
// resources/lock/advisory_key.h. Other runners are separate processes
// (lock_applier.cc, and psql sessions for holders outside xcert).
#include "resources/lock/postgres_lock.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/util/strings.h"
#include "resources/lock/advisory_key.h"
#include "tests/support/loopback.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_util.h"

namespace xcert::lock {
namespace {

using testing::BackgroundProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::PostgresServer;
using Clock = std::chrono::steady_clock;

// The key of a namespaced name as PostgreSQL computes it (advisory_key.h).
std::string SqlKey(const std::string& namespaced) {
  return "('x' || left(encode(sha256(convert_to('" + namespaced +
         "', 'UTF8')), 'hex'), 16))::bit(64)::bigint";
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class PostgresLockTest : public testing::PostgresSuite {
 protected:
  void TearDown() override {
    // Every test leaves the server without advisory locks for the next one.
    if (pg_->problem().empty()) {
      EXPECT_TRUE(WaitUntil([&] { return Oracle(kAllAdvisory) == "0"; }, std::chrono::seconds(5)))
          << Oracle(
                 "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                 "WHERE l.locktype = 'advisory'");
    }
  }

  static constexpr const char* kAllAdvisory =
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'";

  // psql's output of `sql` as the superuser, without the final newline.
  static std::string Oracle(const std::string& sql) {
    const testing::RunResult r = pg_->Psql(sql);
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return std::string(Trim(r.out));
  }

  // "<granted> <key>" lines of the advisory locks of sessions whose
  // application name ends in " run <run>", in key order.
  static std::vector<std::string> LocksOfRun(const std::string& run) {
    return Lines(
        Oracle("SELECT CASE WHEN l.granted THEN 'granted ' ELSE 'waiting ' END || "
               "((l.classid::int8 << 32) | l.objid::int8) FROM pg_locks l "
               "JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' "
               "AND a.application_name LIKE '% run " +
               run + "' ORDER BY 1"));
  }

  static Dsn TestDsn(const std::string& conninfo = pg_->ConnInfo()) {
    Result<Dsn> dsn = Dsn::Parse(conninfo, "TEST_LOCK_DSN");
    EXPECT_TRUE(dsn.ok()) << dsn.status().message();
    return *dsn;
  }

  static PostgresLocker Locker(const std::string& run, std::chrono::milliseconds wait = {},
                               const std::string& conninfo = pg_->ConnInfo()) {
    return PostgresLocker(PostgresLockOptions{
        .dsn = TestDsn(conninfo), .run_id = run, .host = "test-host", .pid = 4242, .wait = wait});
  }

  // A lock_applier process (another runner).
  std::unique_ptr<BackgroundProcess> Applier(const std::vector<std::string>& args,
                                             const std::string& name) {
    std::vector<std::string> argv = {XCERT_LOCK_APPLIER};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<BackgroundProcess>(
        argv, dir_.path() / (name + ".out"),
        std::map<std::string, std::string>{{"XCERT_LOCK_DSN", pg_->ConnInfo()}});
  }

  // A psql session outside xcert that takes the advisory lock of
  // `namespaced` (computed by PostgreSQL) and keeps it `seconds` long. It
  // sleeps in the client (\! sleep), not in the server, so that its session
  // is idle and ends as soon as psql is killed.
  std::unique_ptr<BackgroundProcess> PsqlHolder(const std::string& namespaced,
                                                const std::string& application_name,
                                                const std::string& seconds = "600") {
    return std::make_unique<BackgroundProcess>(
        pg_->PsqlArgv(
            {"SELECT pg_advisory_lock(" + SqlKey(namespaced) + ")", "\\! sleep " + seconds}),
        dir_.path() / (application_name + ".out"), pg_->PsqlEnv(application_name));
  }

  static bool Says(BackgroundProcess& p, const std::string& text) {
    return p.Log().find(text) != std::string::npos;
  }

  testing::TempDir dir_;
};

TEST(ApplicationNameTest, CarriesHostPidAndRunWithinPostgresLimit) {
  EXPECT_EQ(ApplicationName("runner-7", 4242, "2026-11-25T10:00:00Z-ab12"),
            "xcert runner-7 pid 4242 run 2026-11-25T10:00:00Z-ab12");
  // A long FQDN is cut to its first label so that pid and run id survive.
  const std::string fqdn = ApplicationName("gitlab-runner-7.ci.internal.corp.example.com", 4242,
                                           "2026-11-25T10:00:00Z-ab12cd3");
  EXPECT_EQ(fqdn, "xcert gitlab-runner-7 pid 4242 run 2026-11-25T10:00:00Z-ab12cd3");
  EXPECT_EQ(fqdn.size(), 63u);
  const std::string label = ApplicationName(std::string(60, 'h'), 4242, "run-1");
  EXPECT_LE(label.size(), 63u);
  EXPECT_THAT(label, HasSubstr(" pid 4242 run run-1"));
  EXPECT_LE(ApplicationName("host", 4242, std::string(80, 'r')).size(), 63u);
  EXPECT_EQ(ApplicationName("h\xc3\xa9st", 1, "r\n"), "xcert h??st pid 1 run r?");
}

TEST_F(PostgresLockTest, KeysAreTheOnesTheDocumentedSqlComputes) {
  for (const auto& [kind, name, namespaced] :
       std::vector<std::tuple<LockKind, std::string, std::string>>{
           {LockKind::kServer, "MAIL01", "xcert:v1:server:mail01"},
           {LockKind::kServer, "ex2019-n3.corp.example", "xcert:v1:server:ex2019-n3.corp.example"},
           {LockKind::kOrganization, "Contoso.com", "xcert:v1:organization:contoso.com"}}) {
    EXPECT_EQ(Oracle("SELECT " + SqlKey(namespaced)), std::to_string(AdvisoryKey(kind, name)));
  }
}

TEST_F(PostgresLockTest, HoldsOneSessionLockPerServerAndOrganisationUntilReleased) {
  PostgresLocker locker = Locker("run-hold");
  EXPECT_EQ(locker.application_name(), "xcert test-host pid 4242 run run-hold");
  EXPECT_EQ(locker.Describe(),
            "PostgreSQL advisory locks at host=127.0.0.1 port=" + std::to_string(pg_->port()) +
                " dbname=postgres user=xcert (from TEST_LOCK_DSN)");
  Result<std::unique_ptr<HeldLocks>> held =
      locker.Lock({.servers = {"MAIL01", "mail02", "mail01"}, .organization = "contoso.com"});
  ASSERT_TRUE(held.ok()) << held.status().message();
  // Exactly the three documented keys, held by a session named for the run.
  EXPECT_EQ(Oracle("SELECT string_agg(a.application_name || ' ' || l.objsubid, ',') "
                   "FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                   "WHERE l.locktype = 'advisory' AND l.granted AND "
                   "((l.classid::int8 << 32) | l.objid::int8) IN (" +
                   SqlKey("xcert:v1:server:mail01") + ", " + SqlKey("xcert:v1:server:mail02") +
                   ", " + SqlKey("xcert:v1:organization:contoso.com") + ")"),
            "xcert test-host pid 4242 run run-hold 1,xcert test-host pid 4242 run run-hold 1,"
            "xcert test-host pid 4242 run run-hold 1");
  EXPECT_EQ(Oracle(kAllAdvisory), "3");
  EXPECT_TRUE((*held)->Check().ok());
  EXPECT_TRUE((*held)->Release().ok());
  EXPECT_EQ(Oracle(kAllAdvisory), "0");  // released before Release returns
  EXPECT_TRUE((*held)->Release().ok());
  EXPECT_EQ((*held)->Check().code(), Code::kFailedPrecondition);
}

TEST_F(PostgresLockTest, SecondRunnerFailsAtOnceNamingTheHolderAndKillingItFreesTheLocks) {
  std::unique_ptr<BackgroundProcess> holder =
      Applier({"--run", "holder-A", "--host", "runner-a", "--servers", "s1,s2", "--org",
               "contoso.com", "--hold"},
              "holder");
  ASSERT_TRUE(WaitUntil([&] { return Says(*holder, "locked"); }, std::chrono::seconds(10)))
      << holder->Log();

  PostgresLocker locker = Locker("run-B");
  const auto start = Clock::now();
  Result<std::unique_ptr<HeldLocks>> refused = locker.Lock({.servers = {"s3", "S2"}});
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));  // no waiting by default
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  const std::string& message = refused.status().message();
  EXPECT_THAT(message, HasSubstr("locked by another run in PostgreSQL advisory locks at "
                                 "host=127.0.0.1"));
  EXPECT_THAT(message, HasSubstr("server 'S2' by 'xcert runner-a pid " +
                                 std::to_string(holder->pid()) + " run holder-A'"));
  EXPECT_THAT(message, HasSubstr("from 127.0.0.1, connected since 20"));
  EXPECT_THAT(message, HasSubstr("wait for that run to finish and run again"));
  EXPECT_THAT(message, HasSubstr("pg_terminate_backend("));
  EXPECT_THAT(message, Not(HasSubstr("'s3'")));  // free, so not named
  EXPECT_THAT(message, Not(HasSubstr(PostgresServer::kUserPassword)));
  // All or nothing: s3 is not left locked by the failed attempt.
  EXPECT_EQ(Oracle("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                   "((classid::int8 << 32) | objid::int8) = " +
                   SqlKey("xcert:v1:server:s3")),
            "0");
  EXPECT_EQ(LocksOfRun("holder-A").size(), 3u);

  // kill -9: PostgreSQL ends the session and its locks by itself.
  holder->Signal(SIGKILL);
  EXPECT_TRUE(WaitUntil([&] { return LocksOfRun("holder-A").empty(); }, std::chrono::seconds(5)));
  Result<std::unique_ptr<HeldLocks>> taken = locker.Lock({.servers = {"s3", "S2"}});
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_EQ(holder->Stop(), 128 + SIGKILL);
}

TEST_F(PostgresLockTest, HolderOfAnotherRoleIsNamedAndTheHiddenDetailsExplained) {
  // The superuser's session: role xcert sees its application name only.
  std::unique_ptr<BackgroundProcess> holder =
      PsqlHolder("xcert:v1:server:mail07", "nightly-maintenance");
  ASSERT_TRUE(WaitUntil([&] { return Oracle(kAllAdvisory) == "1"; }, std::chrono::seconds(10)))
      << holder->Log();
  Result<std::unique_ptr<HeldLocks>> refused = Locker("run-C").Lock({.servers = {"MAIL07"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("server 'MAIL07' by 'nightly-maintenance'"));
  EXPECT_THAT(refused.status().message(),
              HasSubstr("hidden from this role: connect all runners as one role or grant "
                        "pg_read_all_stats"));
}

TEST_F(PostgresLockTest, BoundedWaitGivesUpNamingTheHolderAndHoldsNothing) {
  std::unique_ptr<BackgroundProcess> holder = PsqlHolder("xcert:v1:server:mail08", "other-tool");
  ASSERT_TRUE(WaitUntil([&] { return Oracle(kAllAdvisory) == "1"; }, std::chrono::seconds(10)));
  const auto start = Clock::now();
  Result<std::unique_ptr<HeldLocks>> refused =
      Locker("run-D", std::chrono::milliseconds(400)).Lock({.servers = {"mail08", "mail09"}});
  const auto waited = Clock::now() - start;
  ASSERT_FALSE(refused.ok());
  EXPECT_GE(waited, std::chrono::milliseconds(400));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("still locked after waiting 400 ms"));
  EXPECT_THAT(refused.status().message(), HasSubstr("server 'mail08' by 'other-tool'"));
  EXPECT_EQ(Oracle(kAllAdvisory), "1");  // mail09 was let go again
}

TEST_F(PostgresLockTest, BoundedWaitSucceedsWhenTheHolderLetsGo) {
  std::unique_ptr<BackgroundProcess> holder =
      PsqlHolder("xcert:v1:server:mail10", "short-holder", "1.2");
  ASSERT_TRUE(WaitUntil([&] { return Oracle(kAllAdvisory) == "1"; }, std::chrono::seconds(10)));
  const auto start = Clock::now();
  Result<std::unique_ptr<HeldLocks>> held =
      Locker("run-E", std::chrono::seconds(15)).Lock({.servers = {"mail10"}});
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(LocksOfRun("run-E").size(), 1u);
}

TEST_F(PostgresLockTest, WaitingRunnersTakeKeysInAscendingOrderSoTheyCannotDeadlock) {
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back("node" + std::to_string(i));
  std::vector<int64_t> sorted;
  for (const std::string& n : names) sorted.push_back(AdvisoryKey(LockKind::kServer, n));
  std::sort(sorted.begin(), sorted.end());
  std::string blocked_name;
  for (const std::string& n : names) {
    if (AdvisoryKey(LockKind::kServer, n) == sorted[5]) blocked_name = n;
  }
  std::unique_ptr<BackgroundProcess> blocker = PsqlHolder("xcert:v1:server:" + blocked_name, "blk");
  ASSERT_TRUE(WaitUntil([&] { return Oracle(kAllAdvisory) == "1"; }, std::chrono::seconds(10)));

  // A asks in reverse order, B in the given one; both wait at most 20 s.
  std::vector<std::string> reversed(names.rbegin(), names.rend());
  std::unique_ptr<BackgroundProcess> a = Applier(
      {"--run", "order-A", "--servers", Join(reversed, ","), "--wait-ms", "20000", "--hold"}, "a");
  ASSERT_TRUE(
      WaitUntil([&] { return LocksOfRun("order-A").size() == 6; }, std::chrono::seconds(10)))
      << a->Log();
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) expected.push_back("granted " + std::to_string(sorted[size_t(i)]));
  expected.push_back("waiting " + std::to_string(sorted[5]));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(LocksOfRun("order-A"), expected);  // the five smallest held, waiting on the sixth

  std::unique_ptr<BackgroundProcess> b = Applier(
      {"--run", "order-B", "--servers", Join(names, ","), "--wait-ms", "20000", "--hold"}, "b");
  ASSERT_TRUE(
      WaitUntil([&] { return LocksOfRun("order-B").size() == 1; }, std::chrono::seconds(10)))
      << b->Log();
  // B holds nothing A needs: it waits on the smallest key, which A holds.
  EXPECT_EQ(LocksOfRun("order-B"),
            std::vector<std::string>{"waiting " + std::to_string(sorted[0])});

  blocker->Stop();
  ASSERT_TRUE(WaitUntil([&] { return Says(*a, "locked"); }, std::chrono::seconds(10))) << a->Log();
  EXPECT_FALSE(Says(*b, "locked"));
  a->Signal(SIGKILL);
  ASSERT_TRUE(WaitUntil([&] { return Says(*b, "locked"); }, std::chrono::seconds(10))) << b->Log();
  EXPECT_EQ(LocksOfRun("order-B").size(), 10u);
  EXPECT_THAT(b->Log(), Not(HasSubstr("deadlock")));
}

// Two appliers on overlapping servers, listed in opposite orders, change each
// shared server one at a time: every begin line is followed by the end line
// of the same run. Both in fail-at-once mode with retries and waiting.
class TwoAppliersTest : public PostgresLockTest,
                        public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(TwoAppliersTest, EachServerIsChangedByOneAtATime) {
  constexpr int kRounds = 8;
  std::vector<std::string> first, second;
  for (int i = 0; i < 20; ++i) first.push_back("srv" + std::to_string(i));
  for (int i = 29; i >= 10; --i) second.push_back("srv" + std::to_string(i));
  const std::string logs = dir_.path().string();
  const std::string go = (dir_.path() / "go").string();
  std::vector<std::string> common = {
      "--rounds", std::to_string(kRounds), "--work-us", "300", "--log-dir", logs, "--go", go};
  common.insert(common.end(), GetParam().begin(), GetParam().end());
  auto args = [&](const std::string& run, const std::vector<std::string>& servers) {
    std::vector<std::string> a = {"--run", run, "--servers", Join(servers, ",")};
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  std::unique_ptr<BackgroundProcess> a = Applier(args("A", first), "A");
  std::unique_ptr<BackgroundProcess> b = Applier(args("B", second), "B");
  ASSERT_TRUE(
      WaitUntil([&] { return Says(*a, "ready") && Says(*b, "ready"); }, std::chrono::seconds(10)));
  dir_.Write("go", "");
  ASSERT_TRUE(WaitUntil([&] { return !a->running() && !b->running(); }, std::chrono::seconds(25)));
  ASSERT_EQ(a->Stop(), 0) << a->Log();
  ASSERT_EQ(b->Stop(), 0) << b->Log();

  int switches = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string server = "srv" + std::to_string(i);
    const std::vector<std::string> lines =
        Lines(testing::ReadFileOrDie(dir_.path() / (server + ".log")));
    std::map<std::string, int> changes;
    std::string last;
    for (size_t j = 0; j < lines.size(); j += 2) {
      const std::string run = lines[j].substr(0, lines[j].find(' '));
      ASSERT_EQ(lines[j], run + " begin") << server << " line " << j;
      ASSERT_LT(j + 1, lines.size()) << server;
      ASSERT_EQ(lines[j + 1], run + " end") << server << " line " << j + 1 << ": interleaved";
      ++changes[run];
      if (!last.empty() && last != run) ++switches;
      last = run;
    }
    EXPECT_EQ(changes["A"], i < 20 ? kRounds : 0) << server;
    EXPECT_EQ(changes["B"], i >= 10 ? kRounds : 0) << server;
  }
  // They did run at the same time: the shared servers changed hands.
  EXPECT_GE(switches, 3);
}

INSTANTIATE_TEST_SUITE_P(Modes, TwoAppliersTest,
                         ::testing::Values(std::vector<std::string>{"--retry"},
                                           std::vector<std::string>{"--wait-ms", "20000"}),
                         [](const auto& param) {
                           return param.index == 0 ? "TryAndRetry" : "Wait";
                         });

TEST_F(PostgresLockTest, ServerDownIsAClearErrorWithoutThePassword) {
  const uint16_t port = testing::FreeLoopbackPort();
  const std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(port) +
      " dbname=postgres user=xcert password=" + PostgresServer::kUserPassword;
  Result<std::unique_ptr<HeldLocks>> refused = Locker("run-F", {}, conninfo).Lock({{"mail01"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  const std::string& message = refused.status().message();
  EXPECT_THAT(message, HasSubstr("cannot connect to the lock database at host=127.0.0.1 port=" +
                                 std::to_string(port)));
  EXPECT_THAT(message, HasSubstr("(from TEST_LOCK_DSN)"));
  EXPECT_THAT(message, HasSubstr("Connection refused"));
  EXPECT_THAT(message, HasSubstr("check that PostgreSQL runs there"));
  EXPECT_THAT(message, Not(HasSubstr(PostgresServer::kUserPassword)));
  // A run with nothing to lock still connects, so a wrong DSN shows at once.
  EXPECT_EQ(Locker("run-F", {}, conninfo).Lock({}).status().code(), Code::kUnavailable);
}

TEST_F(PostgresLockTest, WrongPasswordIsAClearErrorWithoutEitherPassword) {
  const std::string uri =
      "postgresql://xcert:Wrong-Secret-31337@127.0.0.1:" + std::to_string(pg_->port()) +
      "/postgres";
  Result<std::unique_ptr<HeldLocks>> refused = Locker("run-G", {}, uri).Lock({{"mail01"}});
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.status().message();
  EXPECT_THAT(message, HasSubstr("host=127.0.0.1 port=" + std::to_string(pg_->port()) +
                                 " dbname=postgres user=xcert"));
  EXPECT_THAT(message, HasSubstr("password authentication failed for user \"xcert\""));
  EXPECT_THAT(message, Not(HasSubstr("Wrong-Secret-31337")));
  EXPECT_THAT(message, Not(HasSubstr(PostgresServer::kUserPassword)));
}

TEST_F(PostgresLockTest, CheckNoticesTheLocksMayBeLost) {
  Result<std::unique_ptr<HeldLocks>> held = Locker("run-H").Lock({{"mail11"}});
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_TRUE((*held)->Check().ok());
  EXPECT_EQ(Oracle("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE application_name LIKE '% run run-H'"),
            "1");
  const Status lost = (*held)->Check();
  EXPECT_EQ(lost.code(), Code::kUnavailable);
  EXPECT_THAT(lost.message(), HasSubstr("lost the connection that holds this run's 1 lock"));
  EXPECT_THAT(lost.message(), HasSubstr("stop changing servers"));
  EXPECT_THAT(lost.message(), Not(HasSubstr(PostgresServer::kUserPassword)));
}

TEST_F(PostgresLockTest, FullLockTableSaysWhichSettingToRaise) {
  LockScope huge;
  for (int i = 0; i < 20000; ++i) huge.servers.push_back("fleet" + std::to_string(i));
  Result<std::unique_ptr<HeldLocks>> refused = Locker("run-I").Lock(huge);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("lock table is full"));
  EXPECT_THAT(refused.status().message(), HasSubstr("20000 locks"));
  EXPECT_THAT(refused.status().message(), HasSubstr("raise max_locks_per_transaction"));
  // What it took was given back at once: the table has room again.
  Result<std::unique_ptr<HeldLocks>> small = Locker("run-J").Lock({{"mail12", "mail13"}});
  EXPECT_TRUE(small.ok()) << small.status().message();
}

}  // namespace
}  // namespace xcert::lock
