// ExchangeStore over a transport: the Store contract suite through the fake
// Exchange Management Shell (fake_ems.cc, which runs the scripts' intent
// against a local store), and what every transport failure looks like.
#include "resources/exchange/exchange_store.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "engine/apply/executor.h"
#include "engine/apply/observe.h"
#include "engine/plan/diff.h"
#include "engine/plan/plan.h"
#include "engine/util/strings.h"
#include "resources/store/backup_dir.h"
#include "resources/store/local_store.h"
#include "resources/store/material.h"
#include "resources/x509/digest.h"
#include "resources/x509/pkcs12.h"
#include "tests/resources/store/store_contract.h"
#include "tests/support/exchange_sim.h"
#include "tests/support/model_fixtures.h"

namespace xcert::exchange {
namespace {

namespace fs = std::filesystem;

using store::LocalStore;
using store::ServerSeed;
using store::testing::Mailbox;
using store::testing::SetupSeed;
using store::testing::StoreContractTest;
using store::testing::StoreFactory;
using store::testing::StoreUnderTest;
using xcert::testing::ReadFileOrDie;
using xcert::testing::TempDir;

constexpr const char* kFakeEms = XCERT_FAKE_EMS;

ServerSpec SpecOf(const ServerIdentity& id) { return {id.name, id.fqdn, id.roles, id.version, {}}; }

// A local store holding `seed`, served by the fake EMS.
struct FakeServer {
  std::shared_ptr<TempDir> dir = std::make_shared<TempDir>();
  ServerSpec spec;

