// The local store serving real servers: nginx, Postfix and Dovecot read
// <store>/<server>/services/<SERVICE>/{fullchain,key}.pem, apply switches
// those files and runs the server's reload hook, and verify (the real
// binary) sees what is really served on every protocol: the new
// certificate after a hook that reloads, the old one (exit 2, naming the
// services) after a hook that does not.
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

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class ServiceReloadE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto why :
         {NginxServer::Unavailable(), PostfixServer::Unavailable(), DovecotServer::Unavailable()}) {
      if (why) GTEST_SKIP() << *why;
    }
    pki_.emplace(dir_.path() / "pki");
    issued_ = ServiceFilesAt(dir_.path() / "issued", "mail");
    first_ = pki_->Issue(issued_, {.names = {kMail}});
  }

  RunResult X(const std::vector<std::string>& args) {
    return RunXcert(args, dir_.path(),
                    {{"XCERT_BACKUP_PASSWORD", "e2e-backup-password"}, {"NO_COLOR", "1"}});
  }

  // `ports`: the probe.ports flow map's content; `hook`: the hooks.reload
  // flow sequence's content, or "" for no hook.
  void WriteManifest(const std::string& ports, const std::string& hook) {
    dir_.Write("xcert.yaml", R"(version: 1
organization: {domain: contoso.test}
store: {type: local, path: ./store}
backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}
trust: pki/root.pem
issuers:
  - {name: bought, type: file, certificate: issued/services/mail/cert.pem,
     key: issued/services/mail/key.pem, chain: pki/intermediate.pem}
servers:
  - name: MailServer21
    fqdn: mailserver21.contoso.test
    roles: [Mailbox]
    address: 127.0.0.1
    probe: {ports: {)" + ports + "}}\n" +
                                 (hook.empty() ? "" : "    hooks: {reload: [" + hook + "]}\n") +
                                 R"(certificates:
  - name: mail
    subject: CN=mail.contoso.test
    dnsNames: [mail.contoso.test]
    issuer: bought
    key: {algorithm: ECDSA, curve: P-256, exportable: true}
    renewBefore: 7d   # the test leaves are valid 30 days
    servers: [MailServer21]
    services: [IIS, SMTP, IMAP, POP]
)");
  }

  ServiceFiles StoreFiles(const std::string& service) const {
    return ServiceFilesAt(dir_.path() / "store" / "MailServer21", service);
  }

  // store init, apply (no hook: nothing runs yet), then the servers start
  // on the store's service files.
  void ApplyThenStartServers() {
    WriteManifest("https: [], smtp: [], imap: [], imaps: [], pop3: [], pop3s: []", "");
    RunResult init =
        X({"store", "init", "--store", "./store", "--server", "MailServer21", "--fqdn",
           "mailserver21.contoso.test", "--roles", "Mailbox", "--domain", "contoso.test"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    RunResult apply = X({"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
    for (const char* service : {"IIS", "SMTP", "IMAP", "POP"}) {
      ASSERT_EQ(OpensslPki::Thumbprint(StoreFiles(service).cert()), first_) << service;
    }
    nginx_.emplace(dir_.path() / "nginx", std::vector<NginxSite>{{{kMail}, StoreFiles("IIS")}});
    postfix_.emplace(dir_.path() / "postfix", StoreFiles("SMTP"));
    dovecot_.emplace(dir_.path() / "dovecot", StoreFiles("IMAP"), StoreFiles("POP"));
    ports_ = "https: [" + std::to_string(nginx_->port()) + "], smtp: [" +
             std::to_string(postfix_->port()) + "], imap: [" +
             std::to_string(dovecot_->imap_port()) + "], imaps: [" +
             std::to_string(dovecot_->imaps_port()) + "], pop3: [" +
             std::to_string(dovecot_->pop3_port()) + "], pop3s: [" +
             std::to_string(dovecot_->pop3s_port()) + "]";
  }

  // A reload script running the three servers' reload commands.
  std::string ReloadScript() {
    std::string script = "#!/bin/sh\nset -e\n";
    for (const LoopbackServer* s :
         std::initializer_list<const LoopbackServer*>{&*nginx_, &*postfix_, &*dovecot_}) {
      for (const std::string& word : s->reload_command()) script += ShellQuote(word) + " ";
      script += "\n";
    }
    const fs::path path = dir_.Write("reload.sh", script);
    fs::permissions(path, fs::perms::owner_all);
    return path.string();
  }

  RunResult VerifyUntil(int want) {
    RunResult r;
    for (int i = 0; i < 50; ++i) {
      r = X({"verify"});
      if (r.exit_code == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return r;
  }

  TempDir dir_;
  std::optional<OpensslPki> pki_;
  ServiceFiles issued_;
  std::string first_;
  std::optional<NginxServer> nginx_;
  std::optional<PostfixServer> postfix_;
  std::optional<DovecotServer> dovecot_;
  std::string ports_;
};

TEST_F(ServiceReloadE2e, ApplyThenVerifyOnEveryProtocolAndARenewalReloadedByTheHook) {
  ApplyThenStartServers();
  WriteManifest(ports_, ShellQuote(ReloadScript()));
  RunResult ok = X({"verify"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("Verified: 7 endpoints on 1 server serve what the store binds."));

  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_THAT(apply.err, HasSubstr("hook         reload MailServer21: "));
  EXPECT_THAT(apply.err, HasSubstr("reload.sh: exit 0 ("));
  for (const char* service : {"IIS", "SMTP", "IMAP", "POP"}) {
    EXPECT_EQ(OpensslPki::Thumbprint(StoreFiles(service).cert()), renewed) << service;
    EXPECT_EQ(OpensslPki::Thumbprint(StoreFiles(service).fullchain()), renewed) << service;
  }
  RunResult reloaded = VerifyUntil(0);
  EXPECT_EQ(reloaded.exit_code, 0) << reloaded.out;
  EXPECT_THAT(reloaded.out, HasSubstr(renewed));

  RunResult again = X({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("Nothing to do."));
  EXPECT_THAT(again.err, Not(HasSubstr("hook"))) << "nothing changed: no reload";
}

TEST_F(ServiceReloadE2e, AHookThatDoesNotReloadLeavesTheOldCertificateServedAndVerifyNamesIt) {
  ApplyThenStartServers();
  WriteManifest(ports_, "'true'");
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  EXPECT_THAT(apply.err, HasSubstr("hook         reload MailServer21: true: exit 0"));

  RunResult verify = X({"verify"});
  EXPECT_EQ(verify.exit_code, 2) << verify.out << verify.err;
  for (const char* line : {"  FAIL  IIS   https", "  FAIL  SMTP  smtp", "  FAIL  IMAP  imaps",
                           "  FAIL  IMAP  imap ", "  FAIL  POP   pop3s", "  FAIL  POP   pop3 "}) {
    EXPECT_THAT(verify.out, HasSubstr(line));
  }
  EXPECT_THAT(verify.out,
              HasSubstr("WrongCertificate: serves " + first_ + " but the store binds " + renewed));
  EXPECT_THAT(verify.out, HasSubstr("Verify failed: 7 of 7 endpoints"));

  // drift --probe says the same as a reason of its own; drift alone is in sync.
  RunResult drift = X({"drift"});
  EXPECT_EQ(drift.exit_code, 0) << drift.out;
  RunResult probed = X({"drift", "--probe"});
  EXPECT_EQ(probed.exit_code, 2) << probed.out << probed.err;
  EXPECT_THAT(probed.out,
              HasSubstr("ServedMismatch: IIS on MailServer21 serves " + first_.substr(0, 8) +
                        "… but the store binds " + renewed.substr(0, 8) + "…"));
  EXPECT_THAT(probed.out, HasSubstr("ServedMismatch: POP on MailServer21 serves "));
}

TEST_F(ServiceReloadE2e, AFailingHookFailsApplyWithItsOutput) {
  ApplyThenStartServers();
  WriteManifest(ports_, "sh, -c, 'echo cannot reload nginx >&2; exit 4'");
  pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.err << apply.out;
  EXPECT_THAT(apply.out, HasSubstr("Apply finished with errors."));
  EXPECT_THAT(apply.out, HasSubstr("failed:  reload MailServer21: sh -c echo cannot reload nginx "
                                   ">&2; exit 4: exit 4 ("));
  EXPECT_THAT(apply.out, HasSubstr("cannot reload nginx; the new certificate may not be served"));
}

}  // namespace
}  // namespace xcert::testing
