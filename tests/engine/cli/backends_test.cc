#include "engine/cli/backends.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/manifest/load.h"
#include "resources/store/store_init.h"
#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using xcert::testing::TempDir;

constexpr const char* kManifest = R"(version: 1
organization: {domain: pocket-consultant.com}
store: {type: local, path: ./store}
backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}
issuers:
  - {name: self, type: self-signed}
  - {name: corp-ca, type: ca, certificate: ca/ca.pem, key: ca/ca.key}
servers:
  - {name: MailServer21, fqdn: ms21.pocket-consultant.com, roles: [Mailbox]}
certificates:
  - name: mail
    subject: CN=mail.pocket-consultant.com
    dnsNames: [mail.pocket-consultant.com]
    issuer: self
    servers: [MailServer21]
    services: [IIS]
)";

class BackendsTest : public ::testing::Test {
 protected:
  Manifest Load(std::string text = kManifest) {
    const fs::path p = dir_.Write("xcert.yaml", text);
    LoadResult r = LoadManifestFile(p.string());
    EXPECT_TRUE(r.manifest) << r.diagnostics.ToString();
    return r.manifest ? *r.manifest : Manifest{};
  }
  TempDir dir_;
  FixedClock clock_{*ParseIso8601("2026-11-25T10:00:00Z")};
};

TEST_F(BackendsTest, LocalStoreLivesWhereTheManifestSays) {
  const Manifest m = Load();
  Result<StoreBackend> b = OpenStores(m, clock_);
  ASSERT_TRUE(b.ok()) << b.status().message();
  const std::string root = (dir_.path() / "store").lexically_normal().string();
  EXPECT_EQ(fs::path(b->state_dir).lexically_normal().string(), root)
      << "the lock and journals are in the store";
  EXPECT_FALSE(b->read_only);
  EXPECT_THAT(b->description, HasSubstr("local store"));
  EXPECT_THAT(b->description, HasSubstr("store"));
  EXPECT_FALSE(fs::exists(dir_.path() / "store")) << "opening writes nothing";
}

TEST_F(BackendsTest, AMissingLocalStoreIsAProblemOfEachServerNotAnError) {
  const Manifest m = Load();
  Result<StoreBackend> b = OpenStores(m, clock_);
  ASSERT_TRUE(b.ok());
  Store* store = b->stores->Find("MailServer21");
  ASSERT_NE(store, nullptr);
  Result<ServerState> s = store->List();
  EXPECT_TRUE(!s.ok() || !s->complete()) << "the server cannot be read";
}

TEST_F(BackendsTest, AnInitialisedStoreListsItsServer) {
  const Manifest m = Load();
  store::StoreInitRequest request;
  request.store = dir_.path() / "store";
  request.identity = {
      "MailServer21", "ms21.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019};
  ASSERT_TRUE(store::InitServerStore(request, clock_).ok());
  Result<StoreBackend> b = OpenStores(m, clock_);
  ASSERT_TRUE(b.ok());
  Store* store = b->stores->Find("MailServer21");
  ASSERT_NE(store, nullptr);
  Result<ServerState> s = store->List();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->complete());
  EXPECT_FALSE(s->certificates.empty());
}

TEST_F(BackendsTest, SnapshotStoresAreReadOnly) {
  std::string text = kManifest;
  text.replace(text.find("store: {type: local, path: ./store}"),
               std::string("store: {type: local, path: ./store}").size(),
               "store: {type: snapshot, path: ./snapshots}");
  const Manifest m = Load(text);
  Result<StoreBackend> b = OpenStores(m, clock_);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_TRUE(b->read_only) << "plan and drift only";
  EXPECT_THAT(b->description, HasSubstr("snapshots"));
  EXPECT_NE(fs::path(b->state_dir).lexically_normal(),
            (dir_.path() / "snapshots").lexically_normal())
      << "nothing is written into a snapshot";
}