  explicit FakeServer(const ServerSeed& seed) : spec(SpecOf(seed.identity)) {
    EXPECT_TRUE(LocalStore::EnsureRoot(dir->path()).ok());
    Status created = LocalStore::CreateServer(dir->path(), seed);
    EXPECT_TRUE(created.ok()) << created.message();
  }
  std::vector<std::string> Transport(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv = {kFakeEms,
                                     "--store",
                                     dir->path().string(),
                                     "--log",
                                     (dir->path() / "calls.log").string(),
                                     "--starts",
                                     (dir->path() / "starts.log").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::unique_ptr<ExchangeStore> Store(const std::vector<std::string>& extra = {},
                                       Seconds timeout = Seconds(120)) const {
    return std::make_unique<ExchangeStore>(spec, EmsTarget{spec.name, Transport(extra), timeout},
                                           store::DefaultClock());
  }
  std::string Calls() const {
    const fs::path log = dir->path() / "calls.log";
    return fs::exists(log) ? ReadFileOrDie(log) : "";
  }
  // Shells started, as the fake counted them.
  size_t Starts() const {
    const fs::path log = dir->path() / "starts.log";
    if (!fs::exists(log)) return 0;
    const std::string text = ReadFileOrDie(log);
    return size_t(std::count(text.begin(), text.end(), '\n'));
  }
};

INSTANTIATE_TEST_SUITE_P(ExchangeStoreOverFakeEms, StoreContractTest,
                         ::testing::Values(StoreFactory{
                             "FakeEms",
                             [](const ServerSeed& seed) {
                               auto server = std::make_shared<FakeServer>(seed);
                               return StoreUnderTest{server->Store(), server};
                             },
                             nullptr, /*rsa_keys=*/true}),
                         store::testing::StoreFactoryName);

// The server of a seed in a simulated organisation of its own
// (tests/exchange-sim/), holding exactly the seed's certificates (loaded by
// .NET) and bindings, reached as xcert reaches Exchange: PowerShell running
// the real scripts in the server's shell (ems.ps1).
struct SimServerUnderTest {
  TempDir dir;
  std::optional<xcert::testing::SimOrganization> org;
};

// The name POP or IMAP is given for the certificate `thumbprint` of the seed
// (Exchange names it by X509CertificateName): its DNS name equal to the
// server's FQDN, else its first.
std::string NameFor(const ServerSeed& seed, const std::string& thumbprint) {
  for (const store::StoredCertificate& c : seed.certificates) {
    if (x509::Sha1Hex(c.der) != thumbprint) continue;
    Result<CertificateInfo> info = store::DescribeCertificate(c.der, c.key.valid(), &c.meta);
    if (!info.ok() || info->dns_names.empty()) return "";
    for (const std::string& d : info->dns_names) {
      if (EqualsIgnoreCase(d, seed.identity.fqdn)) return d;
    }
    return info->dns_names.front();
  }
  return "";
}

nlohmann::json SimContent(const ServerSeed& seed) {
  EXPECT_TRUE(seed.requests.empty()) << "the simulator is seeded with certificates only";
  nlohmann::json certificates = nlohmann::json::array();
  const Bindings& b = seed.bindings;
  for (const store::StoredCertificate& c : seed.certificates) {
    const std::string thumbprint = x509::Sha1Hex(c.der);
    nlohmann::json item = {
        {"FriendlyName", c.meta.friendly_name},
        {"Exportable", c.meta.exportable},
        {"Smtp", std::find(b.smtp.begin(), b.smtp.end(), thumbprint) != b.smtp.end()}};
    if (c.key.valid()) {
      Result<std::string> pfx =
          x509::WritePkcs12(c.key, c.der, c.chain_der, c.meta.friendly_name, "seed");
      EXPECT_TRUE(pfx.ok()) << pfx.status().message();
      item["Pfx"] = x509::Base64Encode(pfx.ok() ? *pfx : "");
      item["Password"] = "seed";
    } else {
      item["Der"] = x509::Base64Encode(c.der);
    }
    certificates.push_back(item);
  }
  return {{"Certificates", certificates},
          {"Iis", b.iis},
          {"IisBackEnd", b.iis_back_end},
          {"InternalTransport", b.internal_transport},
          {"ImapName", NameFor(seed, b.imap)},
          {"PopName", NameFor(seed, b.pop)},
          {"AuthCertificate", b.auth_current},
          {"TrustedRoots", {x509::Base64Encode(store::testing::Ca().der)}}};
}

StoreUnderTest SimStore(const ServerSeed& seed) {
  auto owner = std::make_shared<SimServerUnderTest>();
  const ServerIdentity& id = seed.identity;
  const bool edge =
      std::find(id.roles.begin(), id.roles.end(), Role::kEdgeTransport) != id.roles.end();
  owner->org.emplace(
      owner->dir.path() / "org", "pocket-consultant.com",
      std::vector<xcert::testing::SimServer>{
          {id.name, edge ? "Edge" : "Mailbox", std::string(VersionName(id.version)), id.fqdn}});
  owner->org->SetCertificates(id.name, SimContent(seed));
  if (id.version == ExchangeVersion::k2013 || id.version == ExchangeVersion::k2016) {
    // Exchange enables UM certificates only for a UM service that takes TLS
    // calls; setup leaves TCP.
    const xcert::testing::RunResult dual =
        owner->org->Shell(id.name,
                          "Set-UMService -Identity " + id.name +
                              " -UMStartupMode Dual; Set-UMCallRouterSettings "
                              "-Server " +
                              id.name + " -UMStartupMode Dual",
                          owner->dir.path());
    EXPECT_EQ(dual.exit_code, 0) << dual.out << dual.err;
  }
  EmsTarget target{id.name, ExpandTransport(owner->org->Transport(), id.name, id.fqdn),
                   Seconds(300)};
  return {std::make_unique<ExchangeStore>(SpecOf(id), target, store::DefaultClock()), owner};
}

INSTANTIATE_TEST_SUITE_P(ExchangeStoreOverSimulator, StoreContractTest,
                         ::testing::Values(StoreFactory{
                             "PwshSimulator", SimStore,
                             xcert::testing::SimOrganization::Unavailable,
                             /*rsa_keys=*/true, /*exchange=*/true}),
                         store::testing::StoreFactoryName);

class ExchangeStoreTest : public ::testing::Test {
 protected:
  FakeServer server_{SetupSeed(Mailbox())};
};

TEST_F(ExchangeStoreTest, ToleratesBannersAroundTheAnswer) {
  Result<ServerState> state = server_.Store({"--fault", "banner"})->List();
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_EQ(state->certificates.size(), 3u);
  EXPECT_TRUE(state->problems.empty());
  EXPECT_FALSE(state->read_only);
}

TEST_F(ExchangeStoreTest, ListReadsTheServerFactsIntoBindings) {
  Result<ServerState> state = server_.Store()->List();
  ASSERT_TRUE(state.ok()) << state.status().message();
  const std::string def =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kDefaultFriendlyName);
  EXPECT_EQ(state->bindings.iis, def);
  EXPECT_EQ(state->bindings.iis_back_end, def);
  EXPECT_EQ(state->bindings.imap, def);
  EXPECT_EQ(state->bindings.pop, def);
  EXPECT_EQ(state->bindings.internal_transport, def);
  EXPECT_EQ(state->bindings.smtp, std::vector<std::string>{def});
  EXPECT_EQ(state->identity.fqdn, "MailServer21.pocket-consultant.com");
  EXPECT_EQ(state->identity.version, ExchangeVersion::k2019);
  EXPECT_EQ(server_.Calls(), "list\n");
}

TEST_F(ExchangeStoreTest, AMutationReusesTheCheckItWasJustGiven) {
  std::unique_ptr<ExchangeStore> s = server_.Store();
  const std::string auth =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kAuthFriendlyName);
  ASSERT_TRUE(s->Get(auth).ok());
  ASSERT_TRUE(s->Enable(auth, ServiceSet{Service::kSmtp}, {}).ok());
  EXPECT_EQ(server_.Calls(), "get\nenable\n") << "Enable's rule check used the Get of a moment ago";
  ASSERT_TRUE(s->Get(auth).ok());
  EXPECT_EQ(server_.Calls(), "get\nenable\nget\n") << "Get always asks the server";
}

TEST_F(ExchangeStoreTest, OneShellServesEveryCallOfTheStore) {
  std::unique_ptr<ExchangeStore> s = server_.Store();
  ASSERT_TRUE(s->List().ok());
  Result<CreateResult> created = s->Create({"CN=owa.pocket-consultant.com",
                                            {"owa.pocket-consultant.com"},
                                            KeySpec{},
                                            Seconds(86400),
                                            "owa",
                                            false});
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(s->Enable(created->certificate.thumbprint, ServiceSet{Service::kIis}, {}).ok());
  ASSERT_TRUE(s->Get(created->certificate.thumbprint).ok());
  EXPECT_EQ(server_.Calls(), "list\ncreate\nenable\nget\n");
  EXPECT_EQ(server_.Starts(), 1u) << "four calls, one shell";
  EXPECT_EQ(s->shells_started(), 1);
  s.reset();
  Result<ServerState> after = server_.Store()->List();
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after->bindings.iis, created->certificate.thumbprint)
      << "what the shell did stayed done after it ended";
}

TEST_F(ExchangeStoreTest, AShellThatEndedIsReplacedAtTheNextCallAndNothingIsRepeated) {
  std::unique_ptr<ExchangeStore> s = server_.Store({"--fault", "exit:1", "--fault-op", "get"});
  ASSERT_TRUE(s->List().ok());
  const std::string def =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kDefaultFriendlyName);
  Result<std::optional<CertificateInfo>> got = s->Get(def);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kUnavailable);
  EXPECT_TRUE(got.status().message().starts_with(
      "MailServer21: the transport exited with code 1 before answering (get.ps1 via `"))
      << got.status().message();
  EXPECT_EQ(server_.Calls(), "list\nget\n") << "the failed call was not repeated";
  ASSERT_TRUE(s->List().ok()) << "the next call started a new shell";
  EXPECT_EQ(server_.Starts(), 2u);
  EXPECT_EQ(s->shells_started(), 2);
}

