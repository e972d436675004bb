// BuildRestorePlan: from what a journal recorded before a run and what the
// servers hold now, the steps that put the bindings back.
#include "engine/plan/restore.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kRun = "run 2026-12-07T01-02-03Z-42";

struct Fixture {
  ServerState before = MailboxServer("Ex1", "ex1.contoso.com");
  ServerState now;
  std::string def;  // the default certificate, bound to everything before
  std::string fresh = Thumb("NEW");

  Fixture() {
    def = before.bindings.iis;
    now = before;
  }
  // The renewal a run made: a new certificate on IIS, IMAP, POP and SMTP.
  void Renew(bool default_smtp) {
    Put(&now, Cert("NEW", "CN=mail.contoso.com", {"mail.contoso.com"}));
    BindAll(&now, fresh, ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
    if (default_smtp) now.bindings.internal_transport = fresh;
    std::sort(now.bindings.smtp.begin(), now.bindings.smtp.end());
    for (CertificateInfo& c : now.certificates) c.services = now.bindings.ServicesOf(c.thumbprint);
  }
  Plan Build(const std::set<std::string>& servers = {}) {
    Result<Plan> p =
        BuildRestorePlan({{"Ex1", ObservedSummary(before)}}, {{"Ex1", now}}, servers, kRun, Now());
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? *p : Plan{};
  }
};

std::vector<std::string> Kinds(const Plan& p) {
  std::vector<std::string> out;
  for (const Step& s : p.steps) out.emplace_back(StepKindName(s.kind));
  return out;
}

TEST(RestoreTest, NothingChangedMeansNoSteps) {
  Fixture f;
  const Plan p = f.Build();
  EXPECT_TRUE(p.steps.empty());
  EXPECT_TRUE(p.diff.blocked.empty());
  EXPECT_TRUE(p.observed.empty());
}

TEST(RestoreTest, RenewalGoesBackAndTheNewCertificateLeavesSmtp) {
  Fixture f;
  f.Renew(/*default_smtp=*/false);
  const Plan p = f.Build();
  ASSERT_EQ(Kinds(p), (std::vector<std::string>{"backup-export", "enable", "remove"}));
  EXPECT_EQ(p.steps[0].thumbprint, f.fresh);
  EXPECT_THAT(p.steps[0].summary, HasSubstr("before it is removed"));
  EXPECT_EQ(p.steps[1].thumbprint, f.def);
  EXPECT_EQ(p.steps[1].services, (ServiceSet{Service::kIis, Service::kImap, Service::kPop}));
  EXPECT_FALSE(p.steps[1].replace_default_smtp);
  EXPECT_THAT(p.steps[1].summary, HasSubstr(std::string("as before ") + kRun));
  EXPECT_EQ(p.steps[2].thumbprint, f.fresh);
  // Each step after the one before it; the remove also on its backup.
  EXPECT_EQ(p.steps[1].depends_on, std::vector<int>{1});
  EXPECT_THAT(p.steps[2].depends_on, ::testing::Contains(1));
  EXPECT_TRUE(VerifyOrder(p.steps).ok());
  EXPECT_EQ(p.observed.count("Ex1"), 1u);
}

TEST(RestoreTest, DefaultSmtpCertificateIsMadeTheDefaultAgain) {
  Fixture f;
  f.Renew(/*default_smtp=*/true);
  const Plan p = f.Build();
  ASSERT_EQ(Kinds(p), (std::vector<std::string>{"backup-export", "enable", "remove"}));
  EXPECT_TRUE(p.steps[1].services.Has(Service::kSmtp));
  EXPECT_TRUE(p.steps[1].replace_default_smtp);
}

TEST(RestoreTest, RemovedCertificateComesBackFromItsBackup) {
  Fixture f;
  CertificateInfo old = Cert("OLD", "CN=mail.contoso.com", {"mail.contoso.com"});
  Put(&f.before, old);
  f.before.bindings.iis = old.thumbprint;
  for (CertificateInfo& c : f.before.certificates)
    c.services = f.before.bindings.ServicesOf(c.thumbprint);
  // The run replaced OLD on IIS with NEW and pruned OLD.
  f.now = f.before;
  f.now.certificates.erase(
      std::find_if(f.now.certificates.begin(), f.now.certificates.end(),
                   [&](const CertificateInfo& c) { return c.thumbprint == old.thumbprint; }));
  Put(&f.now, Cert("NEW", "CN=mail.contoso.com", {"mail.contoso.com"}));
  f.now.bindings.iis = f.fresh;
  const Plan p = f.Build();
  ASSERT_EQ(Kinds(p), (std::vector<std::string>{"backup-export", "import", "enable"}));
  EXPECT_EQ(p.steps[1].source, ImportSource::kBackup);
  EXPECT_EQ(p.steps[1].thumbprint, old.thumbprint);
  EXPECT_EQ(p.steps[2].thumbprint, old.thumbprint);
  EXPECT_EQ(p.steps[2].services, ServiceSet{Service::kIis});
}

TEST(RestoreTest, GoneCertificateWithoutExportableKeyIsBlockedWithWhatToDo) {
  Fixture f;
  CertificateInfo old = Cert("OLD", "CN=mail.contoso.com", {"mail.contoso.com"});
  old.exportable = false;
  Put(&f.before, old);
  f.before.bindings.iis = old.thumbprint;
  f.now = MailboxServer("Ex1", "ex1.contoso.com");  // OLD gone, IIS on the default again
  const Plan p = f.Build();
  ASSERT_EQ(p.diff.blocked.size(), 1u);
  EXPECT_THAT(p.diff.blocked[0].reason, HasSubstr("could not be exported"));
  EXPECT_THAT(p.diff.blocked[0].reason, HasSubstr("Import-ExchangeCertificate"));
  for (const Step& s : p.steps) EXPECT_NE(s.thumbprint, old.thumbprint);
}

TEST(RestoreTest, ServiceThatHadNoCertificateKeepsItsNewOneWithAWarning) {
  Fixture f;
  f.before.bindings.pop.clear();
  for (CertificateInfo& c : f.before.certificates)
    c.services = f.before.bindings.ServicesOf(c.thumbprint);
  f.Renew(false);
  const Plan p = f.Build();
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_THAT(p.warnings[0], HasSubstr("POP on Ex1 had no certificate before"));
  // NEW keeps POP, so it is not removed.
  EXPECT_EQ(p.CountOf(StepKind::kRemove), 0u);
}

TEST(RestoreTest, UnreadableServerIsBlockedNotGuessed) {
  Fixture f;
  f.Renew(false);
  f.now.problems = {"Get-ExchangeCertificate timed out"};
  const Plan p = f.Build();
  EXPECT_TRUE(p.steps.empty());
  ASSERT_EQ(p.diff.blocked.size(), 1u);
  EXPECT_THAT(p.diff.blocked[0].reason, HasSubstr("could not be read completely"));
}

TEST(RestoreTest, ServerNoLongerInTheManifestIsBlockedSayingSo) {
  Fixture f;
  Result<Plan> p = BuildRestorePlan({{"Ex1", ObservedSummary(f.before)}}, {}, {}, kRun, Now());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->steps.empty());
  ASSERT_EQ(p->diff.blocked.size(), 1u);
  EXPECT_THAT(p->diff.blocked[0].reason, HasSubstr("Ex1 is not in the manifest any more"));
}

