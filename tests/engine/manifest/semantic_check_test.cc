// Semantic checks of the sections (organization, store, backup, issuers,
// servers) and of names; the broken-manifest table has more.
#include "engine/manifest/semantic_check.h"

#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"

namespace xcert::manifest::testing {
namespace {

using Strings = std::vector<std::string>;

TEST(SemanticCheckTest, OrganizationDomainIsADomain) {
  EXPECT_EQ(Lines(Replace(kBase, "store:", "organization: {domain: '*.contoso.com'}\nstore:")),
            Strings{"2:24: error: organization domain '*.contoso.com' is not a valid DNS domain: "
                    "it is a wildcard; write the domain itself, e.g. contoso.com"});
  EXPECT_EQ(Lines(Replace(kBase, "store:", "organization: {domain: contoso..com}\nstore:")),
            Strings{"2:24: error: organization domain 'contoso..com' is not a valid DNS domain: "
                    "it has an empty label; write the domain itself, e.g. contoso.com"});
}

TEST(SemanticCheckTest, ExchangeStoreAcceptsTransportPerServer) {
  std::string yaml = Replace(kBase, "{type: local, path: ./store}", "{type: exchange}");
  yaml = Replace(yaml, "roles: [Mailbox]}", "roles: [Mailbox], transport: [ssh, ex1]}");
  EXPECT_EQ(Lines(yaml), Strings{"2:15: error: a store of type 'exchange' needs 'transport' (the "
                                 "command that runs Exchange Management Shell); servers without "
                                 "one: 'EX2'; add e.g. 'transport: [ssh, admin@ex01, powershell, "
                                 "-NoProfile, -Command, -]' to store or to each server"});
  yaml = Replace(yaml, "version: \"2016\"}", "version: \"2016\", transport: [ssh, ex2]}");
  EXPECT_EQ(Lines(yaml), Strings{});
}

TEST(SemanticCheckTest, APostgresLockNeedsItsVariableAndAFileLockNoSettings) {
  EXPECT_EQ(Lines(std::string(kBase) + "lock: {type: postgres}\n"),
            Strings{"16:14: error: a lock of type 'postgres' needs 'dsnEnv' (the environment "
                    "variable that holds the connection string); add 'dsnEnv: XCERT_LOCK_DSN' "
                    "and set that variable where apply runs"});
  EXPECT_EQ(Lines(std::string(kBase) + "lock: {type: postgres, dsnEnv: XCERT_LOCK_DSN}\n"),
            Strings{});
  EXPECT_EQ(Lines(std::string(kBase) + "lock: {type: file, wait: 5}\n"),
            Strings{"16:20: warning: 'wait' is only used by a lock of type 'postgres'; remove "
                    "it, or set 'type: postgres'"});
}

TEST(SemanticCheckTest, ServerTransportWithALocalStoreIsIgnoredWithAWarning) {
  const LoadResult r =
      Load(Replace(kBase, "roles: [Mailbox]}", "roles: [Mailbox], transport: [ssh]}"));
  EXPECT_TRUE(r.manifest.has_value());
  EXPECT_EQ(Lines(r.diagnostics),
            Strings{"7:58: warning: 'transport' of server 'EX1' is ignored: the store is 'local'; "
                    "remove it, or set store.type to exchange"});
}

TEST(SemanticCheckTest, SnapshotStoreNeedsAPath) {
  EXPECT_EQ(Lines(Replace(kBase, "{type: local, path: ./store}", "{type: snapshot}")),
            Strings{"2:8: error: a store of type 'snapshot' needs 'path'; add 'path: ./store' "
                    "(relative to this file)"});
}

TEST(SemanticCheckTest, IssuerFieldsDependOnTheType) {
  EXPECT_EQ(Lines(Replace(kBase, "{name: self, type: self-signed}",
                          "{name: self, type: request, outbox: out, pkcs12: x.pfx}")),
            (Strings{"4:5: error: issuer 'self' of type 'request' needs 'inbox' (folder where "
                     "issued certificates arrive); add 'inbox: ./requests/in'",
                     "4:46: error: field 'pkcs12' is not used by an issuer of type 'request'; "
                     "remove it, or change the issuer's type"}));
  EXPECT_EQ(Lines(Replace(kBase, "{name: self, type: self-signed}",
                          "{name: self, type: file, certificate: a.pem}")),
            Strings{"4:5: error: issuer 'self' of type 'file' needs 'key' (the private key, "
                    "PEM); add 'key: pki/ca.key'"});
  EXPECT_EQ(Lines(Replace(kBase, "{name: self, type: self-signed}", "{name: self, type: file}")),
            Strings{"4:5: error: issuer 'self' of type 'file' needs 'pkcs12' (a .pfx file) or "
                    "'certificate' and 'key' (PEM files); add e.g. 'pkcs12: certs/mail.pfx' and "
                    "'passwordEnv: MAIL_PFX_PASSWORD'"});
  EXPECT_EQ(Lines(Replace(kBase, "{name: self, type: self-signed}",
                          "{name: self, type: file, pkcs12: a.pfx, keyPasswordEnv: K}")),
            Strings{"4:45: error: field 'keyPasswordEnv' is not used by an issuer of type "
                    "'file'; remove it, or change the issuer's type"});
  EXPECT_EQ(Lines(Replace(kBase, ", key: ca.key}",
                          ", key: ca.key, keyPasswordEnv: K, keyPasswordFile: k.txt}")),
            Strings{"5:84: error: set only one of 'keyPasswordEnv' and 'keyPasswordFile'; remove "
                    "one of them"});
}

TEST(SemanticCheckTest, FileIssuerFormsThatAreFine) {
  EXPECT_EQ(Lines(Replace(kBase, "{name: self, type: self-signed}",
                          "{name: self, type: file, pkcs12: a.pfx, passwordFile: p.txt, "
                          "chain: c.pem}")),
            Strings{});
  EXPECT_EQ(Lines(Replace(kBase, "{name: self, type: self-signed}",
                          "{name: self, type: file, certificate: a.pem, key: a.key, "
                          "keyPasswordEnv: K}")),
            Strings{});
}

TEST(SemanticCheckTest, CertificateNamesAreUniqueWithoutRegardToCase) {
  EXPECT_EQ(Lines(std::string(kBase) +
                  "  - {name: Mail, subject: CN=a.contoso.com, dnsNames: [a.contoso.com], "
                  "issuer: corp-ca, servers: [EX1]}\n"),
            Strings{"16:12: error: certificate name 'Mail' is used twice (first at line 10, as "
                    "'mail'); names must be unique, without regard to case; rename one"});
}

TEST(SemanticCheckTest, ServerOn2013WithClientAccessIsFine) {
  EXPECT_EQ(Lines(Replace(kBase, "roles: [Mailbox]}",
                          "roles: [Mailbox, ClientAccess], "
                          "version: \"2013\"}")),
            Strings{});
}

TEST(SemanticCheckTest, PruneWithBackupIsFine) {
  EXPECT_EQ(Lines(Replace(kBase, "store: {type: local, path: ./store}\n",
                          "store: {type: local, path: ./store}\nprune: true\n"
                          "backup: {path: ./b, passwordEnv: XCERT_BACKUP_PASSWORD}\n")),
            Strings{});
}

TEST(SemanticCheckTest, TheBackupFolderAndTheStoreMayNotContainEachOther) {
  const std::string with_backup =
      Replace(kBase, "issuers:", "backup: {path: ./backups, passwordEnv: B}\nissuers:");
  EXPECT_EQ(Lines(with_backup), Strings{});
  EXPECT_EQ(Lines(Replace(with_backup, "./backups", "store/old/../backups")),
            Strings{"3:16: error: the backup folder 'store/old/../backups' is inside the store "
                    "'./store' (line 2); put the backups beside the store, e.g. path: ./backups"});
  EXPECT_EQ(Lines(Replace(with_backup, "./backups", "./")),
            Strings{"3:16: error: the store './store' (line 2) is inside the backup folder './'; "
                    "give the backups a folder of their own, e.g. path: ./backups"});
  EXPECT_EQ(Lines(Replace(with_backup, "./backups", "./store-backups")), Strings{})
      << "a shared prefix is not a folder";
}

// An acme issuer with `challenge` (a flow mapping) in place of corp-ca.
std::string AcmeManifest(const std::string& challenge, const std::string& more = "") {
  return Replace(kBase, "  - {name: corp-ca, type: ca, certificate: ca.pem, key: ca.key}",
                 "  - {name: corp-ca, type: acme, directory: 'https://acme.test/dir', "
                 "accountKey: acme.key, challenge: " +
                     challenge + more + "}");
}

TEST(SemanticCheckTest, AnAcmeChallengeNeedsExactlyOneWayThatFitsItsType) {
  EXPECT_EQ(Lines(AcmeManifest("{type: http-01, standalone: ':80'}")), Strings{});
  EXPECT_EQ(Lines(AcmeManifest("{type: http-01, webroot: /var/www/html}")), Strings{});
  EXPECT_EQ(Lines(AcmeManifest("{type: dns-01, exec: [./dns-hook.sh]}")), Strings{});
  EXPECT_EQ(Lines(AcmeManifest("{type: dns-01, rfc2136: {server: 192.0.2.53, zone: contoso.com, "
                               "tsigKeyName: xcert, tsigSecretEnv: TSIG_SECRET}}")),
            Strings{});
  const Strings none = Lines(AcmeManifest("{type: http-01}"));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_NE(none[0].find("error: issuer 'corp-ca' of type 'acme': the http-01 challenge needs a "
                         "way to answer it; add 'standalone: \":80\"'"),
            std::string::npos)
      << none[0];
  const Strings two = Lines(AcmeManifest("{type: http-01, standalone: ':80', webroot: /srv}"));
  ASSERT_EQ(two.size(), 1u);
  EXPECT_NE(two[0].find("the challenge has both 'webroot' and 'standalone'; keep one of them"),
            std::string::npos)
      << two[0];
  const Strings misfit = Lines(AcmeManifest("{type: dns-01, webroot: /srv}"));
  ASSERT_EQ(misfit.size(), 1u);
  EXPECT_NE(misfit[0].find("'webroot' cannot answer a dns-01 challenge; use http-01 for webroot"),
            std::string::npos)
      << misfit[0];
}

TEST(SemanticCheckTest, AcmeSecretsAreNamedNeverWritten) {
  const Strings tsig = Lines(AcmeManifest(
      "{type: dns-01, rfc2136: {server: 192.0.2.53, zone: contoso.com, tsigKeyName: xcert}}"));
  ASSERT_EQ(tsig.size(), 1u);
  EXPECT_NE(tsig[0].find("the TSIG key needs its secret; add 'tsigSecretEnv: XCERT_TSIG_SECRET'"),
            std::string::npos)
      << tsig[0];
  const Strings eab =
      Lines(AcmeManifest("{type: http-01, standalone: ':80'}", ", eab: {keyId: kid-1}"));
  ASSERT_EQ(eab.size(), 1u);
  EXPECT_NE(eab[0].find("'eab' needs the CA's MAC key; add 'hmacKeyEnv: ACME_EAB_HMAC'"),
            std::string::npos)
      << eab[0];
  EXPECT_EQ(Lines(AcmeManifest("{type: http-01, standalone: ':80'}",
                               ", eab: {keyId: kid-1, hmacKeyEnv: ACME_EAB_HMAC}")),
            Strings{});
}

TEST(SemanticCheckTest, AcmeSettingsBelongToAcmeIssuersOnly) {
  const Strings lines =
      Lines(Replace(kBase, "key: ca.key}", "key: ca.key, directory: 'https://acme.test/dir'}"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("field 'directory' is not used by an issuer of type 'ca'"),
            std::string::npos)
      << lines[0];
}

}  // namespace
}  // namespace xcert::manifest::testing
