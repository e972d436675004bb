// xcert against the Exchange simulator (tests/exchange-sim/README.md), run by
// real PowerShell 7: the live store's own scripts over its real transport,
// and the reviewed .ps1 plan executed in Exchange Management Shell. The
// oracle is the simulator, which keeps Exchange's rules and makes its
// certificates with .NET, read through its cmdlets (SimOrganization::Summary).
//
// The organisation: two Mailbox servers sharing one SAN certificate for IIS,
// IMAP, POP and SMTP, and an Edge Transport server with its own SMTP
// certificate, all as Exchange setup leaves them.
#include "tests/support/exchange_sim.h"

#include <algorithm>
#include <functional>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::map<std::string, std::string> kEnv = {
    {"XCERT_BACKUP_PASSWORD", "sim-backup-password-only-for-tests"}};

std::string Manifest(const SimOrganization& org) {
  return R"(version: 1
organization:
  domain: pocket-consultant.com
)" + org.StoreYaml() +
         R"(backup:
  path: ./backups
  passwordEnv: XCERT_BACKUP_PASSWORD
issuers:
  - name: self
    type: self-signed
servers:
  - {name: MailServer21, fqdn: MailServer21.pocket-consultant.com, roles: [Mailbox], version: "2019"}
  - {name: MailServer22, fqdn: MailServer22.pocket-consultant.com, roles: [Mailbox], version: "2019"}
  - {name: Edge01, fqdn: Edge01.pocket-consultant.com, roles: [EdgeTransport], version: "2019"}
certificates:
  - name: mail
    subject: CN=mail.pocket-consultant.com
    dnsNames: [mail.pocket-consultant.com, autodiscover.pocket-consultant.com]
    issuer: self
    key: {algorithm: RSA, size: 2048, exportable: true}
    validity: 365d
    servers: [MailServer21, MailServer22]
    services: [IIS, IMAP, POP, SMTP]
  - name: edge
    subject: CN=edge.pocket-consultant.com
    dnsNames: [edge.pocket-consultant.com]
    issuer: self
    key: {algorithm: RSA, size: 2048, exportable: true}
    validity: 365d
    servers: [Edge01]
    services: [SMTP]
)";
}

// The certificate labelled `label` in a server's summary.
nlohmann::json CertificateOf(const nlohmann::json& server, const std::string& label) {
  for (const nlohmann::json& c : server["Certificates"]) {
    if (c["Label"] == label) return c;
  }
  return {};
}

class ExchangeSimE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = SimOrganization::Unavailable()) GTEST_SKIP() << *why;
    org_.emplace(dir_.path() / "org", "pocket-consultant.com",
                 std::vector<SimServer>{{"MailServer21"}, {"MailServer22"}, {"Edge01", "Edge"}});
    fs::create_directories(work());
  }
  fs::path work() const { return dir_.path() / "work"; }
  RunResult X(std::vector<std::string> args, const SimOrganization& org) {
    const fs::path manifest = work() / ("xcert-" + org.folder().filename().string() + ".yaml");
    if (!fs::exists(manifest)) dir_.Write(fs::relative(manifest, dir_.path()), Manifest(org));
    args.insert(args.end(), {"-f", manifest.string()});
    return RunXcert(args, work(), kEnv);
  }

  // What the manifest asks, as the simulator shows it after a change.
  static void ExpectManifestServed(const nlohmann::json& summary) {
    const nlohmann::json& m21 = summary["Servers"]["MailServer21"];
    const nlohmann::json& m22 = summary["Servers"]["MailServer22"];
    const std::string mail = m21["HttpsBindings"]["Default Web Site :443:"];
    EXPECT_EQ(m22["HttpsBindings"]["Default Web Site :443:"], mail)
        << "both Mailbox servers serve the same certificate (one thumbprint)";
    const nlohmann::json cert = CertificateOf(m21, mail);
    EXPECT_EQ(cert["Subject"], "CN=mail.pocket-consultant.com") << m21.dump(2);
    EXPECT_EQ(cert["Services"], "IMAP, POP, IIS, SMTP");
    EXPECT_EQ(cert["Domains"], nlohmann::json::array({"mail.pocket-consultant.com",
                                                      "autodiscover.pocket-consultant.com"}));
    EXPECT_EQ(m21["HttpsBindings"]["Default Web Site 127.0.0.1:443:"], mail);
    for (const nlohmann::json* m : {&m21, &m22}) {
      EXPECT_EQ((*m)["ImapCertificateName"], "mail.pocket-consultant.com");
      EXPECT_EQ((*m)["PopCertificateName"], "mail.pocket-consultant.com");
      // Exchange's rules: the back end keeps the certificate setup gave it,
      // and the default SMTP certificate stays unless the manifest says so.
      EXPECT_NE((*m)["HttpsBindings"]["Exchange Back End *:444:"], mail);
      EXPECT_NE((*m)["InternalTransport"], mail);
      EXPECT_EQ((*m)["IisResets"], 1) << "one iisreset per server whose IIS certificate moved";
    }
    const nlohmann::json& edge = summary["Servers"]["Edge01"];
    bool edge_served = false;
    for (const nlohmann::json& c : edge["Certificates"]) {
      if (c["Subject"] == "CN=edge.pocket-consultant.com") {
        edge_served = c["Services"] == "SMTP";
      }
    }
    EXPECT_TRUE(edge_served) << edge.dump(2);
    EXPECT_TRUE(summary["Problems"].empty()) << summary["Problems"].dump(2);
  }

  TempDir dir_;
  std::optional<SimOrganization> org_;
};

