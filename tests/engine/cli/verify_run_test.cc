// The trust anchors verify uses and what it makes of a server whose store
// could not be read.
#include "engine/cli/verify_run.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/manifest/load.h"
#include "engine/plan/drift_report.h"
#include "tests/support/servers.h"
#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using xcert::testing::TempDir;

constexpr const char* kManifest = R"(version: 1
store: {type: local, path: ./store}
servers:
  - {name: MailServer21, fqdn: ms21.contoso.test, roles: [Mailbox], address: 127.0.0.1}
certificates:
  - {name: mail, subject: CN=mail.contoso.test, dnsNames: [mail.contoso.test], issuer: self,
     servers: [MailServer21], services: [IIS]}
issuers:
  - {name: self, type: self-signed}
)";

Manifest Load(const TempDir& dir, const std::string& text) {
  const std::filesystem::path p = dir.Write("xcert.yaml", text);
  LoadResult r = LoadManifestFile(p.string());
  EXPECT_TRUE(r.manifest) << r.diagnostics.ToString();
  return r.manifest ? *r.manifest : Manifest{};
}

TEST(VerifyRunTest, AMissingTrustBundleNamesTheManifestLineAndTheFile) {
  TempDir dir;
  const Manifest m = Load(dir, std::string(kManifest) + "trust: pki/none.pem\n");
  Result<std::vector<std::string>> anchors = ManifestTrustAnchors(m);
  ASSERT_FALSE(anchors.ok());
  EXPECT_THAT(anchors.status().message(), HasSubstr("xcert.yaml:10:8: trust: "));
  EXPECT_THAT(anchors.status().message(), HasSubstr("none.pem"));
}

TEST(VerifyRunTest, TheTrustBundleIsReadRelativeToTheManifest) {
  if (auto why = testing::OpensslServer::Unavailable()) GTEST_SKIP() << *why;
  TempDir dir;
  testing::OpensslPki pki(dir.path() / "pki");
  const Manifest m = Load(dir, std::string(kManifest) + "trust: pki/root.pem\n");
  Result<std::vector<std::string>> anchors = ManifestTrustAnchors(m);
  ASSERT_TRUE(anchors.ok()) << anchors.status().message();
  EXPECT_EQ(anchors->size(), 1u);
}

TEST(VerifyRunTest, WithoutTrustTheSystemBundleIsUsed) {
  if (auto why = testing::OpensslServer::Unavailable()) GTEST_SKIP() << *why;
  TempDir dir;
  testing::OpensslPki pki(dir.path() / "pki");
  const char* before = std::getenv("SSL_CERT_FILE");
  const std::string saved = before ? before : "";
  ::setenv("SSL_CERT_FILE", pki.root_cert().c_str(), 1);
  Result<std::vector<std::string>> anchors = ManifestTrustAnchors(Load(dir, kManifest));
  ::setenv("SSL_CERT_FILE", (dir.path() / "missing.pem").c_str(), 1);
  Result<std::vector<std::string>> missing = ManifestTrustAnchors(Load(dir, kManifest));
  if (before) {
    ::setenv("SSL_CERT_FILE", saved.c_str(), 1);
  } else {
    ::unsetenv("SSL_CERT_FILE");
  }
  ASSERT_TRUE(anchors.ok()) << anchors.status().message();
  EXPECT_EQ(anchors->size(), 1u);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("name a PEM bundle of trust anchors"));
}

TEST(VerifyRunTest, AServerWhoseStoreCannotBeReadIsAnErrorNotAProbe) {
  if (auto why = testing::OpensslServer::Unavailable()) GTEST_SKIP() << *why;
  TempDir dir;
  testing::OpensslPki pki(dir.path() / "pki");
  const Manifest m = Load(dir, std::string(kManifest) + "trust: pki/root.pem\n");
  ActualState actual;
  actual["MailServer21"].server = "MailServer21";
  actual["MailServer21"].problems = {"store/MailServer21/bindings.json: not JSON"};
  actual["MailServer21"].bindings.iis = "AA";
  Result<probe::VerifyReport> report = VerifyEndpoints(m, actual, {}, SystemClock().Now());
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->endpoints.empty());
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0],
            "MailServer21: its store could not be read, so what it binds is unknown "
            "(store/MailServer21/bindings.json: not JSON); run xcert show --server MailServer21");
}

