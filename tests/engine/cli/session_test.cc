#include "engine/cli/session.h"

#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/store/store_init.h"
#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using xcert::testing::CapturedFile;
using xcert::testing::TempDir;

// Two servers sharing nothing: one SMTP certificate each (perServer).
constexpr const char* kTwoServers = R"(version: 1
organization: {domain: pocket-consultant.com}
store: {type: local, path: ./store}
issuers:
  - {name: self, type: self-signed}
servers:
  - {name: MailServer21, fqdn: ms21.pocket-consultant.com, roles: [Mailbox]}
  - {name: MailServer22, fqdn: ms22.pocket-consultant.com, roles: [Mailbox]}
certificates:
  - name: smtp
    subject: CN={fqdn}
    dnsNames: ["{fqdn}"]
    issuer: self
    perServer: true
    servers: [MailServer21, MailServer22]
    services: [SMTP]
)";

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("XCERT_NOW");
    ::setenv("NO_COLOR", "1", 1);
    dir_.Write("xcert.yaml", kTwoServers);
  }
  void TearDown() override { ::unsetenv("XCERT_NOW"); }

  // What `xcert store init` does for one server.
  // Its FQDN as kTwoServers declares it ("ms21.…" for MailServer21), unless given.
  void Init(const std::string& server, std::string fqdn = "",
            std::vector<Role> roles = {Role::kMailbox}) {
    if (fqdn.empty()) fqdn = "ms" + server.substr(server.size() - 2) + ".pocket-consultant.com";
    store::StoreInitRequest request;
    request.store = dir_.path() / "store";
    request.identity = {server, fqdn, std::move(roles), ExchangeVersion::k2019};
    request.domain = "pocket-consultant.com";
    Result<store::StoreInitResult> r = store::InitServerStore(request, clock_);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  std::string ManifestPath() const { return (dir_.path() / "xcert.yaml").string(); }
  std::optional<Session> Open(const std::string& path) {
    return OpenSession({path, 2}, clock_, output_);
  }

  TempDir dir_;
  FixedClock clock_{*ParseIso8601("2026-11-25T10:00:00Z")};
  CapturedFile out_, err_;
  Output output_{out_.get(), err_.get()};
};

TEST_F(SessionTest, XcertNowFixesTheClock) {
  ::setenv("XCERT_NOW", "2027-11-10T10:00:00Z", 1);
  EXPECT_EQ(MakeClock(output_)->Now(), *ParseIso8601("2027-11-10T10:00:00Z"));
  EXPECT_EQ(err_.Text(), "");
}

TEST_F(SessionTest, XcertNowIsAnnouncedWhenAsked) {
  ::setenv("XCERT_NOW", "2027-11-10T10:00:00Z", 1);
  EXPECT_TRUE(ClockIsFixed());
  ASSERT_NE(MakeClock(output_, ClockNote::kAnnounce), nullptr);
  EXPECT_THAT(err_.Text(),
              ::testing::StartsWith("warning: XCERT_NOW is set: xcert takes the time to be "
                                    "2027-11-10T10:00:00Z (the system clock says "));
  EXPECT_THAT(err_.Text(),
              ::testing::EndsWith("); it is a testing aid, unset it for real servers\n"));
}

TEST_F(SessionTest, ABadXcertNowIsAnErrorNotTheSystemClock) {
  ::setenv("XCERT_NOW", "next tuesday", 1);
  EXPECT_EQ(MakeClock(output_), nullptr);
  EXPECT_EQ(err_.Text(),
            "error: XCERT_NOW: 'next tuesday' is not a UTC time; write YYYY-MM-DDTHH:MM:SSZ or "
            "YYYY-MM-DD; set it to a UTC time like 2027-01-01T00:00:00Z, or unset it to use the "
            "system clock\n");
}