TEST(RestoreTest, ServerTheRunDidNotChangeIsAnErrorNamingTheOnesItDid) {
  Fixture f;
  Result<Plan> p = BuildRestorePlan({{"Ex1", ObservedSummary(f.before)}}, {{"Ex1", f.now}}, {"Ex2"},
                                    kRun, Now());
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("did not change 'Ex2'"));
  EXPECT_THAT(p.status().message(), HasSubstr("it changed Ex1"));
}

TEST(RestoreTest, OnlyTheChosenServers) {
  Fixture f;
  f.Renew(false);
  ServerState other = MailboxServer("Ex2", "ex2.contoso.com");
  ServerState other_now = other;
  Put(&other_now, Cert("NEW", "CN=mail.contoso.com", {"mail.contoso.com"}));
  BindAll(&other_now, f.fresh, ServiceSet{Service::kIis});
  Result<Plan> p =
      BuildRestorePlan({{"Ex1", ObservedSummary(f.before)}, {"Ex2", ObservedSummary(other)}},
                       {{"Ex1", f.now}, {"Ex2", other_now}}, {"Ex2"}, kRun, Now());
  ASSERT_TRUE(p.ok());
  ASSERT_FALSE(p->steps.empty());
  for (const Step& s : p->steps) EXPECT_EQ(s.server, "Ex2");
}

}  // namespace
}  // namespace xcert::testing