TEST_F(ExchangeStoreTest, AfterATimeoutTheNextCallHasAFreshShell) {
  std::unique_ptr<ExchangeStore> s =
      server_.Store({"--fault", "sleep:30", "--fault-op", "get"}, Seconds(1));
  const std::string def =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kDefaultFriendlyName);
  EXPECT_EQ(s->Get(def).status().code(), Code::kUnavailable);
  Result<ServerState> state = s->List();
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_EQ(server_.Starts(), 2u);
}

TEST_F(ExchangeStoreTest, RulesRefuseBeforeAnythingChanges) {
  std::unique_ptr<ExchangeStore> s = server_.Store();
  const std::string def =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kDefaultFriendlyName);
  Status st = s->Remove(def);
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  Result<std::string> pfx = s->Export(def, "");
  EXPECT_FALSE(pfx.ok());
  EXPECT_EQ(server_.Calls(), "get\n") << "one read for both checks; remove and export never ran";
}

struct FaultCase {
  std::string fault;
  Code code;
  std::string message;  // the whole message, with <fake> for the transport's command line
};

std::string Expand(std::string text, const std::string& command) {
  const std::string key = "<fake>";
  for (size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + command.size())) {
    text.replace(at, key.size(), command);
  }
  return text;
}

TEST_F(ExchangeStoreTest, EveryTransportFailureNamesTheServerAndWhatToCheck) {
  const std::vector<FaultCase> cases = {
      {"exit:3", Code::kUnavailable,
       "MailServer21: the transport exited with code 3 before answering (list.ps1 via `<fake>`): "
       "fake_ems: "
       "simulated failure. Check the transport command (store.transport or the server's transport) "
       "by running it "
       "by hand."},
      {"ssh-denied", Code::kPermissionDenied,
       "MailServer21: authentication refused: admin@ex01.pocket-consultant.com: Permission denied "
       "(publickey,password). (list.ps1 via `<fake>`); check that the ssh user exists on the "
       "server and that this "
       "machine's key is in its authorized_keys (for administrators: "
       "C:\\ProgramData\\ssh\\administrators_authorized_keys); docs/exchange.md#ssh"},
      {"access-denied", Code::kPermissionDenied,
       "MailServer21: authentication refused: [ex01] Connecting to remote server ex01 failed with "
       "the following "
       "error message : Access is denied. For more information, see the "
       "about_Remote_Troubleshooting Help topic. "
       "(list.ps1 via `<fake>`); the account the transport logs on as needs local administrator "
       "rights on the "
       "server and membership of the Exchange 'Organization Management' role group (or a group "
       "with the 'Exchange "
       "Server Certificates' role); docs/exchange.md#permissions"},
      {"no-result", Code::kUnavailable,
       "MailServer21: the transport answered without an XCERT-RESULT line (list.ps1 via `<fake>`); "
       "its output "
       "ended with: Microsoft Windows [Version 10.0.17763.1] | C:\\Users\\admin>. The command must "
       "run Windows "
       "PowerShell on an Exchange server and read the script from stdin, e.g. [ssh, admin@{fqdn}, "
       "powershell, "
       "-NoProfile, -NonInteractive, -Command, -] (docs/exchange.md)."},
      {"rbac-denied", Code::kPermissionDenied,
       "MailServer21: reading the certificates (Get-ExchangeCertificate) was refused: Access is "
       "denied. The user "
       "isn't assigned to any management roles.; the account the transport logs on as needs local "
       "administrator "
       "rights on the server and membership of the Exchange 'Organization Management' role group "
       "(or a group with "
       "the 'Exchange Server Certificates' role); docs/exchange.md#permissions"},
  };
  for (const FaultCase& c : cases) {
    std::unique_ptr<ExchangeStore> s = server_.Store({"--fault", c.fault});
    Result<ServerState> state = s->List();
    ASSERT_FALSE(state.ok()) << c.fault;
    EXPECT_EQ(state.status().code(), c.code) << c.fault;
    EXPECT_EQ(state.status().message(),
              Expand(c.message, DisplayCommand(server_.Transport({"--fault", c.fault}))))
        << c.fault;
  }
}