TEST_F(ExchangeSimE2e, LiveStorePlanApplyPlanDrift) {
  const RunResult plan = X({"plan", "--detailed-exitcode"}, *org_);
  ASSERT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("import 'mail' on MailServer22 (copied from MailServer21)"));
  EXPECT_EQ(org_->ShellsStarted(), 3) << "plan: one Exchange Management Shell per server";

  const int calls = org_->CmdletCalls();
  const RunResult apply = X({"apply", "--auto-approve"}, *org_);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("0 failed"));
  EXPECT_EQ(org_->ShellsStarted(), 6)
      << "apply: one shell per server for all its steps, however many calls ("
      << org_->CmdletCalls() - calls << ")";
  ExpectManifestServed(org_->Summary());

  const RunResult again = X({"plan", "--detailed-exitcode"}, *org_);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("0 steps"));
  const RunResult drift = X({"drift"}, *org_);
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;

  // Someone moves IIS back to the setup certificate in Exchange itself:
  // drift sees it and apply puts it back.
  const nlohmann::json before = org_->Summary();
  const std::string setup =
      before["Servers"]["MailServer22"]["HttpsBindings"]["Exchange Back End *:444:"];
  const RunResult moved =
      org_->Shell("MailServer22",
                  "$t = (Get-ExchangeCertificate | Where-Object { $_.Subject -eq 'CN=MailServer22' "
                  "}).Thumbprint; "
                  "Enable-ExchangeCertificate -Thumbprint $t -Services IIS -Force",
                  work());
  ASSERT_EQ(moved.exit_code, 0) << moved.out << moved.err;
  EXPECT_EQ(org_->Summary()["Servers"]["MailServer22"]["HttpsBindings"]["Default Web Site :443:"],
            setup);
  const RunResult drifted = X({"drift"}, *org_);
  EXPECT_EQ(drifted.exit_code, 2) << drifted.out << drifted.err;
  EXPECT_THAT(drifted.out, HasSubstr("MailServer22"));
  const RunResult repair = X({"apply", "--auto-approve"}, *org_);
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(X({"drift"}, *org_).exit_code, 0);
  EXPECT_EQ(org_->Summary()["Servers"]["MailServer22"]["HttpsBindings"]["Default Web Site :443:"],
            before["Servers"]["MailServer22"]["HttpsBindings"]["Default Web Site :443:"]);
}

