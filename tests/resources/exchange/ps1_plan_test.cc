// Reviewed .ps1 plans: golden files for the example manifests and for a fleet
// plan that uses every step kind, the refusals, and the properties every
// script must have (guards, backups first, one IIS reset per server).
//
// Regenerate the golden files after an intended change with
//   XCERT_UPDATE_GOLDENS=1 build/tests/exchange_tests --gtest_filter='Ps1*'
// and review the diff.
#include "resources/exchange/ps1_plan.h"

#include <cstdlib>
#include <regex>

#include <gtest/gtest.h>

#include "engine/manifest/load.h"
#include "engine/plan/desired.h"
#include "engine/plan/diff.h"
#include "engine/util/file_util.h"
#include "tests/support/model_fixtures.h"
#include "tests/support/test_util.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using xcert::testing::Day;
using xcert::testing::ReadFileOrDie;
using xcert::testing::SourceDir;
using xcert::testing::Thumb;

const fs::path kTestData = fs::path("tests") / "resources" / "exchange" / "testdata";

// Compares `actual` with the golden file, or rewrites it when asked to.
void ExpectGolden(const std::string& name, const std::string& actual) {
  const fs::path path = SourceDir() / kTestData / name;
  const char* update = std::getenv("XCERT_UPDATE_GOLDENS");
  if (update && std::string(update) == "1") {
    ASSERT_TRUE(WriteFileAtomic(path, actual).ok()) << path;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path
                                << " is missing; run with XCERT_UPDATE_GOLDENS=1 to create it";
  EXPECT_EQ(actual, ReadFileOrDie(path))
      << "differs from " << path
      << "; if intended, run with XCERT_UPDATE_GOLDENS=1 and review the diff";
}

// What `xcert store init` leaves on a server of `spec`.
ServerState SetupState(const ServerSpec& spec) {
  ServerState s = xcert::testing::MailboxServer(spec.name, spec.fqdn);
  s.identity.roles = spec.roles;
  s.identity.version = spec.version;
  if (std::find(spec.roles.begin(), spec.roles.end(), Role::kEdgeTransport) != spec.roles.end()) {
    const CertificateInfo def = *s.Find(s.bindings.internal_transport);
    s.certificates = {def};
    s.bindings = Bindings{};
    s.bindings.smtp = {def.thumbprint};
    s.bindings.internal_transport = def.thumbprint;
    s.certificates[0].services = s.bindings.ServicesOf(def.thumbprint);
  }
  return s;
}

// The plan xcert makes for an example manifest against freshly set-up servers.
Result<std::string> RenderExample(const fs::path& dir) {
  const std::string display = "examples/" + dir.filename().string() + "/xcert.yaml";
  LoadResult loaded = LoadManifestText(ReadFileOrDie(dir / "xcert.yaml"), display, dir.string());
  if (!loaded.manifest)
    return InvalidArgument(display + " does not load: " + loaded.diagnostics.ToString());
  const Manifest& m = *loaded.manifest;
  std::map<std::string, IssuerFacts> facts;
  for (const IssuerSpec& i : m.issuers) {
    IssuerFacts f;
    f.name = i.name;
    f.type = i.type;
    if (i.type == IssuerType::kFile) {
      // The file holds what the first certificate of the issuer asks for,
      // as a vendor would deliver it.
      for (const CertificateSpec& c : m.certificates) {
        if (c.issuer != i.name) continue;
        f.supplied = xcert::testing::Cert("PFX-" + i.name, c.subject, c.dns_names);
        f.supplied.key_bits = c.key.rsa_bits;
        f.supplied.exportable = c.key.exportable;
        f.supplied_path = i.pkcs12;
        break;
      }
    }
    facts[i.name] = f;
  }
  ActualState actual;
  for (const ServerSpec& s : m.servers) actual[s.name] = SetupState(s);
  const Desired desired = Expand(m, facts);
  XCERT_ASSIGN_OR_RETURN(
      Plan plan,
      BuildPlan(desired, actual, Diff(desired, actual, Day(2026, 11, 25)), {}, Day(2026, 11, 25)));
  plan.manifest_path = display;
  return RenderPs1(plan, m);
}

TEST(Ps1PlanGoldenTest, EveryExampleManifest) {
  const fs::path examples = SourceDir() / "examples";
  int rendered = 0;
  for (const auto& entry : fs::directory_iterator(examples)) {
    if (!fs::exists(entry.path() / "xcert.yaml")) continue;
    SCOPED_TRACE(entry.path().string());
    const std::string name = entry.path().filename().string();
    Result<std::string> script = RenderExample(entry.path());
    if (script.ok()) {
      ExpectGolden(name + ".ps1", *script);
    } else {
      ExpectGolden(name + ".error", script.status().message() + "\n");
    }
    ++rendered;
  }
  EXPECT_GE(rendered, 1);
}

// A fleet: two 2019 servers sharing a self-signed certificate, a 2016 server
// with UM and a purchased PKCS#12, a 2013 server with a CA request, prune.
Manifest Fleet() {
  Manifest m;
  m.path = "fleet.yaml";
  m.store = {StoreType::kSnapshot, "./snapshots", {}, Seconds(300)};
  m.backup = {"./backups", {"XCERT_BACKUP_PASSWORD", ""}};
  m.prune = true;
  IssuerSpec self{"self", IssuerType::kSelfSigned, "", "", "", {}, "", "", "", {}};
  IssuerSpec purchased{"purchased-2026", IssuerType::kFile,      "", "", "", {}, "", "",
                       "pki/um.pfx",     {"UM_PFX_PASSWORD", ""}};
  IssuerSpec corp{"corp-req", IssuerType::kRequest, "", "", "", {}, "outbox", "inbox", "", {}};
  m.issuers = {self, purchased, corp};
  m.servers = {{"MailServer21",
                "mailserver21.pocket-consultant.com",
                {Role::kMailbox},
                ExchangeVersion::k2019,
                {}},
               {"MailServer22",
                "mailserver22.pocket-consultant.com",
                {Role::kMailbox},
                ExchangeVersion::k2019,
                {}},
               {"Um16", "um16.pocket-consultant.com", {Role::kMailbox}, ExchangeVersion::k2016, {}},
               {"Legacy13",
                "legacy13.pocket-consultant.com",
                {Role::kMailbox, Role::kClientAccess},
                ExchangeVersion::k2013,
                {}}};
  return m;
}

Step MakeStep(int id, StepKind kind, const std::string& server, const std::string& certificate,
              const std::string& thumbprint, const std::string& summary, int line) {
  Step s;
  s.id = id;
  s.kind = kind;
  s.server = server;
  s.certificate = certificate;
  s.thumbprint = thumbprint;
  s.summary = summary;
  s.where = {"fleet.yaml", line, 5};
  return s;
}

Step Enable(int id, const std::string& server, const std::string& certificate,
            const std::string& thumbprint, ServiceSet services, bool replace,
            const std::string& summary) {
  Step s = MakeStep(id, StepKind::kEnable, server, certificate, thumbprint, summary, 30);
  s.services = services;
  s.replace_default_smtp = replace;
  return s;
}

Plan FleetPlan() {
  Plan p;
  p.created_at = Day(2026, 11, 25);
  p.manifest_path = "fleet.yaml";
  p.manifest_digest = "5f2b0c1e9a";
  Step backup_default =
      MakeStep(1, StepKind::kBackupExport, "MailServer21", "", Thumb("DEF21"),
               "back up 44454632… (Microsoft Exchange) from MailServer21 before it loses IIS "
               "(certificate only)",
               0);
  backup_default.certificate_only = true;
  backup_default.where = {};
  Step backup_old =
      MakeStep(2, StepKind::kBackupExport, "MailServer21", "", Thumb("OLD21"),
               "back up 4F4C4432… (mail 2025) from MailServer21 before it is removed", 0);
  backup_old.where = {};
  Step create = MakeStep(3, StepKind::kCreate, "MailServer21", "mail", "",
                         "create self-signed 'mail' on MailServer21 (RSA 2048, 365d)", 20);
  create.subject = "CN=mail.pocket-consultant.com";
  create.dns_names = {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"};
  create.key = KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true};
  create.validity = Seconds(365LL * 86400);
  create.friendly_name = "mail";
  create.issuer = "self";
  Step exported = MakeStep(4, StepKind::kExport, "MailServer21", "mail", "",
                           "export 'mail' from MailServer21 to copy it to its other servers", 20);
  exported.source_server = "MailServer21";
  Step copy = MakeStep(5, StepKind::kImport, "MailServer22", "mail", "",
                       "import 'mail' on MailServer22 (copied from MailServer21)", 20);
  copy.source = ImportSource::kArtifact;
  copy.source_server = "MailServer21";
  copy.exportable = true;
  copy.friendly_name = "mail";
  copy.depends_on = {4};
  Step purchased = MakeStep(6, StepKind::kImport, "Um16", "um", Thumb("PFX16"),
                            "import 'um' from /srv/xcert/pki/um.pfx on Um16", 40);
  purchased.source = ImportSource::kFile;
  purchased.source_path = "/srv/xcert/pki/um.pfx";
  purchased.issuer = "purchased-2026";
  purchased.friendly_name = "UM 2026";
  Step request = MakeStep(
      7, StepKind::kCreate, "Legacy13", "legacy", "",
      "create a key and certificate request for 'legacy' on Legacy13 (RSA 4096; CSR to the "
      "outbox of corp-req)",
      50);
  request.pending_request = true;
  request.subject = "CN=legacy.pocket-consultant.com, O=Pocket Consultant";
  request.dns_names = {"legacy.pocket-consultant.com"};
  request.key = KeySpec{KeyAlgorithm::kRsa, 4096, EcCurve::kNone, false};
  request.friendly_name = "legacy";
  request.issuer = "corp-req";
  Step complete =
      MakeStep(8, StepKind::kImport, "Legacy13", "owa", Thumb("OWA13"),
               "complete the request of 'owa' on Legacy13 with /srv/xcert/inbox/owa.cer", 60);
  complete.source = ImportSource::kInbox;
  complete.source_path = "/srv/xcert/inbox/owa.cer";
  complete.issuer = "corp-req";
  complete.friendly_name = "owa";
  p.steps = {
      backup_default,
      backup_old,
      create,
      exported,
      copy,
      purchased,
      request,
      complete,
      Enable(9, "MailServer21", "mail", "", ServiceSet{Service::kIis}, false,
             "enable 'mail' for IIS on MailServer21"),
      Enable(10, "MailServer21", "mail", "", ServiceSet{Service::kImap, Service::kPop}, false,
             "enable 'mail' for IMAP, POP on MailServer21"),
      Enable(11, "MailServer21", "mail", "", ServiceSet{Service::kSmtp}, false,
             "enable 'mail' for SMTP on MailServer21"),
      Enable(12, "MailServer22", "mail", "", ServiceSet{Service::kIis}, false,
             "enable 'mail' for IIS on MailServer22"),
      Enable(
          13, "MailServer22", "mail", "", ServiceSet{Service::kImap, Service::kSmtp}, true,
          "enable 'mail' for IMAP, SMTP on MailServer22 (replacing the default SMTP certificate)"),
      Enable(14, "Um16", "um", Thumb("PFX16"), ServiceSet{Service::kUm, Service::kUmCallRouter},
             false, "enable 'um' for UM, UMCallRouter on Um16"),
      Enable(15, "Legacy13", "owa", Thumb("OWA13"), ServiceSet{Service::kIis}, false,
             "enable 'owa' for IIS on Legacy13"),
      MakeStep(16, StepKind::kRemove, "MailServer21", "", Thumb("OLD21"),
               "remove 4F4C4432… (mail 2025) from MailServer21 (superseded by 'mail')", 0)};
  p.steps.back().where = {};
  p.warnings = {
      "backup of 44454632… (Microsoft Exchange) on MailServer21 holds the certificate only: its "
      "private key "
      "is not exportable"};
  p.diff.blocked = {{"Edge01", "Edge01",
                     "the store of Edge01 could not be read completely: Get-TransportService: "
                     "Access is denied; no step touches this server until it reads cleanly"}};
  p.diff.pending = {{"Legacy13", "legacy", "1234", "outbox/legacy@Legacy13.csr", ""}};
  for (const char* server : {"MailServer21", "MailServer22", "Um16", "Legacy13"}) {
    Observation o;
    o.summary["certificate/" + Thumb(std::string("DEF") + server)] =
        "services=IP.WS.. key=non-exportable";
    o.summary["certificate/" + Thumb(std::string("AUTH") + server)] =
        "services=....... key=exportable";
    o.summary["binding/IIS"] = Thumb(std::string("DEF") + server);
    p.observed[server] = o;
  }
  p.observed["MailServer21"].summary["certificate/" + Thumb("OLD21")] =
      "services=....... key=exportable";
  return p;
}

TEST(Ps1PlanGoldenTest, FleetPlanWithEveryStepKind) {
  Result<std::string> script = RenderPs1(FleetPlan(), Fleet());
  ASSERT_TRUE(script.ok()) << script.status().message();
  ExpectGolden("fleet.ps1", *script);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Ps1PlanTest, EveryStepIsGuardedAndTheScriptStopsAtTheFirstError) {
  Result<std::string> script = RenderPs1(FleetPlan(), Fleet());
  ASSERT_TRUE(script.ok()) << script.status().message();
  const std::string& s = *script;
  EXPECT_TRUE(
      s.starts_with("\xEF\xBB\xBF<#\n.SYNOPSIS\n  xcert plan: 16 steps on Legacy13, MailServer21, "
                    "MailServer22, Um16.\n"));
  EXPECT_EQ(Count(s, "\nInvoke-XcertStep '"), 16u + 3u)
      << "16 steps and one IIS reset per server whose IIS moved";
  EXPECT_EQ(Count(s, "& iisreset.exe 'MailServer21' /noforce"), 1u);
  EXPECT_EQ(Count(s, "& iisreset.exe 'MailServer22' /noforce"), 1u);
  EXPECT_EQ(Count(s, "& iisreset.exe 'Legacy13' /noforce"), 1u);
  EXPECT_EQ(Count(s, "iisreset.exe 'Um16'"), 0u);
  // Every step but the in-memory export checks before it acts.
  for (int i = 1; i <= 16; ++i) {
    const size_t begin = s.find("Invoke-XcertStep '" + std::to_string(i) + "/16' ");
    ASSERT_NE(begin, std::string::npos) << i;
    const std::string block = s.substr(begin, s.find("\n}\n", begin) - begin);
    const bool export_step =
        block.find("$Transit['mail'] = Export-ExchangeCertificate") != std::string::npos;
    EXPECT_NE(block.find(export_step ? "-Password $TransitPassword" : "already done"),
              std::string::npos)
        << block;
  }
  EXPECT_NE(s.find("$ErrorActionPreference = 'Stop'"), std::string::npos);
  EXPECT_NE(s.find("    exit 1\n"), std::string::npos);
  EXPECT_EQ(s.find("-FileName"), std::string::npos);
  EXPECT_EQ(s.find("-RequestFile"), std::string::npos);
  EXPECT_EQ(s.find("Federation'"), std::string::npos);
  // Secrets are parameters, never values.
  EXPECT_NE(s.find("[Parameter(Mandatory = $true)] [System.Security.SecureString] $BackupPassword"),
            std::string::npos);
  EXPECT_NE(
      s.find(
          "[Parameter(Mandatory = $true)] [System.Security.SecureString] $Password_purchased_2026"),
      std::string::npos);
  EXPECT_EQ(Count(s, "-AsPlainText"), 1u)
      << "only the random transit password is made in the script";
}

TEST(Ps1PlanTest, BackupsComeFirstWhateverThePlanOrder) {
  Plan p = FleetPlan();
  std::rotate(p.steps.begin(), p.steps.begin() + 2, p.steps.end());
  Result<std::string> script = RenderPs1(p, Fleet());
  ASSERT_TRUE(script.ok()) << script.status().message();
  const size_t first_backup = script->find("Invoke-XcertStep '1/16' 'back up");
  const size_t second_backup = script->find("Invoke-XcertStep '2/16' 'back up");
  const size_t create = script->find("New-ExchangeCertificate -Server");
  ASSERT_NE(first_backup, std::string::npos);
  ASSERT_NE(second_backup, std::string::npos);
  EXPECT_LT(second_backup, create);
}

TEST(Ps1PlanTest, AnEmptyPlanSaysSo) {
  Plan p;
  p.created_at = Day(2026, 11, 25);
  Result<std::string> script = RenderPs1(p, Fleet());
  ASSERT_TRUE(script.ok());
  EXPECT_NE(script->find("    none: the servers match the manifest\n"), std::string::npos);
  EXPECT_NE(script->find("Write-Host 'Nothing to do: the servers match the manifest.'"),
            std::string::npos);
  EXPECT_EQ(script->find("$BackupPassword"), std::string::npos)
      << "no backup, no password to ask for";
}

// An Edge Transport server is outside Active Directory: its steps are marked
// for its own shell, and a copy between it and another server is refused.
TEST(Ps1PlanTest, EdgeStepsRunInTheEdgeServersOwnShell) {
  Manifest m = Fleet();
  m.servers.push_back({"Edge01",
                       "edge01.pocket-consultant.com",
                       {Role::kEdgeTransport},
                       ExchangeVersion::k2019,
                       {}});
  Plan p;
  Step create = MakeStep(1, StepKind::kCreate, "Edge01", "edge", "", "create 'edge' on Edge01", 20);
  create.subject = "CN=edge.pocket-consultant.com";
  create.key = KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, true};
  p.steps = {create,
             Enable(2, "Edge01", "edge", "", ServiceSet{Service::kSmtp}, false,
                    "enable 'edge' for SMTP on Edge01"),
             Enable(3, "MailServer21", "mail", Thumb("M"), ServiceSet{Service::kIis}, false,
                    "enable 'mail' for IIS on MailServer21")};
  Result<std::string> script = RenderPs1(p, m);
  ASSERT_TRUE(script.ok()) << script.status().message();
  EXPECT_NE(script->find("Invoke-XcertStep '1/3' 'create ''edge'' on Edge01' -Edge 'Edge01' {"),
            std::string::npos);
  EXPECT_NE(script->find("Invoke-XcertStep '2/3' 'enable ''edge'' for SMTP on Edge01' -Edge "
                         "'Edge01' {"),
            std::string::npos);
  EXPECT_NE(script->find("Invoke-XcertStep '3/3' 'enable ''mail'' for IIS on MailServer21' {"),
            std::string::npos);
  EXPECT_NE(script->find("$EdgeServers = @('Edge01')"), std::string::npos);
  EXPECT_NE(script->find("Edge01: Exchange 2019 (EdgeTransport); Edge Transport: its steps run "
                         "only when this script runs in its own Exchange Management Shell"),
            std::string::npos);

  Step copy = MakeStep(1, StepKind::kImport, "Edge01", "mail", "", "import 'mail' on Edge01", 21);
  copy.source = ImportSource::kArtifact;
  copy.source_server = "MailServer21";
  p.steps = {copy};
  EXPECT_EQ(RenderPs1(p, m).status().message(),
            "fleet.yaml:21:5: certificate 'mail' would be copied from MailServer21 to Edge01, but "
            "Edge01 is an Edge Transport server, managed only in its own Exchange Management "
            "Shell, and a script keeps the copy in one shell's memory. Apply it with `xcert "
            "apply` through an exchange store, or give the Edge server its own certificate");
}