TEST_F(ExchangeStoreTest, MalformedAndCutOffAnswersAreDataLoss) {
  Result<ServerState> malformed = server_.Store({"--fault", "malformed"})->List();
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), Code::kDataLoss);
  EXPECT_TRUE(malformed.status().message().starts_with(
      "MailServer21: the answer is not valid JSON (list.ps1 via `"))
      << malformed.status().message();
  Result<ServerState> cut = server_.Store({"--fault", "truncated"})->List();
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), Code::kDataLoss);
  EXPECT_TRUE(
      cut.status().message().starts_with("MailServer21: the answer was cut off (partial output, "))
      << cut.status().message();
  EXPECT_TRUE(
      cut.status().message().ends_with("the connection probably dropped. Run the command again."))
      << "a read changes nothing, so it says nothing about the server's state: "
      << cut.status().message();
}

TEST_F(ExchangeStoreTest, ACutOffChangeSaysItMayHaveHappened) {
  std::unique_ptr<ExchangeStore> s =
      server_.Store({"--fault", "truncated", "--fault-op", "create"});
  Result<CreateResult> created = s->Create({"CN=cut.pocket-consultant.com",
                                            {"cut.pocket-consultant.com"},
                                            KeySpec{},
                                            Seconds(86400),
                                            "cut",
                                            false});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), Code::kDataLoss);
  EXPECT_TRUE(
      created.status().message().ends_with("The change may or may not have happened on the server: "
                                           "run `xcert plan` to see where it stands before "
                                           "applying again."))
      << created.status().message();
  Result<ServerState> after = server_.Store()->List();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->certificates.size(), 4u) << "here it did happen; plan would adopt it";
}

