// xcert verify with the real binary against real servers on loopback:
// nginx (HTTPS), Postfix (SMTP STARTTLS) and Dovecot (IMAP and POP, implicit
// TLS and STARTTLS) serve a certificate the openssl command line made, which
// `apply` imported into a local store through a `file` issuer. Verify must
// see what the servers really serve: the renewed certificate only after
// they reload, nothing from a server that is down, a missing chain, a name
// the served certificate does not cover.
#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/servers.h"
#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kMail = "mail.contoso.test";
constexpr const char* kAutodiscover = "autodiscover.contoso.test";

class VerifyE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto why : {NginxServer::Unavailable(), PostfixServer::Unavailable(),
                     DovecotServer::Unavailable(), OpensslServer::Unavailable()}) {
      if (why) GTEST_SKIP() << *why;
    }
    pki_.emplace(dir_.path() / "pki");
    issued_ = ServiceFilesAt(dir_.path() / "issued", "mail");
    thumbprint_ = pki_->Issue(issued_, {.names = {kMail, kAutodiscover}});
  }

  RunResult X(const std::vector<std::string>& args) {
    return RunXcert(args, dir_.path(),
                    {{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"}, {"NO_COLOR", "1"}});
  }

  // The manifest: one server at 127.0.0.1 whose probe ports are `ports`
  // (the probe.ports flow map's content), the issued certificate on every
  // service through a file issuer.
  void WriteManifest(const std::string& ports) {
    dir_.Write("xcert.yaml", R"(version: 1
organization: {domain: contoso.test}
store: {type: local, path: ./store}
backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}
trust: pki/root.pem
issuers:
  - name: bought
    type: file
    certificate: issued/services/mail/cert.pem
    key: issued/services/mail/key.pem
    chain: pki/intermediate.pem
servers:
  - name: MailServer21
    fqdn: mailserver21.contoso.test
    roles: [Mailbox]
    address: 127.0.0.1
    probe:
      ports: {)" + ports + R"(}
certificates:
  - name: mail
    subject: CN=mail.contoso.test
    dnsNames: [mail.contoso.test, autodiscover.contoso.test]
    issuer: bought
    key: {algorithm: ECDSA, curve: P-256, exportable: true}
    servers: [MailServer21]
    services: [IIS, SMTP, IMAP, POP]
)");
  }

  void InitAndApply() {
    RunResult init =
        X({"store", "init", "--store", "./store", "--server", "MailServer21", "--fqdn",
           "mailserver21.contoso.test", "--roles", "Mailbox", "--domain", "contoso.test"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    Apply();
  }
  // --no-verify: these tests are about what `xcert verify` reports on servers
  // that serve badly on purpose; apply's own verification (which would roll
  // them back) is tested in service_reload_test.cc.
  void Apply() {
    RunResult apply = X({"apply", "--auto-approve", "--no-verify"});
    ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  }

  // Starts the three real servers reading the issued files.
  void StartServers() {
    nginx_.emplace(dir_.path() / "nginx",
                   std::vector<NginxSite>{{{kMail, kAutodiscover}, issued_}});
    postfix_.emplace(dir_.path() / "postfix", issued_);
    dovecot_.emplace(dir_.path() / "dovecot", issued_, issued_);
  }
  std::string AllPorts() const {
    return "https: [" + std::to_string(nginx_->port()) + "], smtp: [" +
           std::to_string(postfix_->port()) + "], imap: [" + std::to_string(dovecot_->imap_port()) +
           "], imaps: [" + std::to_string(dovecot_->imaps_port()) + "], pop3: [" +
           std::to_string(dovecot_->pop3_port()) + "], pop3s: [" +
           std::to_string(dovecot_->pop3s_port()) + "]";
  }

  // Verify until it exits `want` or ten seconds passed: a reloaded nginx or
  // Postfix switches workers a moment after its reload command returns.
  RunResult VerifyUntil(int want, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r;
    for (int i = 0; i < 50; ++i) {
      r = X(args);
      if (r.exit_code == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return r;
  }

  TempDir dir_;
  std::optional<OpensslPki> pki_;
  ServiceFiles issued_;
  std::string thumbprint_;
  std::optional<NginxServer> nginx_;
  std::optional<PostfixServer> postfix_;
  std::optional<DovecotServer> dovecot_;
};

TEST_F(VerifyE2e, EveryProtocolServesTheBoundCertificateThenARenewalNeedsAReload) {
  StartServers();
  WriteManifest(AllPorts());
  InitAndApply();

  RunResult ok = X({"verify"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  for (const std::string& line :
       {"  ok    IIS   https 127.0.0.1:" + std::to_string(nginx_->port()) + " (SNI " + kMail + ")",
        "  ok    IIS   https 127.0.0.1:" + std::to_string(nginx_->port()) + " (SNI " +
            kAutodiscover + ")",
        "  ok    IIS   https 127.0.0.1:" + std::to_string(nginx_->port()) + " (no SNI)",
        "  ok    SMTP  smtp 127.0.0.1:" + std::to_string(postfix_->port()),
        "  ok    IMAP  imaps 127.0.0.1:" + std::to_string(dovecot_->imaps_port()),
        "  ok    IMAP  imap 127.0.0.1:" + std::to_string(dovecot_->imap_port()),
        "  ok    POP   pop3s 127.0.0.1:" + std::to_string(dovecot_->pop3s_port()),
        "  ok    POP   pop3 127.0.0.1:" + std::to_string(dovecot_->pop3_port())}) {
    EXPECT_THAT(ok.out, HasSubstr(line));
  }
  EXPECT_THAT(ok.out, HasSubstr(thumbprint_));
  EXPECT_THAT(ok.out, HasSubstr("Verified: 8 endpoints on 1 server serve what the store binds."));

  // The certificate is renewed and applied; the servers still run the old one.
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail, kAutodiscover}});
  Apply();
  RunResult stale = X({"verify", "--format", "json"});
  EXPECT_EQ(stale.exit_code, 2) << stale.out << stale.err;
  const nlohmann::json j = nlohmann::json::parse(stale.out);
  ASSERT_EQ(j["endpoints"].size(), 8u);
  for (const nlohmann::json& e : j["endpoints"]) {
    EXPECT_EQ(e["status"], "failed") << e.dump();
    EXPECT_EQ(e["served"], thumbprint_) << e.dump();
    EXPECT_NE(std::find(e["bound"].begin(), e["bound"].end(), renewed), e["bound"].end())
        << e.dump();
    EXPECT_EQ(e["findings"][0]["problem"], "WrongCertificate") << e.dump();
  }
  RunResult text = X({"verify"});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_THAT(text.out, HasSubstr("  FAIL  IMAP  imaps 127.0.0.1:"));
  EXPECT_THAT(text.out, HasSubstr("WrongCertificate: serves " + thumbprint_ +
                                  " but the store binds " + renewed));

  // What a reload hook does: every server reads its files again.
  nginx_->Reload();
  postfix_->Reload();
  dovecot_->Reload();
  RunResult reloaded = VerifyUntil(0);
  EXPECT_EQ(reloaded.exit_code, 0) << reloaded.out;
  EXPECT_THAT(reloaded.out, HasSubstr(renewed));
  EXPECT_THAT(reloaded.out, Not(HasSubstr(thumbprint_)));
}

TEST_F(VerifyE2e, AServerThatIsDownIsNamedAndFailsVerify) {
  StartServers();
  WriteManifest(AllPorts());
  InitAndApply();
  dovecot_->Stop();
  RunResult r = X({"verify", "--format", "junit"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("tests=\"8\" failures=\"4\""));
  EXPECT_THAT(r.out, HasSubstr("<failure type=\"NotServed\" message=\"unreachable: "));
  RunResult only_web = X({"verify", "--server", "MailServer21", "--timeout", "2"});
  EXPECT_THAT(only_web.out, HasSubstr("  FAIL  POP   pop3 127.0.0.1:"));
  EXPECT_THAT(only_web.out, HasSubstr("NotServed: unreachable: "));
  EXPECT_THAT(only_web.out, HasSubstr("  ok    SMTP"));
}

TEST_F(VerifyE2e, AServerSendingNoChainIsUntrusted) {
  // nginx configured with the leaf alone (cert.pem as its "fullchain").
  const ServiceFiles leaf_only = ServiceFilesAt(dir_.path() / "leaf-only", "IIS");
  std::filesystem::create_directories(leaf_only.dir);
  std::filesystem::copy_file(issued_.cert(), leaf_only.fullchain());
  std::filesystem::copy_file(issued_.key(), leaf_only.key());
  NginxServer nginx(dir_.path() / "nginx", {{{kMail, kAutodiscover}, leaf_only}});
  WriteManifest("https: [" + std::to_string(nginx.port()) +
                "], smtp: [], imap: [], imaps: [], pop3: [], pop3s: []");
  InitAndApply();
  RunResult r = X({"verify"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("  FAIL  IIS   https 127.0.0.1:" + std::to_string(nginx.port()) +
                               " (no SNI)  " + thumbprint_));
  EXPECT_THAT(r.out, HasSubstr("UntrustedChain: "));
  EXPECT_THAT(r.out, Not(HasSubstr("WrongCertificate"))) << "it is the bound certificate";
}

TEST_F(VerifyE2e, ANameTheServedCertificateDoesNotCoverIsNamed) {
  // nginx answers autodiscover with another certificate, for another name.
  const ServiceFiles other = ServiceFilesAt(dir_.path() / "other", "IIS");
  const std::string other_thumbprint = pki_->Issue(other, {.names = {"owa.contoso.test"}});
  NginxServer nginx(dir_.path() / "nginx",
                    {{{kMail}, issued_}, {{kAutodiscover, "owa.contoso.test"}, other}});
  WriteManifest("https: [" + std::to_string(nginx.port()) +
                "], smtp: [], imap: [], imaps: [], pop3: [], pop3s: []");
  InitAndApply();
  RunResult r = X({"verify", "--format", "markdown"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("(SNI autodiscover.contoso.test) | failed | `" + other_thumbprint));
  EXPECT_THAT(r.out, HasSubstr("NameNotCovered: the certificate does not cover "
                               "'autodiscover.contoso.test'"));
  EXPECT_THAT(r.out, HasSubstr("(SNI mail.contoso.test) | ok |"));
}

TEST_F(VerifyE2e, AnUnreadableTrustBundleIsAnErrorNamingTheLine) {
  WriteManifest("https: [1], smtp: [], imap: [], imaps: [], pop3: [], pop3s: []");
  InitAndApply();
  std::filesystem::remove(pki_->root_cert());
  RunResult r = X({"verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:5:8: error: trust: "));
  EXPECT_EQ(r.out, "");
  RunResult unknown = X({"verify", "--server", "MailServer12"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("did you mean MailServer21?"));
}

}  // namespace
}  // namespace xcert::testing