TEST_F(ExchangeSimE2e, Ps1PlanRunTwiceEndsWhereApplyEnds) {
  const SimOrganization scripted = org_->CopyTo(dir_.path() / "scripted");

  const RunResult saved = X({"plan", "-o", "plan.ps1"}, scripted);
  ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
  const std::string run =
      "Set-StrictMode -Version Latest; & ./plan.ps1 -BackupFolder ./script-backups";
  // The Mailbox servers' steps in a Mailbox server's shell, the Edge
  // server's in its own; each run says what it left to the other.
  const RunResult mailbox = scripted.Shell("MailServer21", run, work());
  ASSERT_EQ(mailbox.exit_code, 0) << mailbox.out << mailbox.err;
  EXPECT_THAT(mailbox.out, HasSubstr("Edge Transport server Edge01 for steps"));
  const RunResult edge = scripted.Shell("Edge01", run, work());
  ASSERT_EQ(edge.exit_code, 0) << edge.out << edge.err;
  const nlohmann::json first = scripted.Summary();
  ExpectManifestServed(first);

  // A second run changes nothing.
  for (const std::string server : {"MailServer21", "Edge01"}) {
    const RunResult rerun = scripted.Shell(server, run, work());
    ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
    EXPECT_THAT(rerun.out, Not(HasSubstr("    created"))) << rerun.out;
    EXPECT_THAT(rerun.out, Not(HasSubstr("    imported"))) << rerun.out;
    EXPECT_THAT(rerun.out, Not(HasSubstr(" now served by "))) << rerun.out;
  }
  EXPECT_EQ(scripted.Summary(), first);

  // xcert apply from the same start ends in the same state.
  const RunResult apply = X({"apply", "--auto-approve"}, *org_);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(org_->Summary(), first) << "apply:\n"
                                    << org_->Summary().dump(2) << "\nscript:\n"
                                    << first.dump(2);

  // And xcert agrees that the script did what the manifest asks.
  const RunResult after = X({"plan", "--detailed-exitcode"}, scripted);
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_EQ(X({"drift"}, scripted).exit_code, 0);
}

TEST_F(ExchangeSimE2e, Ps1PlanRefusesToCarryAKeyIntoAnEdgeShell) {
  dir_.Write("work/shared.yaml",
             std::regex_replace(Manifest(*org_), std::regex("servers: \\[Edge01\\]"),
                                "servers: [MailServer21, Edge01]"));
  const RunResult r = RunXcert({"plan", "-f", "shared.yaml", "-o", "plan.ps1"}, work(), kEnv);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("Edge Transport server"));
  EXPECT_THAT(r.err, HasSubstr("xcert apply"));
  EXPECT_FALSE(fs::exists(work() / "plan.ps1"));
}

// Each example manifest, its store swapped for a simulated organisation of
// its servers: the .ps1 plan xcert writes runs to the end under PowerShell,
// twice, and ends where `xcert apply` ends from the same start.
struct ExampleCase {
  std::string name;
  // Puts what the example needs beside its manifest in `work` (run.sh does
  // so for a user); returns the script's extra arguments.
  std::function<std::string(const fs::path& work)> prepare;
};

void PrintTo(const ExampleCase& c, std::ostream* os) { *os << c.name; }

std::string NoPreparation(const fs::path&) { return ""; }

// The purchased example's certs/mail.pfx, as its run.sh buys it from a demo
// vendor CA made with the openssl command line.
std::string BuyMailPfx(const fs::path& work) {
  const RunResult bought = Run({"/bin/bash", "-c",
                                R"(set -e; mkdir -p ca certs; umask 077
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca/ca.key -out ca/ca.pem -days 3650 \
  -subj "/C=US/O=Demo Vendor/CN=Demo Vendor TLS CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout ca/mail.key -out ca/mail.csr \
  -subj "/C=US/O=Pocket Consultant/CN=mail.pocket-consultant.com" 2>/dev/null
openssl x509 -req -in ca/mail.csr -CA ca/ca.pem -CAkey ca/ca.key -CAcreateserial -days 365 \
  -extfile <(printf '%s\n' "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=DNS:mail.pocket-consultant.com,DNS:autodiscover.pocket-consultant.com") \
  -out ca/mail.pem 2>/dev/null
openssl pkcs12 -export -in ca/mail.pem -inkey ca/mail.key -certfile ca/ca.pem \
  -passout env:MAIL_PFX_PASSWORD -out certs/mail.pfx)"},
                               work, {{"MAIL_PFX_PASSWORD", "demo-pfx-password-for-tests"}});
  EXPECT_EQ(bought.exit_code, 0) << bought.out << bought.err;
  return " -WorkFolder ./certs -Password_bought (ConvertTo-SecureString "
         "'demo-pfx-password-for-tests' -AsPlainText -Force)";
}

