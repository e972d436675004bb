// The lock database's connection string: where it is shows in messages, the
// password never does (libpq parses both forms; its own errors are checked
// against a real server in postgres_lock_test.cc).
#include "resources/lock/dsn.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace xcert::lock {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DsnTest, KeyValueFormShowsWhereWithoutThePassword) {
  const Result<Dsn> dsn = Dsn::Parse(
      "host=db.example.com port=5433 dbname=xcert user=locker password=Hunter2-kv "
      "sslmode=require",
      "XCERT_LOCK_DSN");
  ASSERT_TRUE(dsn.ok()) << dsn.status().message();
  EXPECT_EQ(dsn->redacted(),
            "host=db.example.com port=5433 dbname=xcert user=locker (from XCERT_LOCK_DSN)");
  EXPECT_THAT(dsn->conninfo(), HasSubstr("Hunter2-kv"));  // libpq still gets it
}

TEST(DsnTest, UriFormShowsWhereWithoutThePasswordAndScrubsItFromMessages) {
  const Result<Dsn> dsn =
      Dsn::Parse("postgresql://locker:Hunter2%40uri@db.example.com:5433/xcert", "LOCK_DSN");
  ASSERT_TRUE(dsn.ok()) << dsn.status().message();
  EXPECT_EQ(dsn->redacted(),
            "host=db.example.com port=5433 dbname=xcert user=locker (from LOCK_DSN)");
  EXPECT_EQ(dsn->Scrub("server said Hunter2@uri twice: Hunter2@uri"), "server said *** twice: ***");
}

TEST(DsnTest, NothingSetMeansLibpqDefaults) {
  const Result<Dsn> dsn = Dsn::Parse("", "LOCK_DSN");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->redacted(), "libpq's defaults (PGHOST, PGPORT, ...) (from LOCK_DSN)");
}

TEST(DsnTest, UnparsableStringsNeverEchoThePassword) {
  for (const std::string text : {"host=db password=Hunter2-bad junk", "host=db Hunter2-bad",
                                 "postgresql://locker:Hunter2-bad@[::1", "host='db"}) {
    const Result<Dsn> dsn = Dsn::Parse(text, "XCERT_LOCK_DSN");
    ASSERT_FALSE(dsn.ok()) << text;
    EXPECT_EQ(dsn.status().code(), Code::kInvalidArgument);
    EXPECT_THAT(dsn.status().message(), Not(HasSubstr("Hunter2"))) << text;
    EXPECT_THAT(dsn.status().message(), HasSubstr("XCERT_LOCK_DSN: not a PostgreSQL connection"));
    EXPECT_THAT(dsn.status().message(), HasSubstr("postgresql://xcert@db.example.com:5432/xcert"));
  }
  // An unknown keyword may be a value typed in the wrong place: withheld too;
  // known keywords are named.
  const Result<Dsn> typo = Dsn::Parse("hots=db", "XCERT_LOCK_DSN");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), HasSubstr("(withheld)"));
  const Result<Dsn> eq = Dsn::Parse("host", "XCERT_LOCK_DSN");
  ASSERT_FALSE(eq.ok());
  EXPECT_THAT(eq.status().message(), HasSubstr("missing \"=\" after \"host\""));
}

TEST(DsnTest, FromEnvNamesAMissingVariableAndReadsASetOne) {
  ::unsetenv("XCERT_TEST_LOCK_DSN");
  const Result<Dsn> unset = Dsn::FromEnv("XCERT_TEST_LOCK_DSN");
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(unset.status().message(), HasSubstr("XCERT_TEST_LOCK_DSN is not set"));
  ::setenv("XCERT_TEST_LOCK_DSN", "host=db.example.com user=locker password=Hunter2-env", 1);
  const Result<Dsn> set = Dsn::FromEnv("XCERT_TEST_LOCK_DSN");
  ::unsetenv("XCERT_TEST_LOCK_DSN");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->redacted(), "host=db.example.com user=locker (from XCERT_TEST_LOCK_DSN)");
}

TEST(DsnTest, ScrubAlsoHidesPgpassword) {
  ::setenv("PGPASSWORD", "Hunter2-pgpass", 1);
  const Result<Dsn> dsn = Dsn::Parse("host=db", "LOCK_DSN");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->Scrub("auth with Hunter2-pgpass failed"), "auth with *** failed");
  ::unsetenv("PGPASSWORD");
}

}  // namespace
}  // namespace xcert::lock
