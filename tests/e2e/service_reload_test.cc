// The local store serving real servers: nginx, Postfix and Dovecot read
// <store>/<server>/services/<SERVICE>/{fullchain,key}.pem, apply switches
// those files, runs the server's reload hook and probes every endpoint
// (the real binary against the real servers): the new certificate after a
// hook that reloads; after one that does not, apply rolls the server back
// to the certificate it served before. history lists the runs and restore
// puts an earlier one back; an apply killed during its rollback finishes it
// when run again.
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
  // flow sequence's content, or "" for no hook. Apply probes for 3 seconds.
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
    probe: {grace: 3s, ports: {)" +
                                 ports + "}}\n" +
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

  // The runs `history --format json` lists, oldest first.
  nlohmann::json History() {
    RunResult h = X({"history", "--format", "json"});
    EXPECT_EQ(h.exit_code, 0) << h.err;
    return nlohmann::json::parse(h.out);
  }

  void ExpectStoreServes(const std::string& thumbprint) {
    for (const char* service : {"IIS", "SMTP", "IMAP", "POP"}) {
      EXPECT_EQ(OpensslPki::Thumbprint(StoreFiles(service).cert()), thumbprint) << service;
    }
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
  // apply itself probed the endpoints after the hook.
  EXPECT_THAT(apply.err, HasSubstr("verified     MailServer21 serves what its store binds"));
  EXPECT_THAT(apply.out, HasSubstr("  verified: MailServer21 serves what its store binds"));
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

TEST_F(ServiceReloadE2e, AHookThatDoesNotReloadMakesApplyRollBackToTheCertificateStillServed) {
  ApplyThenStartServers();
  WriteManifest(ports_, "'true'");
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.err << apply.out;
  EXPECT_THAT(apply.err, HasSubstr("hook         reload MailServer21: true: exit 0"));
  EXPECT_THAT(apply.out, HasSubstr("rolled back: MailServer21, because verification failed:"));
  EXPECT_THAT(apply.out, HasSubstr("IIS on MailServer21 (https 127.0.0.1:"));
  EXPECT_THAT(apply.out,
              HasSubstr("WrongCertificate: serves " + first_ + " but the store binds " + renewed));
  EXPECT_THAT(apply.out, HasSubstr("its services are back on the certificates they had before "
                                   "this run and it serves them"));
  // The store binds, and its files hold, the certificate the servers serve.
  ExpectStoreServes(first_);
  RunResult verify = X({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr(first_));
  // The manifest still asks for the renewal.
  EXPECT_EQ(X({"drift"}).exit_code, 2);
  const nlohmann::json runs = History();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1]["result"], "rolled back");
  EXPECT_EQ(runs[1]["rolled_back"], nlohmann::json::array({"MailServer21"}));
}

TEST_F(ServiceReloadE2e, WithoutRollbackVerifyAndDriftProbeNameWhatIsStillServed) {
  ApplyThenStartServers();
  WriteManifest(ports_, "'true'");
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve", "--no-rollback"});
  EXPECT_EQ(apply.exit_code, 1) << apply.err << apply.out;
  EXPECT_THAT(apply.out, HasSubstr("not verified: MailServer21 (rollback off):"));
  ExpectStoreServes(renewed);

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

TEST_F(ServiceReloadE2e, AnEndpointThatIsDownFailsVerificationAndTheRollbackSaysItIsStillDown) {
  ApplyThenStartServers();
  WriteManifest(ports_, "'true'");
  nginx_.reset();  // stopped by PID: HTTPS is down
  pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.err << apply.out;
  EXPECT_THAT(apply.out, HasSubstr("rolled back: MailServer21, because verification failed:"));
  EXPECT_THAT(apply.out, HasSubstr("NotServed: "));
  EXPECT_THAT(apply.out, HasSubstr("the rollback did not complete"));
  EXPECT_THAT(apply.out, HasSubstr("still not served as the store binds"));
  ExpectStoreServes(first_);
}

TEST_F(ServiceReloadE2e, RestoreOfTheLastRunPutsThePreviousCertificateBackAndItIsServed) {
  ApplyThenStartServers();
  WriteManifest(ports_, ShellQuote(ReloadScript()));
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  ExpectStoreServes(renewed);
  const nlohmann::json runs = History();
  ASSERT_EQ(runs.size(), 2u);
  const std::string last = runs[1]["id"];

  RunResult restore = X({"restore", last, "--auto-approve"});
  ASSERT_EQ(restore.exit_code, 0) << restore.err << restore.out;
  EXPECT_THAT(restore.out, HasSubstr("Restore the servers as they were before run " + last));
  EXPECT_THAT(restore.out, HasSubstr("Restore complete!"));
  EXPECT_THAT(restore.out, HasSubstr("  verified: MailServer21 serves what its store binds"));
  ExpectStoreServes(first_);
  RunResult verify = VerifyUntil(0);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr(first_));
  // Restoring again changes nothing; the restore is a run of its own.
  RunResult again = X({"restore", last, "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Nothing to do"));
  EXPECT_EQ(History().size(), 3u);
  RunResult unknown = X({"restore", "1999-", "--auto-approve"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no run '1999-'"));
}

TEST_F(ServiceReloadE2e, RestoreBringsBackFromItsBackupACertificateTheRunPruned) {
  ApplyThenStartServers();
  WriteManifest(ports_, ShellQuote(ReloadScript()));
  const fs::path manifest = dir_.path() / "xcert.yaml";
  dir_.Write("xcert.yaml", ReadFileOrDie(manifest) + "prune: true\n");
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult apply = X({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << apply.out;
  ASSERT_THAT(apply.err, HasSubstr("remove MailServer21 " + first_));
  const nlohmann::json runs = History();
  const std::string last = runs.back()["id"];

  RunResult restore = X({"restore", last, "--auto-approve"});
  ASSERT_EQ(restore.exit_code, 0) << restore.err << restore.out;
  EXPECT_THAT(restore.out, HasSubstr("import " + first_.substr(0, 8) +
                                     "… on MailServer21 from "
                                     "its backup"));
  ExpectStoreServes(first_);
  // The key came back with it: the served key is the one nginx, Postfix and
  // Dovecot load, and the handshakes succeed with the old certificate.
  RunResult verify = VerifyUntil(0);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr(first_));
}

TEST_F(ServiceReloadE2e, AnApplyKilledDuringItsRollbackFinishesItWhenRunAgain) {
  ApplyThenStartServers();
  // The hook never reloads; its second run (the rollback's) kills xcert
  // with SIGKILL, as a power cut or an impatient operator would.
  const fs::path hook = dir_.Write("hook.sh", R"(#!/bin/sh
n=$(cat hook.count 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > hook.count
if [ "$n" = 2 ]; then kill -9 $PPID; fi
exit 0
)");
  fs::permissions(hook, fs::perms::owner_all);
  WriteManifest(ports_, ShellQuote(hook.string()));
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  RunResult killed = X({"apply", "--auto-approve"});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err << killed.out;
  ASSERT_THAT(killed.err, HasSubstr("rollback     "));
  nlohmann::json runs = History();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1]["result"], "interrupted during rollback");

  RunResult again = X({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 1) << again.err << again.out;
  EXPECT_THAT(again.err, HasSubstr("was stopped while it rolled back MailServer21"));
  EXPECT_THAT(again.out,
              HasSubstr("Rollback of run " + runs[1]["id"].get<std::string>() + " finished."));
  EXPECT_THAT(again.out, HasSubstr("Nothing else was changed"));
  EXPECT_EQ(ReadFileOrDie(dir_.path() / "hook.count"), "3\n") << "the hook ran again";
  ExpectStoreServes(first_);
  RunResult verify = X({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  runs = History();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[2]["result"], "rolled back");
}

TEST_F(ServiceReloadE2e, TrustAnchorsThatCannotBeReadStopApplyBeforeItChangesAnything) {
  ApplyThenStartServers();
  WriteManifest(ports_, ShellQuote(ReloadScript()));
  const std::string renewed = pki_->Issue(issued_, {.names = {kMail}});
  fs::rename(dir_.path() / "pki/root.pem", dir_.path() / "pki/root.pem.away");
  RunResult apply = X({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.err << apply.out;
  EXPECT_THAT(apply.err, HasSubstr("apply verifies the servers it changes against them (or pass "
                                   "--no-verify); nothing was changed"));
  ExpectStoreServes(first_);
  RunResult unverified = X({"apply", "--auto-approve", "--no-verify"});
  EXPECT_EQ(unverified.exit_code, 0) << unverified.err << unverified.out;
  ExpectStoreServes(renewed);
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
  // A failed hook fails verification at once; the rollback's hook fails too.
  EXPECT_THAT(apply.out, HasSubstr("rolled back: MailServer21, because verification failed:\n"
                                   "      its reload hook failed: exit 4"));
  EXPECT_THAT(apply.out, HasSubstr("the rollback did not complete"));
}

}  // namespace
}  // namespace xcert::testing