TEST_F(BackendsTest, WritersLockALocalStoreOnlyOnceItIsAStore) {
  const Manifest m = Load();
  Result<StoreBackend> b = OpenStores(m, clock_);
  ASSERT_TRUE(b.ok());
  Result<StoreLock> none = LockStores(*b, clock_.Now());
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("there is no local store at "));
  EXPECT_FALSE(fs::exists(dir_.path() / "store")) << "store init makes stores, not apply";

  store::StoreInitRequest request;
  request.store = dir_.path() / "store";
  request.identity = {
      "MailServer21", "ms21.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2019};
  ASSERT_TRUE(store::InitServerStore(request, clock_).ok());
  b = OpenStores(m, clock_);
  ASSERT_TRUE(b.ok());
  Result<StoreLock> lock = LockStores(*b, clock_.Now());
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->path(), fs::path(b->state_dir) / "xcert.lock");
  ASSERT_TRUE(b->clean_leftovers) << "a local store has leftovers to clean";
  EXPECT_TRUE(b->clean_leftovers().ok());
}

TEST_F(BackendsTest, WritersCannotLockASnapshot) {
  std::string text = kManifest;
  text.replace(text.find("store: {type: local, path: ./store}"),
               std::string("store: {type: local, path: ./store}").size(),
               "store: {type: snapshot, path: ./snapshots}");
  Result<StoreBackend> b = OpenStores(Load(text), clock_);
  ASSERT_TRUE(b.ok()) << b.status().message();
  Result<StoreLock> lock = LockStores(*b, clock_.Now());
  ASSERT_FALSE(lock.ok());
  EXPECT_THAT(lock.status().message(),
              HasSubstr("is read-only (an offline snapshot); review the plan as a script with "
                        "xcert plan --format ps1 -o plan.ps1"));
  EXPECT_FALSE(fs::exists(b->state_dir)) << "nothing is written";
}

TEST_F(BackendsTest, IssuerProblemsAreDiagnosticsAtTheIssuersLine) {
  const Manifest m = Load();
  Diagnostics ds;
  Result<IssuerBackend> b = OpenIssuerBackend(m, {}, clock_.Now(), &ds);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(ds.has_errors());
  bool at_ca_line = false;
  for (const Diagnostic& d : ds.items()) {
    if (d.severity == Severity::kError && d.location.line == 7) at_ca_line = true;
  }
  EXPECT_TRUE(at_ca_line) << ds.ToString();
  EXPECT_THAT(ds.ToString(), HasSubstr("ca.pem"));
  ASSERT_EQ(b->facts.count("self"), 1u);
  EXPECT_EQ(b->facts.at("self").type, IssuerType::kSelfSigned);
  ASSERT_EQ(b->facts.count("corp-ca"), 1u) << "facts keep an unreadable issuer's name and type";
  EXPECT_EQ(b->facts.at("corp-ca").type, IssuerType::kCa);
}

TEST_F(BackendsTest, BackupsOnlyWhenTheManifestHasABackupPath) {
  Manifest m = Load();
  EXPECT_NE(OpenBackups(m), nullptr);
  m.backup.path.clear();
  EXPECT_EQ(OpenBackups(m), nullptr);
}

TEST_F(BackendsTest, ManifestDigestIsTheSha256OfTheBytes) {
  const fs::path empty = dir_.Write("empty.yaml", "");
  const fs::path abc = dir_.Write("abc.yaml", "abc");
  EXPECT_EQ(*ManifestDigest(empty.string()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*ManifestDigest(abc.string()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  dir_.Write("abc.yaml", "abc\n");
  EXPECT_NE(*ManifestDigest(abc.string()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
      << "one byte more is another manifest";
}

TEST_F(BackendsTest, ManifestDigestOfAMissingFileNamesIt) {
  Result<std::string> d = ManifestDigest((dir_.path() / "gone.yaml").string());
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("gone.yaml"));
}

TEST_F(BackendsTest, AnEmptyPlanRendersAsAScript) {
  const Manifest m = Load();
  Result<std::string> script = RenderPlanPs1(Plan{}, m);
  ASSERT_TRUE(script.ok()) << script.status().message();
  EXPECT_FALSE(script->empty());
}

}  // namespace
}  // namespace xcert::cli