TEST_F(SessionTest, WithoutXcertNowTheSystemClock) {
  EXPECT_FALSE(ClockIsFixed());
  const auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const TimePoint now = MakeClock(output_)->Now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, before + std::chrono::seconds(5));
}

TEST_F(SessionTest, OpensManifestStoresAndIssuers) {
  Init("MailServer21");
  Init("MailServer22");
  std::optional<Session> s = Open(ManifestPath());
  ASSERT_TRUE(s) << err_.Text();
  EXPECT_THAT(err_.Text(), Not(HasSubstr("error")));
  EXPECT_THAT(err_.Text(), Not(HasSubstr("its store says"))) << "the stores are as declared";
  EXPECT_EQ(s->now, clock_.Now());
  EXPECT_EQ(s->manifest.servers.size(), 2u);
  EXPECT_EQ(s->actual.size(), 2u);
  EXPECT_TRUE(s->actual.at("MailServer21").complete());
  EXPECT_FALSE(s->actual.at("MailServer22").certificates.empty());
  ASSERT_EQ(s->desired.certificates.size(), 2u);
  EXPECT_EQ(s->desired.certificates[0].artifact, "smtp@MailServer21");
  EXPECT_EQ(s->desired.certificates[0].subject, "CN=ms21.pocket-consultant.com");
  ASSERT_EQ(s->issuers.facts.count("self"), 1u);
  EXPECT_NE(s->issuers.issuers, nullptr);
  EXPECT_FALSE(s->stores.read_only);
  EXPECT_EQ(s->manifest_digest, *ManifestDigest(ManifestPath()));
  EXPECT_EQ(out_.Text(), "") << "a session prints no results";
}

// A store that is another machine than the manifest says (a copied store
// folder, a transport pointed at the wrong host) is flagged at the manifest's
// line, and the session still opens: the plan shows what differs.
TEST_F(SessionTest, AStoreWithAnotherFqdnOrOtherRolesIsFlaggedAtTheManifestLine) {
  Init("MailServer21", "MS21.Pocket-Consultant.com");  // case does not matter
  Init("MailServer22", "edge01.pocket-consultant.com", {Role::kEdgeTransport});
  std::optional<Session> s = Open(ManifestPath());
  ASSERT_TRUE(s) << err_.Text();
  const std::string err = err_.Text();
  EXPECT_THAT(err, Not(HasSubstr("'MailServer21': its store says")));
  EXPECT_THAT(err,
              HasSubstr("xcert.yaml:8:32: warning: server 'MailServer22': its store says its FQDN "
                        "is 'edge01.pocket-consultant.com', the manifest says "
                        "'ms22.pocket-consultant.com'; correct the manifest, or check that the "
                        "store is the server you mean (store.path, transport)\n"));
  EXPECT_THAT(err, HasSubstr("xcert.yaml:8:67: warning: server 'MailServer22': its store says "
                             "its roles are EdgeTransport, the manifest says Mailbox (the roles "
                             "decide which services can be enabled)"));
}

TEST_F(SessionTest, MissingManifestIsNamed) {
  std::optional<Session> s = Open((dir_.path() / "nope.yaml").string());
  EXPECT_FALSE(s);
  EXPECT_THAT(err_.Text(), HasSubstr((dir_.path() / "nope.yaml").string()));
  EXPECT_THAT(err_.Text(), HasSubstr("error"));
}

TEST_F(SessionTest, InvalidManifestIsReportedAtItsLine) {
  dir_.Write("bad.yaml", std::string(kTwoServers) + "    bogus: 1\n");
  std::optional<Session> s = Open((dir_.path() / "bad.yaml").string());
  EXPECT_FALSE(s);
  EXPECT_THAT(err_.Text(), HasSubstr("bad.yaml:17:5: error:"));
}

