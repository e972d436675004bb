// Lock keys: the documented scheme (SHA-256 of the namespaced name, first 8
// bytes big-endian), checked against the openssl command line and against a
// key PostgreSQL computed with the SQL in advisory_key.h, so that every xcert
// version and every runner lock the same key for the same server.
#include "resources/lock/advisory_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/loopback.h"
#include "tests/support/test_util.h"

namespace xcert::lock {
namespace {

using ::testing::ElementsAre;

// The key of `namespaced` by `openssl dgst -sha256`.
int64_t OpensslKey(const std::string& openssl, const std::string& namespaced) {
  const testing::RunResult r = testing::Run({openssl, "dgst", "-sha256", "-r"}, {}, {}, namespaced);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return static_cast<int64_t>(std::stoull(r.out.substr(0, 16), nullptr, 16));
}

TEST(AdvisoryKeyTest, NamesAreNamespacedVersionedAndCaseFolded) {
  EXPECT_EQ(NamespacedName(LockKind::kServer, "MAIL01"), "xcert:v1:server:mail01");
  EXPECT_EQ(NamespacedName(LockKind::kOrganization, "Contoso.COM"),
            "xcert:v1:organization:contoso.com");
  EXPECT_EQ(AdvisoryKey(LockKind::kServer, "MAIL01"), AdvisoryKey(LockKind::kServer, "mail01"));
  // A server and an organisation of the same name are different locks.
  EXPECT_NE(AdvisoryKey(LockKind::kServer, "contoso.com"),
            AdvisoryKey(LockKind::kOrganization, "contoso.com"));
}

TEST(AdvisoryKeyTest, KeyIsTheFirstEightBytesOfSha256AsOpensslComputesThem) {
  const std::optional<testing::fs::path> openssl = testing::FindProgram("openssl");
  if (!openssl) GTEST_SKIP() << testing::NotInstalled("openssl");
  EXPECT_EQ(AdvisoryKey(LockKind::kServer, "Mail01"),
            OpensslKey(openssl->string(), "xcert:v1:server:mail01"));
  EXPECT_EQ(AdvisoryKey(LockKind::kServer, "EX2019-DAG-N3.corp.example"),
            OpensslKey(openssl->string(), "xcert:v1:server:ex2019-dag-n3.corp.example"));
  EXPECT_EQ(AdvisoryKey(LockKind::kOrganization, "contoso.com"),
            OpensslKey(openssl->string(), "xcert:v1:organization:contoso.com"));
}

TEST(AdvisoryKeyTest, KeyStaysWhatPostgresComputedForTheDocumentedSql) {
  // SELECT ('x' || left(encode(sha256(convert_to('xcert:v1:server:mail01',
  //   'UTF8')), 'hex'), 16))::bit(64)::bigint  on PostgreSQL 15: a negative
  // key, so the sign of the big-endian reading is pinned too. Changing it
  // breaks runners of different versions: change "v1" instead.
  EXPECT_EQ(AdvisoryKey(LockKind::kServer, "mail01"), -1570003913582084587LL);
}

TEST(AdvisoryKeyTest, ScopeKeysAscendOnceEachWithEveryNameForMessages) {
  const LockScope scope{.servers = {"mail02", "MAIL01", "mail01", "mail03", "mail02"},
                        .organization = "contoso.com"};
  const std::vector<KeyedLock> keys = KeysInLockOrder(scope);
  ASSERT_EQ(keys.size(), 4u);
  for (size_t i = 1; i < keys.size(); ++i) EXPECT_LT(keys[i - 1].key, keys[i].key);
  for (const KeyedLock& k : keys) {
    if (k.key == AdvisoryKey(LockKind::kServer, "mail01")) {
      EXPECT_THAT(k.labels, ElementsAre("server 'MAIL01'", "server 'mail01'"));
    } else if (k.key == AdvisoryKey(LockKind::kOrganization, "contoso.com")) {
      EXPECT_THAT(k.labels, ElementsAre("the organisation 'contoso.com'"));
    } else {
      EXPECT_EQ(k.labels.size(), 1u);
    }
  }
  EXPECT_TRUE(KeysInLockOrder(LockScope{}).empty());
}

}  // namespace
}  // namespace xcert::lock