TEST(VerifyRunTest, OnlyTheChosenServersAreProbed) {
  if (auto why = testing::OpensslServer::Unavailable()) GTEST_SKIP() << *why;
  TempDir dir;
  testing::OpensslPki pki(dir.path() / "pki");
  const Manifest m = Load(dir, std::string(kManifest) + "trust: pki/root.pem\n");
  ActualState actual;
  actual["MailServer21"].server = "MailServer21";
  actual["MailServer21"].bindings.iis = "AA";
  VerifyOptions options;
  options.servers = {"Other"};
  Result<probe::VerifyReport> report = VerifyEndpoints(m, actual, options, SystemClock().Now());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->endpoints.empty());
  options.servers = {"MailServer21"};
  options.timeout = std::chrono::milliseconds(2000);
  report = VerifyEndpoints(m, actual, options, SystemClock().Now());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->endpoints.size(), 1u) << "IIS without SNI: the store holds no certificate AA";
  EXPECT_EQ(report->endpoints[0].check.target.address, "127.0.0.1");
}

probe::EndpointResult Endpoint(Service service, const std::string& sni, const std::string& served,
                               probe::Problem problem, const std::string& message) {
  probe::EndpointResult r;
  r.check.server = "MailServer21";
  r.check.service = service;
  r.check.target = {"10.0.0.21", 443, probe::Protocol::kHttps, sni};
  r.check.bound = {"800BFCE9D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6"};
  r.served = served;
  r.outcome = served.empty() ? probe::Outcome::kUnreachable : probe::Outcome::kOk;
  r.verdict.findings = {{problem, message}};
  return r;
}

TEST(VerifyRunTest, ServedMismatchesBecomeDriftOfTheCertificateAskingForTheService) {
  probe::VerifyReport report;
  const std::string served = "6BEC23A0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  report.endpoints = {
      Endpoint(Service::kIis, "mail.contoso.test", served, probe::Problem::kWrongCertificate, "x"),
      Endpoint(Service::kIis, "", served, probe::Problem::kWrongCertificate, "x"),
      Endpoint(Service::kImap, "", "", probe::Problem::kNotServed, "unreachable: refused"),
  };
  Desired desired;
  DesiredCertificate other;
  other.artifact = "smtp";
  other.servers = {"MailServer21"};
  other.services = ServiceSet{Service::kSmtp};
  DesiredCertificate mail;
  mail.artifact = "mail";
  mail.servers = {"MailServer21"};
  mail.services = ServiceSet{Service::kIis, Service::kImap};
  mail.where_services = Location{"xcert.yaml", 14, 15};
  desired.certificates = {other, mail};
  DiffResult diff;
  diff.checked = {{"MailServer21", "smtp", {}}, {"MailServer21", "mail", {}}};
  ASSERT_FALSE(diff.HasDrift());

  const std::vector<std::string> warnings = AddServedMismatches(report, desired, &diff);
  ASSERT_EQ(diff.changes.size(), 1u) << "one per server, service and served certificate";
  const Change& c = diff.changes[0];
  EXPECT_EQ(c.certificate, "mail");
  EXPECT_TRUE(c.drift_only());
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_EQ(c.reasons[0].reason, Reason::kServedMismatch);
  EXPECT_EQ(c.reasons[0].detail,
            "IIS on MailServer21 serves 6BEC23A0… but the store binds 800BFCE9…");
  EXPECT_TRUE(diff.HasDrift());
  EXPECT_THAT(RenderDriftText(diff, false),
              HasSubstr("ServedMismatch: IIS on MailServer21 serves 6BEC23A0… but the store binds "
                        "800BFCE9… (xcert.yaml:14:15)"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("IMAP on MailServer21"));
  EXPECT_THAT(warnings[0],
              HasSubstr("could not be probed: unreachable: refused; see xcert verify"));
}

}  // namespace
}  // namespace xcert::cli
