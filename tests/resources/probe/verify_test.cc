// Which endpoints verify probes for what a store binds (pure), and the
// verdicts against real servers on loopback serving certificates the
// openssl command line made (openssl s_server, nginx).
#include "resources/probe/verify.h"

#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/x509/parse.h"
#include "tests/support/servers.h"
#include "tests/support/test_util.h"

namespace xcert::probe {
namespace {

using ::testing::ElementsAre;
using testing::FreeLoopbackPort;
using ::testing::HasSubstr;
using testing::NginxServer;
using testing::OpensslPki;
using testing::OpensslServer;
using testing::ServiceFiles;
using testing::ServiceFilesAt;
using testing::TempDir;

CertificateInfo Cert(const std::string& thumbprint, std::vector<std::string> names) {
  CertificateInfo c;
  c.thumbprint = thumbprint;
  c.dns_names = std::move(names);
  return c;
}

ServerSpec Server() {
  ServerSpec s;
  s.name = "MailServer21";
  s.fqdn = "mailserver21.contoso.test";
  return s;
}

std::vector<std::string> Described(const std::vector<EndpointCheck>& checks) {
  std::vector<std::string> out;
  for (const EndpointCheck& c : checks) out.push_back(c.Describe());
  return out;
}

TEST(PlanEndpointsTest, EveryBoundServiceOnItsDefaultPortsWithSniForEachName) {
  ServerState state;
  state.certificates = {Cert("AA", {"mail.contoso.test", "*.contoso.test"}),
                        Cert("BB", {"smtp.contoso.test"})};
  state.bindings.iis = "AA";
  state.bindings.imap = "AA";
  state.bindings.smtp = {"AA", "BB"};
  const std::vector<EndpointCheck> checks = PlanEndpoints(Server(), state);
  EXPECT_THAT(
      Described(checks),
      ElementsAre(
          "IIS on MailServer21 (https mailserver21.contoso.test:443, SNI mail.contoso.test)",
          "IIS on MailServer21 (https mailserver21.contoso.test:443, no SNI)",
          "SMTP on MailServer21 (smtp mailserver21.contoso.test:25, no SNI)",
          "SMTP on MailServer21 (smtp mailserver21.contoso.test:587, no SNI)",
          "IMAP on MailServer21 (imaps mailserver21.contoso.test:993, no SNI)",
          "IMAP on MailServer21 (imap mailserver21.contoso.test:143, no SNI)"))
      << "no POP (unbound), no SNI for the wildcard, no smtps by default";
  EXPECT_THAT(checks[0].names, ElementsAre("mail.contoso.test"));
  EXPECT_THAT(checks[1].names, ElementsAre("mail.contoso.test"));
  EXPECT_THAT(checks[2].bound, ElementsAre("BB")) << "SMTP: the preferred bound certificate";
  EXPECT_THAT(checks[2].names, ElementsAre("smtp.contoso.test"));
  EXPECT_THAT(checks[4].names, ElementsAre("mail.contoso.test")) << "IMAP: the bound one's";
}

TEST(PlanEndpointsTest, AddressServicesAndPortsFromTheManifest) {
  ServerState state;
  state.certificates = {Cert("AA", {"mail.contoso.test"})};
  state.bindings.iis = "AA";
  state.bindings.pop = "AA";
  state.bindings.smtp = {"AA"};
  ServerSpec server = Server();
  server.address = "127.0.0.1";
  server.probe.services = {Service::kPop, Service::kSmtp};
  server.probe.ports = {{"smtp", {}}, {"smtps", {2465}}, {"pop3", {2110}}, {"pop3s", {}}};
  EXPECT_THAT(Described(PlanEndpoints(server, state)),
              ElementsAre("SMTP on MailServer21 (smtps 127.0.0.1:2465, no SNI)",
                          "POP on MailServer21 (pop3 127.0.0.1:2110, no SNI)"));
}

TEST(PlanEndpointsTest, ABindingToACertificateTheStoreLacksIsStillProbed) {
  ServerState state;
  state.bindings.iis = "CC";
  const std::vector<EndpointCheck> checks = PlanEndpoints(Server(), state);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].target.sni, "");
  EXPECT_THAT(checks[0].bound, ElementsAre("CC"));
}

