// Offline snapshots from the recorded CSS-Exchange fixtures: the projection
// they become, the read-only store over it, and what plan does with
// certificates recorded as RawData only.
#include "resources/exchange/snapshot.h"

#include <gtest/gtest.h>

#include "engine/plan/diff.h"
#include "engine/plan/plan.h"
#include "tests/resources/exchange/exchange_test_util.h"
#include "tests/support/model_fixtures.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using testing::CssExchangeDir;
using xcert::testing::TempDir;

constexpr const char* kHealthChecker =
    "Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/";
constexpr const char* kMonitorAction =
    "Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/";
constexpr const char* kMonitorData =
    "Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/";

const TimePoint kNow = xcert::testing::Day(2024, 5, 1);

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = CssExchangeDir();
    root_ = dir;
  }
  std::string F(const std::string& relative) const { return (root_ / relative).string(); }

  // The HealthChecker lab server WIN-CTD3L0RGEN4: certificates, AuthConfig
  // and the connectors recorded with them.
  SnapshotFiles HealthCheckerLab() const {
    SnapshotFiles f;
    f.certificates = F(std::string(kHealthChecker) + "GetExchangeCertificate.xml");
    f.auth_config = F(std::string(kHealthChecker) + "GetAuthConfig.xml");
    f.receive_connectors = F(std::string(kHealthChecker) + "GetReceiveConnector.xml");
    f.send_connectors = F(std::string(kHealthChecker) + "GetSendConnector.xml");
    return f;
  }

  ServerState Stored(const std::string& server, const Projection& p) {
    EXPECT_TRUE(WriteSnapshot(dir_.path().string(), server, p).ok());
    SnapshotStore store(dir_.path().string(),
                        ServerSpec{server, "", {Role::kMailbox}, ExchangeVersion::k2019, {}});
    Result<ServerState> s = store.List();
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : ServerState{};
  }

  fs::path root_;
  TempDir dir_;
};

TEST_F(SnapshotTest, ARecordedServerBecomesItsStoreWithBindings) {
  SnapshotReport report;
  Result<Projection> p = BuildSnapshot("WIN-CTD3L0RGEN4", HealthCheckerLab(), kNow, &report);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(report.certificates, 4u);
  EXPECT_EQ(report.attributes_unknown, 0u);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_TRUE(report.warnings[0].starts_with("no --internal-transport: "));
  EXPECT_EQ(p->source["ImportedAt"], "2024-05-01T00:00:00Z");
  EXPECT_EQ(p->source["PSComputerName"], "win-ctd3l0rgen4.exlab.dom");

  const ServerState s = Stored("WIN-CTD3L0RGEN4", *p);
  EXPECT_TRUE(s.read_only);
  EXPECT_TRUE(s.problems.empty()) << ::testing::PrintToString(s.problems);
  ASSERT_EQ(s.certificates.size(), 4u);
  const std::string def = "611C687DFC4343A5A03E0005A1EC6E9B6AFF586D";
  const std::string auth = "2D10A746D6BB8D795F1679AEBD89D5D2AE583CB7";
  const std::string localhost = "E267D459A0FB53D0EF225C11FAC062D522648C09";
  EXPECT_EQ(s.bindings.iis, def);
  EXPECT_EQ(s.bindings.iis_back_end, def);
  EXPECT_EQ(s.bindings.imap, def);
  EXPECT_EQ(s.bindings.pop, def);
  EXPECT_TRUE(s.bindings.smtp.empty());
  EXPECT_EQ(s.bindings.auth_current, auth);
  EXPECT_EQ(s.bindings.connector_refs, (std::vector<std::string>{def, localhost}));
  const CertificateInfo* c = s.Find(def);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->services.ToLetters(), "IP.W...");
  EXPECT_EQ(c->friendly_name, "Microsoft Exchange");
  EXPECT_FALSE(c->exportable);
  EXPECT_TRUE(c->has_private_key);
  EXPECT_EQ(c->root_ca_type, RootCaType::kRegistry);
  EXPECT_EQ(c->iis_services, (std::vector<std::string>{"IIS://WIN-CTD3L0RGEN4/W3SVC/1",
                                                       "IIS://WIN-CTD3L0RGEN4/W3SVC/2"}));
  EXPECT_EQ(s.bindings.ProtectionOf(auth), "it is the current Auth (OAuth) certificate");
  EXPECT_EQ(s.bindings.ProtectionOf(localhost), "a connector names it in TlsCertificateName");
}