TEST_F(ExchangeStoreTest, ATimeoutStopsTheTransportAndItsChildren) {
  std::unique_ptr<ExchangeStore> s = server_.Store({"--fault", "sleep:30"}, Seconds(1));
  const auto start = std::chrono::steady_clock::now();
  Result<ServerState> state = s->List();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), Code::kUnavailable);
  EXPECT_EQ(state.status().message(),
            "MailServer21: no answer within 1s (list.ps1 via `" +
                DisplayCommand(server_.Transport({"--fault", "sleep:30"})) +
                "`); xcert stopped the command. Check that the server is reachable and that "
                "Exchange Management Shell "
                "starts there; raise store.timeout for a slow server.");
  EXPECT_LT(seconds, 10.0);
}

TEST_F(ExchangeStoreTest, AFailedServerIsBlockedInThePlanAndTheOthersGoOn) {
  ServerSeed other_seed = SetupSeed(Mailbox("MailServer22"));
  FakeServer other(other_seed);
  ExchangeStoreSet set;
  set.Add(server_.Store({"--fault", "ssh-denied"}));
  set.Add(other.Store());
  ActualState actual = Observe(set, {"MailServer21", "MailServer22"}, 2);
  ASSERT_EQ(actual.size(), 2u);
  ASSERT_EQ(actual["MailServer21"].problems.size(), 1u);
  EXPECT_TRUE(
      actual["MailServer21"].problems[0].starts_with("MailServer21: authentication refused: "));
  EXPECT_TRUE(actual["MailServer22"].complete());

  DesiredCertificate mail = xcert::testing::WantMail({"MailServer21", "MailServer22"});
  mail.issuer = "self";
  mail.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  Desired desired = xcert::testing::DesiredOf({mail}, {self});
  DiffResult diff = Diff(desired, actual, xcert::testing::Now());
  Result<Plan> plan = BuildPlan(desired, actual, diff, {}, xcert::testing::Now());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  bool blocked = false;
  for (const Blocked& b : plan->diff.blocked) blocked |= b.server == "MailServer21";
  EXPECT_TRUE(blocked);
  for (const Step& step : plan->steps) EXPECT_NE(step.server, "MailServer21") << step.summary;
}