TEST(Ps1PlanTest, RefusesWhatAScriptCannotDo) {
  Manifest m = Fleet();
  Plan p;
  Step issue = MakeStep(1, StepKind::kIssue, "", "mail", "",
                        "issue 'mail' from corp-ca (RSA 2048, 365d)", 20);
  issue.issuer = "corp-ca";
  p.steps = {issue};
  EXPECT_EQ(RenderPs1(p, m).status().message(),
            "fleet.yaml:20:5: certificate 'mail' comes from the ca issuer 'corp-ca', which xcert "
            "signs during apply; "
            "a reviewed script cannot carry its new private key. Apply it with `xcert apply` "
            "through an exchange "
            "store, or issue it with your CA into a PKCS#12 and declare it with a `file` issuer");

  Step pem = MakeStep(1, StepKind::kImport, "Um16", "um", Thumb("X"), "import 'um'", 40);
  pem.source = ImportSource::kFile;
  pem.issuer = "self";
  p.steps = {pem};
  EXPECT_EQ(RenderPs1(p, m).status().message(),
            "fleet.yaml:40:5: the file issuer 'self' supplies PEM files, but "
            "Import-ExchangeCertificate needs a "
            "PKCS#12: convert it (openssl pkcs12 -export -in cert.pem -inkey key.pem -out um.pfx) "
            "and set the "
            "issuer's pkcs12 and password");

  Step ec = MakeStep(1, StepKind::kCreate, "MailServer21", "mail", "", "create", 20);
  ec.subject = "CN=mail.pocket-consultant.com";
  ec.key = KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, false};
  p.steps = {ec};
  EXPECT_EQ(RenderPs1(p, m).status().message(),
            "fleet.yaml:20:5: xcert plan --format ps1: New certificate "
            "'CN=mail.pocket-consultant.com' on "
            "MailServer21: Exchange creates RSA keys only (New-ExchangeCertificate has no ECDSA); "
            "use key: "
            "{algorithm: RSA, size: 2048}");

  p.steps = {
      Enable(1, "MailServer21", "mail", Thumb("M"), ServiceSet{Service::kUm}, false, "enable UM")};
  p.steps[0].where = {};
  EXPECT_EQ(RenderPs1(p, m).status().message(),
            "cannot enable UM on MailServer21: Unified Messaging does not exist in Exchange 2019 "
            "(only 2013 and 2016)");
}

}  // namespace
}  // namespace xcert::exchange