TEST_F(SnapshotTest, TheSignedVariantWithAuthConfigServerAndTransport) {
  SnapshotFiles f;
  f.certificates =
      F(std::string(kMonitorAction) + "GetExchangeCertifiateWithNewAuthConfigCert.xml");
  f.auth_config = F(std::string(kMonitorData) + "GetAuthConfig.xml");
  f.exchange_server = F(std::string(kMonitorData) + "GetExchangeServer.xml");
  f.internal_transport =
      F(std::string(kMonitorAction) + "GetInternalTransportCertificateFromServer.xml");
  SnapshotReport report;
  Result<Projection> p = BuildSnapshot("E2k16-1", f, kNow, &report);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(report.warnings.empty()) << ::testing::PrintToString(report.warnings);
  const ServerState s = Stored("E2k16-1", *p);
  EXPECT_TRUE(s.problems.empty()) << ::testing::PrintToString(s.problems);
  EXPECT_EQ(s.certificates.size(), 6u);
  EXPECT_EQ(s.bindings.auth_current, "E1BDF9AE58C93C75E76C9DD882138FB8FF0FA786");
  EXPECT_EQ(s.bindings.auth_next, "BC6BF924D6EF046E64F8D1987DC1D7D2F4C0042A");
  EXPECT_EQ(s.bindings.iis, "2759456DC53C76E3DED093B567B6D8DAA42C0ADD");
  EXPECT_EQ(s.bindings.iis_back_end, "D003810EBE1624145889D031FBB77ED2BD280FD3");
  EXPECT_EQ(s.bindings.internal_transport, "D003810EBE1624145889D031FBB77ED2BD280FD3");
  EXPECT_EQ(s.identity.fqdn, "E2k16-1.Contoso.lab");
  EXPECT_EQ(s.identity.version, ExchangeVersion::k2016);
  for (const CertificateInfo& c : s.certificates) EXPECT_TRUE(c.attributes_known) << c.thumbprint;
}

TEST_F(SnapshotTest, RawDataOnlyCertificatesArePresentWithUnknownAttributes) {
  SnapshotFiles f;
  f.certificates = F(std::string(kHealthChecker) + "GetExchangeCertificateBroken.xml");
  SnapshotReport report;
  Result<Projection> p = BuildSnapshot("E2k16-1", f, kNow, &report);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(report.certificates, 5u);
  EXPECT_EQ(report.attributes_unknown, 5u);
  ASSERT_EQ(report.warnings.size(), 3u);
  EXPECT_EQ(report.warnings[0],
            "5 of 5 certificates were recorded with RawData only (their Exchange attributes did "
            "not survive "
            "serialization): plan and drift see them as present with unknown attributes and take "
            "no destructive "
            "step on them; export again from an elevated Exchange Management Shell on the server "
            "to fix it");
  const ServerState s = Stored("E2k16-1", *p);
  ASSERT_EQ(s.certificates.size(), 5u);
  for (const CertificateInfo& c : s.certificates) {
    EXPECT_FALSE(c.attributes_known) << c.thumbprint;
    EXPECT_FALSE(c.subject.empty()) << "RawData still gives the X.509 facts";
  }
}

TEST_F(SnapshotTest, ThePlanTakesNoDestructiveStepOnRawDataOnlyCertificates) {
  SnapshotFiles f;
  f.certificates = F(std::string(kHealthChecker) + "GetExchangeCertificateBroken.xml");
  SnapshotReport report;
  Result<Projection> p = BuildSnapshot("E2k16-1", f, kNow, &report);
  ASSERT_TRUE(p.ok()) << p.status().message();
  const std::string served = "2759456DC53C76E3DED093B567B6D8DAA42C0ADD";  // CN=mail.contoso.lab
  p->web_bindings = std::vector<ProjectedWebBinding>{{"Default Web Site", "*:443:", served, "My"}};
  ActualState actual;
  actual["E2k16-1"] = Stored("E2k16-1", *p);

  DesiredCertificate want = xcert::testing::WantMail({"E2k16-1"});
  want.subject = "CN=owa.contoso.lab";
  want.dns_names = {"owa.contoso.lab"};
  want.issuer = "self";
  want.issuer_type = IssuerType::kSelfSigned;
  want.services = ServiceSet{Service::kIis};
  IssuerFacts self;
  self.name = "self";
  Desired desired = xcert::testing::DesiredOf({want}, {self});
  desired.prune = true;
  DiffResult diff = Diff(desired, actual, kNow);
  Result<Plan> plan = BuildPlan(desired, actual, diff, {}, kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  for (const Step& s : plan->steps) {
    EXPECT_NE(s.kind, StepKind::kRemove) << s.summary;
    EXPECT_NE(s.kind, StepKind::kBackupExport) << s.summary;
    EXPECT_FALSE(s.kind == StepKind::kEnable && s.services.Has(Service::kIis)) << s.summary;
  }
  bool blocked = false;
  for (const Blocked& b : plan->diff.blocked) {
    blocked |=
        b.reason ==
        "2759456D… on E2k16-1 cannot be backed up before it changes: its attributes are unknown "
        "(recorded as RawData only)";
  }
  EXPECT_TRUE(blocked) << ::testing::PrintToString(plan->diff.blocked.size());
  for (const UnmanagedCertificate& u : plan->diff.unmanaged) {
    EXPECT_FALSE(u.remove) << u.certificate.thumbprint;
    EXPECT_NE(u.protection, "") << u.certificate.thumbprint;
  }
}

TEST_F(SnapshotTest, ErrorsNameTheFile) {
  SnapshotReport report;
  SnapshotFiles f;
  f.certificates = F(std::string(kHealthChecker) + "GetAuthConfig.xml");
  Result<Projection> p = BuildSnapshot("EX01", f, kNow, &report);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().message().starts_with(f.certificates + ": object 1: "))
      << p.status().message();

  f.certificates = (root_ / "missing.xml").string();
  EXPECT_TRUE(BuildSnapshot("EX01", f, kNow, &report)
                  .status()
                  .message()
                  .starts_with(f.certificates + ": "));

  f = HealthCheckerLab();
  f.exchange_server = F(std::string(kMonitorData) + "GetExchangeServer.xml");
  EXPECT_EQ(
      BuildSnapshot("EX01", f, kNow, &report).status().message(),
      f.exchange_server + ": no Exchange server named EX01 in it (it has 'E2k16-1', 'E2k16-2')");

  EXPECT_EQ(BuildSnapshot("../etc", f, kNow, &report).status().message(),
            "--server: '../etc' cannot be a file name (no '/', '\\', ':', '.' or '..')");
}