TEST_F(SessionTest, AnIssuerThatCannotBeReadStopsTheSession) {
  std::string text = kTwoServers;
  text.replace(text.find("  - {name: self, type: self-signed}\n"), 0,
               "  - {name: corp-ca, type: ca, certificate: ca.pem, key: ca.key}\n");
  dir_.Write("ca.yaml", text);
  Init("MailServer21");
  Init("MailServer22");
  std::optional<Session> s = Open((dir_.path() / "ca.yaml").string());
  EXPECT_FALSE(s);
  EXPECT_THAT(err_.Text(), HasSubstr("ca.yaml:5:"));
  EXPECT_THAT(err_.Text(), HasSubstr("ca.pem"));
}

TEST_F(SessionTest, MakePlanRecordsTheManifestAndHonoursTheServerFilter) {
  Init("MailServer21");
  Init("MailServer22");
  std::optional<Session> s = Open(ManifestPath());
  ASSERT_TRUE(s) << err_.Text();
  Result<Plan> all = MakePlan(*s, {});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->manifest_path, ManifestPath());
  EXPECT_EQ(all->manifest_digest, s->manifest_digest);
  EXPECT_EQ(all->created_at, s->now);
  std::set<std::string> servers;
  for (const Step& step : all->steps) servers.insert(step.server);
  EXPECT_THAT(servers, ElementsAre("MailServer21", "MailServer22"));

  Result<Plan> one = MakePlan(*s, {"MailServer22"});
  ASSERT_TRUE(one.ok());
  ASSERT_FALSE(one->steps.empty());
  for (const Step& step : one->steps) EXPECT_EQ(step.server, "MailServer22") << step.summary;
}

TEST_F(SessionTest, AWritersSessionLocksTheStoresAndCleansThemBeforeReading) {
  Init("MailServer21");
  Init("MailServer22");
  const fs::path trash = dir_.path() / "store/MailServer22/certificates/.trash-999999-7";
  fs::create_directories(trash);
  std::optional<Session> reader = Open(ManifestPath());
  ASSERT_TRUE(reader) << err_.Text();
  EXPECT_FALSE(reader->lock) << "plan and drift do not lock";
  EXPECT_TRUE(fs::exists(trash)) << "nor delete anything";

  std::optional<Session> writer = OpenSession({ManifestPath(), 2, /*lock=*/true}, clock_, output_);
  ASSERT_TRUE(writer) << err_.Text();
  ASSERT_TRUE(writer->lock);
  EXPECT_FALSE(fs::exists(trash));
  EXPECT_EQ(writer->actual.size(), 2u);

  std::optional<Session> second = OpenSession({ManifestPath(), 2, /*lock=*/true}, clock_, output_);
  EXPECT_FALSE(second);
  EXPECT_THAT(err_.Text(),
              HasSubstr("error: the store is locked by pid " + std::to_string(::getpid())));
}

// A forgotten store init is said before anything is read, with the command.
TEST_F(SessionTest, AServerTheLocalStoreLacksIsNamedWithItsStoreInitCommand) {
  Init("MailServer21");
  std::optional<Session> s = Open(ManifestPath());
  EXPECT_FALSE(s);
  EXPECT_THAT(err_.Text(), HasSubstr("has no server MailServer22; create it as the manifest "
                                     "describes it with:\n  xcert store init -f " +
                                     ManifestPath() + "\n"));
}

// A server the store holds but cannot read completely blocks only itself.
TEST_F(SessionTest, AServerThatCannotBeReadIsBlockedNotAnError) {
  Init("MailServer21");
  Init("MailServer22");
  dir_.Write("store/MailServer22/bindings.json", "{");
  std::optional<Session> s = Open(ManifestPath());
  ASSERT_TRUE(s) << err_.Text();
  Result<Plan> plan = MakePlan(*s, {});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->diff.blocked.size(), 1u);
  EXPECT_EQ(plan->diff.blocked[0].server, "MailServer22");
  for (const Step& step : plan->steps) EXPECT_NE(step.server, "MailServer22");
}

}  // namespace
}  // namespace xcert::cli