// plan -> apply -> plan through the fake: the second plan is empty.
TEST_F(ExchangeStoreTest, ApplyThroughTheTransportConverges) {
  ExchangeStoreSet set;
  set.Add(server_.Store());
  DesiredCertificate mail = xcert::testing::WantMail({"MailServer21"});
  mail.issuer = "self";
  mail.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  const Desired desired = xcert::testing::DesiredOf({mail}, {self});
  const TimePoint now = store::testing::Now();
  ActualState actual = Observe(set, {"MailServer21"}, 1);
  Result<Plan> plan = BuildPlan(desired, actual, Diff(desired, actual, now), {}, now);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_GE(plan->steps.size(), 4u);

  TempDir backups;
  store::BackupDir sink(backups.path());
  FixedClock clock(now);
  ApplyContext context;
  context.stores = &set;
  context.backups = &sink;
  context.backup_password = "backup-pw";
  context.clock = &clock;
  const ApplyReport report = Apply(*plan, context, ApplyOptions{2});
  for (const StepOutcome& o : report.outcomes) {
    EXPECT_TRUE(o.status == StepStatus::kDone || o.status == StepStatus::kAlreadyDone)
        << o.step << ": " << o.detail;
  }

  actual = Observe(set, {"MailServer21"}, 1);
  const ServerState& after = actual["MailServer21"];
  ASSERT_TRUE(after.complete()) << ::testing::PrintToString(after.problems);
  const std::string def =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kDefaultFriendlyName);
  EXPECT_NE(after.bindings.iis, def);
  EXPECT_EQ(after.bindings.imap, after.bindings.iis);
  EXPECT_EQ(after.bindings.pop, after.bindings.iis);
  EXPECT_EQ(after.bindings.iis_back_end, def) << ":444 keeps the setup certificate";
  EXPECT_EQ(after.bindings.internal_transport, def)
      << "SMTP was added without replacing the default";
  // The store dates what it creates by the real clock, which moved on.
  const TimePoint later = store::testing::Now();
  const DiffResult again = Diff(desired, actual, later);
  EXPECT_EQ(again.ActionableCount(), 0u);
  for (const Change& c : again.changes) {
    for (const ReasonDetail& r : c.reasons)
      ADD_FAILURE() << c.address << ": " << ReasonName(r.reason) << " " << r.detail;
  }
  Result<Plan> second = BuildPlan(desired, actual, again, {}, later);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->empty());
  EXPECT_TRUE(fs::exists(backups.path() / "MailServer21" / (def + ".crt")))
      << "the default's certificate was saved first";
}

// A transport failure in the middle of apply fails that step with the
// server's name and skips everything that depends on it.
TEST_F(ExchangeStoreTest, ATransportFailureDuringApplyStopsWhatDependsOnIt) {
  ExchangeStoreSet set;
  set.Add(server_.Store({"--fault", "ssh-denied", "--fault-op", "enable"}));
  DesiredCertificate mail = xcert::testing::WantMail({"MailServer21"});
  mail.issuer = "self";
  mail.issuer_type = IssuerType::kSelfSigned;
  mail.key = KeySpec{KeyAlgorithm::kEcdsa, 0, EcCurve::kP256, true};
  IssuerFacts self;
  self.name = "self";
  const Desired desired = xcert::testing::DesiredOf({mail}, {self});
  const TimePoint now = store::testing::Now();
  ActualState actual = Observe(set, {"MailServer21"}, 1);
  Result<Plan> plan = BuildPlan(desired, actual, Diff(desired, actual, now), {}, now);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  TempDir backups;
  store::BackupDir sink(backups.path());
  FixedClock clock(now);
  ApplyContext context;
  context.stores = &set;
  context.backups = &sink;
  context.backup_password = "backup-pw";
  context.clock = &clock;
  const ApplyReport report = Apply(*plan, context, ApplyOptions{2});
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.Count(StepStatus::kFailed), 1u);
  size_t enables = 0;
  for (size_t i = 0; i < plan->steps.size(); ++i) {
    const Step& step = plan->steps[i];
    const StepOutcome& o = report.outcomes[i];
    if (step.kind != StepKind::kEnable) {
      EXPECT_EQ(o.status, StepStatus::kDone) << step.summary << ": " << o.detail;
    } else if (enables++ == 0) {
      EXPECT_EQ(o.status, StepStatus::kFailed) << step.summary;
      EXPECT_TRUE(o.detail.starts_with("MailServer21: authentication refused: ")) << o.detail;
    } else {
      EXPECT_EQ(o.status, StepStatus::kSkipped) << step.summary << ": " << o.detail;
    }
  }
  EXPECT_EQ(enables, 3u);
  const std::string def =
      store::testing::SeedThumbprint(SetupSeed(Mailbox()), store::kDefaultFriendlyName);
  Result<ServerState> after = server_.Store()->List();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->bindings.iis, def) << "nothing moved";
}

