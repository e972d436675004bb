// A throwaway PostgreSQL server for a test suite (Debian's postgresql): a
// fresh cluster in a temporary directory, postgres in the foreground on a
// free loopback port (TCP only), stopped by PID. PostgreSQL refuses to run as
// root, so when the tests run as root (CI) initdb and postgres run as the
// `postgres` user Debian's package creates (setpriv). TCP connections need
// a password (scram-sha-256), so tests see how xcert handles one.
//
// initdb takes seconds and CTest runs every test in a process of its own,
// so initdb runs once per user and PostgreSQL version: its cluster is kept
// in $TMPDIR/xcert-postgres-<uid>-v<n>-<bin dir> and each server starts
// from a copy of it.
//
//   static PostgresServer* pg;  // one per suite: SetUpTestSuite / TearDownTestSuite
//   pg = new PostgresServer();
//   if (!pg->installed()) GTEST_SKIP() << pg->problem();
//   ASSERT_TRUE(pg->problem().empty()) << pg->problem();
//   pg->Psql("SELECT 1");  // as the superuser, an oracle independent of libpq users
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/loopback.h"
#include "tests/support/test_util.h"

namespace xcert::testing {

class PostgresServer {
 public:
  // Roles: the superuser and a plain login role for the code under test.
  static constexpr const char* kSuperuser = "postgres";
  static constexpr const char* kSuperuserPassword = "Super-Secret-pg-4711";
  static constexpr const char* kUser = "xcert";
  static constexpr const char* kUserPassword = "Lock-Secret-xc-0815";

  // Starts the server (a few seconds); problem() says whether it runs.
  PostgresServer();
  // Stops it (fast shutdown, then by PID) and removes its directory.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // False when PostgreSQL is not installed: skip with problem().
  bool installed() const { return installed_; }
  // Empty while the server runs; otherwise why it does not (with its log).
  const std::string& problem() const { return problem_; }
  uint16_t port() const { return port_; }

  // key=value connection string of `user` with `password` (database postgres).
  std::string ConnInfo(const std::string& user = kUser,
                       const std::string& password = kUserPassword) const;

  // Runs `sql` through psql as the superuser: unaligned, tuples only, stop on
  // the first error. `application_name` names the session.
  RunResult Psql(const std::string& sql, const std::string& application_name = "test-oracle") const;
  // argv and environment for a psql that runs `commands` (one -c each) as
  // `user` (with `password`), e.g. for a BackgroundProcess that holds a
  // session open.
  std::vector<std::string> PsqlArgv(const std::vector<std::string>& commands,
                                    const std::string& user = kSuperuser) const;
  std::map<std::string, std::string> PsqlEnv(
      const std::string& application_name, const std::string& password = kSuperuserPassword) const;

 private:
  std::string Start();
  // The initialised cluster to copy (made now if missing) in *made.
  std::string Template(fs::path* made);

  TempDir dir_;
  bool installed_ = false;
  std::string problem_;
  uint16_t port_ = 0;
  fs::path bin_;                                  // /usr/lib/postgresql/<v>/bin
  std::vector<std::string> as_postgres_;          // setpriv prefix when root
  std::optional<std::pair<uid_t, gid_t>> owner_;  // the postgres user, when root
  std::unique_ptr<BackgroundProcess> server_;
};

// A test suite that shares one server among its tests, and skips each of
// them with the reason where PostgreSQL is not installed.
class PostgresSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pg_ = new PostgresServer(); }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }
  void SetUp() override {
    if (!pg_->installed()) GTEST_SKIP() << pg_->problem();
    ASSERT_EQ(pg_->problem(), "");
  }
  static inline PostgresServer* pg_ = nullptr;
};

}  // namespace xcert::testing