class ExchangeSimExample : public ::testing::TestWithParam<ExampleCase> {};

TEST_P(ExchangeSimExample, Ps1PlanRunsTwiceAndEndsWhereApplyEnds) {
  if (auto why = SimOrganization::Unavailable()) GTEST_SKIP() << *why;
  TempDir dir;
  const fs::path work = dir.path() / "work";
  fs::create_directories(work);
  YAML::Node manifest =
      YAML::LoadFile((SourceDir() / "examples" / GetParam().name / "xcert.yaml").string());
  std::vector<SimServer> servers;
  for (const YAML::Node& s : manifest["servers"]) {
    const bool edge = s["roles"][0].as<std::string>() == "EdgeTransport";
    servers.push_back(
        {s["name"].as<std::string>(), edge ? "Edge" : "Mailbox", s["version"].as<std::string>()});
  }
  SimOrganization applied(dir.path() / "applied",
                          manifest["organization"]["domain"].as<std::string>(), servers);
  const SimOrganization scripted = applied.CopyTo(dir.path() / "scripted");
  const std::string arguments = GetParam().prepare(work);
  const std::map<std::string, std::string> env = {
      {"XCERT_BACKUP_PASSWORD", "sim-backup-password-only-for-tests"},
      {"MAIL_PFX_PASSWORD", "demo-pfx-password-for-tests"}};
  auto write = [&](const SimOrganization& org) {
    YAML::Node m = YAML::Clone(manifest);
    m["store"] = YAML::Load(org.StoreYaml())["store"];
    m.remove("lock");
    const std::string name = org.folder().filename().string() + ".yaml";
    dir.Write("work/" + name, YAML::Dump(m) + "\n");
    return name;
  };
  const std::string for_script = write(scripted);
  const std::string for_apply = write(applied);

  const RunResult saved = RunXcert({"plan", "-f", for_script, "-o", "plan.ps1"}, work, env);
  ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
  // The backup password is a parameter only when a backup holds a key.
  const bool asks_password =
      ReadFileOrDie(work / "plan.ps1").find("SecureString] $BackupPassword") != std::string::npos;
  const std::string run = "Set-StrictMode -Version Latest; & ./plan.ps1" +
                          std::string(asks_password ? " -BackupPassword (ConvertTo-SecureString "
                                                      "'sim-backup-password-only-for-tests' "
                                                      "-AsPlainText -Force)"
                                                    : "") +
                          arguments;
  const RunResult first = scripted.Shell(servers.front().name, run, work);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("Done: every step finished."));
  const nlohmann::json after_first = scripted.Summary();
  EXPECT_TRUE(after_first["Problems"].empty()) << after_first["Problems"].dump(2);
  const RunResult second = scripted.Shell(servers.front().name, run, work);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(scripted.Summary(), after_first) << second.out;

  const RunResult apply = RunXcert({"apply", "-f", for_apply, "--auto-approve"}, work, env);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(applied.Summary(), after_first) << "apply:\n"
                                            << applied.Summary().dump(2) << "\nscript:\n"
                                            << after_first.dump(2);
  const RunResult drift = RunXcert({"drift", "-f", for_script}, work, env);
  EXPECT_EQ(drift.exit_code, 0) << drift.out << drift.err;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExchangeSimExample,
                         ::testing::Values(ExampleCase{"pocket-consultant", NoPreparation},
                                           ExampleCase{"purchased", BuyMailPfx}),
                         [](const ::testing::TestParamInfo<ExampleCase>& example) {
                           std::string name = example.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace xcert::testing