TEST(PlanEndpointsTest, NothingBoundNothingProbed) {
  EXPECT_TRUE(PlanEndpoints(Server(), ServerState{}).empty());
}

TEST(ProbePortsTest, DefaultsAndOverrides) {
  EXPECT_THAT(ProbePorts({}, Protocol::kSmtp), ElementsAre(25, 587));
  EXPECT_TRUE(ProbePorts({}, Protocol::kSmtps).empty());
  EXPECT_THAT(ProbePorts({}, Protocol::kImaps), ElementsAre(993));
  EXPECT_THAT(ProbePorts({}, Protocol::kPop3), ElementsAre(110));
  ProbeSpec spec;
  spec.ports = {{"https", {8443, 0, 70000}}};
  EXPECT_THAT(ProbePorts(spec, Protocol::kHttps), ElementsAre(8443));
}

// Real servers: what RunVerify makes of what they serve.
class RunVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = OpensslServer::Unavailable()) GTEST_SKIP() << *why;
    pki_.emplace(dir_.path() / "pki");
    auto anchors = LoadTrustAnchors(pki_->root_cert());
    ASSERT_TRUE(anchors.ok()) << anchors.status().message();
    checker_.emplace(*anchors);
  }
  // The store's view of a certificate in `files`.
  CertificateInfo Stored(const ServiceFiles& files) {
    auto der = x509::ReadCertificates(testing::ReadFileOrDie(files.cert()));
    EXPECT_TRUE(der.ok());
    auto info = x509::ParseCertificate(der->front());
    EXPECT_TRUE(info.ok());
    return *info;
  }
  VerifyReport Verify(const ServerSpec& server, const ServerState& state) {
    ProbeOptions options;
    options.timeout = std::chrono::seconds(10);
    return RunVerify(PlanEndpoints(server, state), *checker_, options, SystemClock().Now());
  }

  TempDir dir_;
  std::optional<OpensslPki> pki_;
  std::optional<Checker> checker_;
};

TEST_F(RunVerifyTest, NginxServingTheBoundCertificateForEveryNameAndWithoutSni) {
  if (auto why = NginxServer::Unavailable()) GTEST_SKIP() << *why;
  const ServiceFiles iis = ServiceFilesAt(dir_.path(), "IIS");
  const std::string thumbprint =
      pki_->Issue(iis, {.names = {"mail.contoso.test", "autodiscover.contoso.test"}});
  NginxServer nginx(dir_.path() / "nginx",
                    {{{"mail.contoso.test", "autodiscover.contoso.test"}, iis}});
  ServerState state;
  state.certificates = {Stored(iis)};
  state.bindings.iis = thumbprint;
  ServerSpec server = Server();
  server.address = "127.0.0.1";
  server.probe.ports = {{"https", {nginx.port()}}};
  const VerifyReport report = Verify(server, state);
  ASSERT_EQ(report.endpoints.size(), 3u);
  for (const EndpointResult& r : report.endpoints) {
    EXPECT_TRUE(r.ok()) << r.check.Describe() << ": " << r.verdict.findings.front().message;
    EXPECT_EQ(r.served, thumbprint);
    EXPECT_GE(r.verdict.days_left.value_or(-1), 29);
  }
  EXPECT_FALSE(report.Failed());
}