TEST(OpenExchangeStoresTest, EveryServerGetsItsTransportWithPlaceholders) {
  Manifest m;
  m.path = "xcert.yaml";
  m.source.set_file("xcert.yaml");
  m.source.Set("/servers/1", 14, 5);
  m.store.type = StoreType::kExchange;
  m.store.transport = {"ssh", "admin@{fqdn}", "powershell", "-Command", "-"};
  m.servers = {{"MailServer21",
                "mail21.pocket-consultant.com",
                {Role::kMailbox},
                ExchangeVersion::k2019,
                {}},
               {"Edge01",
                "edge01.pocket-consultant.com",
                {Role::kEdgeTransport},
                ExchangeVersion::k2019,
                {}}};
  Result<std::unique_ptr<StoreSet>> set = OpenExchangeStores(m, store::DefaultClock());
  ASSERT_TRUE(set.ok()) << set.status().message();
  ASSERT_NE((*set)->Find("MailServer21"), nullptr);
  EXPECT_EQ((*set)->Find("MailServer21")->server(), "MailServer21");
  EXPECT_EQ((*set)->Find("Nope"), nullptr);

  m.store.transport.clear();
  m.servers[0].transport = {"ssh", "{server}"};
  Result<std::unique_ptr<StoreSet>> missing = OpenExchangeStores(m, store::DefaultClock());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "xcert.yaml:14:5: server 'Edge01' has no transport for the exchange store; set "
            "store.transport "
            "(for example [ssh, \"admin@{fqdn}\", powershell, -NoProfile, -NonInteractive, "
            "-Command, -]) or the "
            "server's own transport (docs/exchange.md)");
}

TEST(OpenExchangeStoresTest, AServerTransportOverridesTheStoreTransport) {
  FakeServer a(SetupSeed(Mailbox("MailServer21")));
  FakeServer b(SetupSeed(Mailbox("MailServer22")));
  Manifest m;
  m.store.type = StoreType::kExchange;
  m.store.transport = b.Transport();
  m.servers = {{"MailServer21",
                "MailServer21.pocket-consultant.com",
                {Role::kMailbox},
                ExchangeVersion::k2019,
                a.Transport({"--fault", "exit:7"})},
               {"MailServer22",
                "MailServer22.pocket-consultant.com",
                {Role::kMailbox},
                ExchangeVersion::k2019,
                {}}};
  Result<std::unique_ptr<StoreSet>> set = OpenExchangeStores(m, store::DefaultClock());
  ASSERT_TRUE(set.ok()) << set.status().message();
  Result<ServerState> failing = (*set)->Find("MailServer21")->List();
  ASSERT_FALSE(failing.ok());
  EXPECT_NE(failing.status().message().find("exited with code 7"), std::string::npos);
  Result<ServerState> fine = (*set)->Find("MailServer22")->List();
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(fine->certificates.size(), 3u);
}

}  // namespace
}  // namespace xcert::exchange