TEST(SnapshotFilesTest, ReadingTellsHowToRecordAndWhatIsDamaged) {
  TempDir dir;
  const std::string d = dir.path().string();
  Result<Projection> missing = ReadSnapshot(d, "EX01");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "no snapshot of EX01 (" + d +
                "/EX01.json); record one with: xcert snapshot import --server EX01 --store " + d +
                " certificates.xml (docs/commands/snapshot.md)");
  dir.Write("EX01.json", "{\"Format\":\"xcert-exchange-projection\",\"Certificates\":5}");
  Result<Projection> damaged = ReadSnapshot(d, "EX01");
  EXPECT_EQ(damaged.status().code(), Code::kDataLoss);
  EXPECT_EQ(damaged.status().message(),
            d + "/EX01.json: Certificates: expected a list of objects; import the snapshot again");
  dir.Write("EX01.json", "{");
  EXPECT_TRUE(
      ReadSnapshot(d, "EX01").status().message().starts_with(d + "/EX01.json: not valid JSON: "));
}

TEST(SnapshotStoreTest, RefusesEveryChange) {
  SnapshotStore s("/nonexistent", ServerSpec{"EX01", "", {}, ExchangeVersion::k2019, {}});
  const std::string expected =
      "EX01: snapshots are read-only; use xcert plan --format ps1 -o plan.ps1 to get the changes "
      "as a script to "
      "review and run on the server";
  EXPECT_EQ(s.Create({}).status().message(), expected);
  EXPECT_EQ(s.Import({}).status().message(), expected);
  EXPECT_EQ(s.Enable("AB", ServiceSet{Service::kIis}, {}).message(), expected);
  EXPECT_EQ(s.Export("AB", "pw").status().message(), expected);
  EXPECT_EQ(s.Remove("AB").message(), expected);
  EXPECT_EQ(s.Remove("AB").code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.List().status().code(), Code::kNotFound);
}

TEST(SnapshotStoreTest, OpenResolvesThePathAgainstTheManifest) {
  TempDir dir;
  Projection p;
  ASSERT_TRUE(WriteSnapshot((dir.path() / "snapshots").string(), "EX01", p).ok());
  Manifest m;
  m.base_dir = dir.path().string();
  m.store = {StoreType::kSnapshot, "snapshots", {}, Seconds(300)};
  m.servers = {{"EX01", "ex01.contoso.com", {Role::kMailbox}, ExchangeVersion::k2016, {}}};
  Result<std::unique_ptr<StoreSet>> set = OpenSnapshotStores(m);
  ASSERT_TRUE(set.ok()) << set.status().message();
  Store* s = (*set)->Find("EX01");
  ASSERT_NE(s, nullptr);
  Result<ServerState> state = s->List();
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_TRUE(state->read_only);
  EXPECT_EQ(state->identity.version, ExchangeVersion::k2016)
      << "from the manifest when the snapshot has no server";
  Result<std::optional<CertificateInfo>> none = s->Get("ab");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  m.store.path = "";
  m.source.set_file("xcert.yaml");
  m.source.Set("/store", 7, 1);
  EXPECT_EQ(OpenSnapshotStores(m).status().message(),
            "xcert.yaml:7:1: a snapshot store needs a path: store: {type: snapshot, path: "
            "./snapshots}");
}

}  // namespace
}  // namespace xcert::exchange