TEST_F(RunVerifyTest, AnOldCertificateStillServedIsAMismatchNamingBoth) {
  const ServiceFiles imap = ServiceFilesAt(dir_.path(), "IMAP");
  const std::string old_thumbprint = pki_->Issue(imap, {.names = {"mail.contoso.test"}});
  OpensslServer server_process(dir_.path() / "s", imap.cert(), imap.key(), imap.fullchain());
  // The store moved on: a new certificate in place, the server not reloaded.
  const std::string new_thumbprint = pki_->Issue(imap, {.names = {"mail.contoso.test"}});
  ServerState state;
  state.certificates = {Stored(imap)};
  state.bindings.imap = new_thumbprint;
  ServerSpec server = Server();
  server.address = "127.0.0.1";
  server.probe.ports = {{"imaps", {server_process.port()}}, {"imap", {}}};
  const VerifyReport report = Verify(server, state);
  ASSERT_EQ(report.endpoints.size(), 1u);
  const EndpointResult& r = report.endpoints[0];
  EXPECT_TRUE(report.Failed());
  EXPECT_EQ(r.served, old_thumbprint);
  ASSERT_FALSE(r.verdict.findings.empty());
  EXPECT_EQ(r.verdict.findings[0].problem, Problem::kWrongCertificate);
  EXPECT_THAT(r.verdict.findings[0].message,
              HasSubstr("serves " + old_thumbprint + " but the store binds " + new_thumbprint));
  EXPECT_EQ(ServedMismatchLine(r), "IMAP on MailServer21 serves " + old_thumbprint.substr(0, 8) +
                                       "… but the store binds " + new_thumbprint.substr(0, 8) +
                                       "…");
}

TEST_F(RunVerifyTest, SmtpMustServeItsPreferredBoundCertificate) {
  const ServiceFiles a = ServiceFilesAt(dir_.path() / "a", "SMTP");
  const ServiceFiles b = ServiceFilesAt(dir_.path() / "b", "SMTP");
  const std::string ta = pki_->Issue(a, {.names = {"smtp.contoso.test"}, .valid_to_days = 30});
  const std::string tb = pki_->Issue(b, {.names = {"smtp.contoso.test"}, .valid_to_days = 60});
  OpensslServer serving_a(dir_.path() / "sa", a.cert(), a.key(), a.fullchain());
  OpensslServer serving_b(dir_.path() / "sb", b.cert(), b.key(), b.fullchain());
  ServerState state;
  state.certificates = {Stored(a), Stored(b)};
  state.bindings.smtp = {ta, tb};
  ServerSpec server = Server();
  server.address = "127.0.0.1";
  server.probe.ports = {{"smtp", {}}, {"smtps", {serving_b.port()}}};
  EXPECT_FALSE(Verify(server, state).Failed()) << "b is valid longer: the one to serve";

  // The older certificate, still bound, served by a server not reloaded.
  server.probe.ports = {{"smtp", {}}, {"smtps", {serving_a.port()}}};
  VerifyReport report = Verify(server, state);
  ASSERT_EQ(report.endpoints.size(), 1u);
  ASSERT_FALSE(report.endpoints[0].verdict.findings.empty());
  EXPECT_EQ(report.endpoints[0].verdict.findings[0].problem, Problem::kWrongCertificate);
  EXPECT_THAT(report.endpoints[0].verdict.findings[0].message,
              HasSubstr("serves " + ta + " but the store binds " + tb));

  // A bound certificate the store does not hold: any bound one is accepted.
  state.bindings.smtp = {ta, tb, "CC"};
  report = Verify(server, state);
  EXPECT_FALSE(report.Failed()) << report.endpoints[0].verdict.findings[0].message;
  state.bindings.smtp = {tb, "CC"};
  report = Verify(server, state);
  ASSERT_FALSE(report.endpoints[0].verdict.findings.empty());
  EXPECT_THAT(report.endpoints[0].verdict.findings[0].message,
              HasSubstr("serves " + ta + " but the store binds " + tb + " or CC"));
}

TEST_F(RunVerifyTest, AnEndpointThatIsDownIsItsOwnResult) {
  ServerState state;
  state.bindings.iis = "AA";
  ServerSpec server = Server();
  server.address = "127.0.0.1";
  server.probe.ports = {{"https", {FreeLoopbackPort()}}};
  const VerifyReport report = Verify(server, state);
  ASSERT_EQ(report.endpoints.size(), 1u);
  EXPECT_EQ(report.endpoints[0].outcome, Outcome::kUnreachable);
  ASSERT_EQ(report.endpoints[0].verdict.findings.size(), 1u);
  EXPECT_EQ(report.endpoints[0].verdict.findings[0].problem, Problem::kNotServed);
  EXPECT_TRUE(report.Failed());
}

}  // namespace
}  // namespace xcert::probe
