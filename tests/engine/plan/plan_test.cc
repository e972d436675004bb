#include "engine/plan/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/plan/plan_json.h"
#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Plan MakePlan(const Desired& desired, const ActualState& actual, PlanOptions options = {}) {
  Result<Plan> p = BuildPlan(desired, actual, Diff(desired, actual, Now()), options, Now());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : Plan{};
}

std::vector<std::string> Kinds(const Plan& p) {
  std::vector<std::string> out;
  for (const Step& s : p.steps) {
    std::string k = std::string(StepKindName(s.kind)) + " " + s.server;
    if (s.kind == StepKind::kEnable) k += " " + s.services.ToString();
    out.push_back(k);
  }
  return out;
}

const Step* StepOf(const Plan& p, StepKind kind, const std::string& server) {
  for (const Step& s : p.steps) {
    if (s.kind == kind && s.server == server) return &s;
  }
  return nullptr;
}

TEST(PlanTest, NewCertificateOnAFreshServer) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")}};
  const Plan p = MakePlan(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), actual);
  EXPECT_THAT(Kinds(p), ElementsAre("backup-export MailServer21", "issue ", "import MailServer21",
                                    "enable MailServer21 IIS", "enable MailServer21 IMAP, POP",
                                    "enable MailServer21 SMTP"));
  EXPECT_EQ(p.steps[0].summary,
            "back up 4445464D… (Microsoft Exchange) from MailServer21 before it loses IIS "
            "(certificate only)");
  EXPECT_TRUE(p.steps[0].certificate_only);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_THAT(p.warnings[0],
              HasSubstr("holds the certificate only: its private key is not exportable"));
  EXPECT_THAT(p.steps[2].depends_on, ElementsAre(1, 2));  // backup, issue
  EXPECT_THAT(p.steps[3].depends_on, ElementsAre(1, 3));  // backup, import
  EXPECT_THAT(p.steps[4].depends_on, ElementsAre(1, 3, 4));
  EXPECT_TRUE(p.observed.count("MailServer21"));
  EXPECT_TRUE(VerifyOrder(p.steps).ok());
}

// The plan says what the certificate will really get, not only what the
// manifest asks: a CA that expires first cuts the validity short, and a store
// that makes self-signed certificates with a fixed validity (Exchange: 5
// years) gives that.
TEST(PlanTest, StepsShowTheValidityTheCertificateWillReallyGet) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")}};
  IssuerFacts short_lived = CorpCa();
  short_lived.ca_not_after = Now() + std::chrono::days(100);
  Plan p = MakePlan(DesiredOf({WantMail({"MailServer21"})}, {short_lived}), actual);
  const Step* issue = StepOf(p, StepKind::kIssue, "");
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->summary,
            "issue 'mail' from corp-ca (RSA 2048, 1y, cut to 100 days: the CA "
            "certificate expires on " +
                FormatIso8601(short_lived.ca_not_after).substr(0, 10) + ")");
  p = MakePlan(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), actual);
  EXPECT_EQ(StepOf(p, StepKind::kIssue, "")->summary, "issue 'mail' from corp-ca (RSA 2048, 1y)")
      << "a CA valid until 2035 does not cut a year short";

  DesiredCertificate want = WantMail({"MailServer21"});
  want.issuer = "self";
  want.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  p = MakePlan(DesiredOf({want}, {self}), actual);
  EXPECT_EQ(StepOf(p, StepKind::kCreate, "MailServer21")->summary,
            "create self-signed 'mail' on MailServer21 (RSA 2048, 1y)");
  actual["MailServer21"].fixed_self_signed_validity = std::chrono::days(5 * 365);
  p = MakePlan(DesiredOf({want}, {self}), actual);
  EXPECT_EQ(StepOf(p, StepKind::kCreate, "MailServer21")->summary,
            "create self-signed 'mail' on MailServer21 (RSA 2048, 5y: the store makes self-signed "
            "certificates for 5y, not the 1y the manifest asks)");
}

TEST(PlanTest, SharedSelfSignedIsExportedBeforeItIsImported) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  DesiredCertificate want = WantMail({"MailServer21", "MailServer22"});
  want.issuer = "self";
  want.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  const Plan p = MakePlan(DesiredOf({want}, {self}), actual);
  const Step* create = StepOf(p, StepKind::kCreate, "MailServer21");
  const Step* exp = StepOf(p, StepKind::kExport, "MailServer21");
  const Step* imp = StepOf(p, StepKind::kImport, "MailServer22");
  ASSERT_TRUE(create && exp && imp);
  EXPECT_LT(create->id, exp->id);
  EXPECT_LT(exp->id, imp->id);
  EXPECT_THAT(exp->depends_on, ElementsAre(create->id));
  EXPECT_THAT(imp->depends_on, ::testing::Contains(exp->id));
  EXPECT_EQ(imp->source, ImportSource::kArtifact);
  // Nothing on MailServer22 is mutated before its own backups.
  const Step* backup22 = StepOf(p, StepKind::kBackupExport, "MailServer22");
  ASSERT_TRUE(backup22);
  EXPECT_THAT(imp->depends_on, ::testing::Contains(backup22->id));
}

TEST(PlanTest, EnablesFollowIisImapPopSmtpOrderAcrossCertificates) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")}};
  DesiredCertificate web = WantMail({"MailServer21"});
  web.name = web.artifact = "web";
  web.subject = "CN=web.pocket-consultant.com";
  web.dns_names = {"web.pocket-consultant.com"};
  web.friendly_name = "web";
  web.services = ServiceSet{Service::kIis};
  DesiredCertificate smtp = WantMail({"MailServer21"});
  smtp.name = smtp.artifact = "smtp";
  smtp.subject = "CN=smtp.pocket-consultant.com";
  smtp.dns_names = {"smtp.pocket-consultant.com"};
  smtp.friendly_name = "smtp";
  smtp.services = ServiceSet{Service::kSmtp, Service::kImap};
  const Plan p = MakePlan(DesiredOf({smtp, web}, {CorpCa()}), actual);
  std::vector<std::string> enables;
  for (const Step& s : p.steps) {
    if (s.kind == StepKind::kEnable) enables.push_back(s.certificate + ":" + s.services.ToString());
  }
  EXPECT_THAT(enables, ElementsAre("web:IIS", "smtp:IMAP", "smtp:SMTP"));
}

TEST(PlanTest, PruneRemovesLastAfterBackup) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&s, SelfSigned(Cert("OLD", "CN=localhost", {"localhost"})));
  Desired desired = DesiredOf({WantMail({"MailServer21"})}, {CorpCa()});
  desired.prune = true;
  const Plan p = MakePlan(desired, {{"MailServer21", s}});
  ASSERT_FALSE(p.steps.empty());
  const Step& last = p.steps.back();
  EXPECT_EQ(last.kind, StepKind::kRemove);
  EXPECT_EQ(last.thumbprint, Thumb("OLD"));
  bool backed_up = false;
  for (int d : last.depends_on) {
    const Step& dep = p.steps[size_t(d - 1)];
    backed_up |= dep.kind == StepKind::kBackupExport && dep.thumbprint == Thumb("OLD");
  }
  EXPECT_TRUE(backed_up);
}

TEST(PlanTest, BlockedServerGetsNoStepsAndItsCopiesAreBlocked) {
  ServerState a = MailboxServer("MailServer21", "a.pocket-consultant.com");
  a.problems = {"damaged"};
  ActualState actual{{"MailServer21", a},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  DesiredCertificate want = WantMail({"MailServer21", "MailServer22"});
  want.issuer = "self";
  want.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  const Plan p = MakePlan(DesiredOf({want}, {self}), actual);
  for (const Step& s : p.steps) EXPECT_NE(s.server, "MailServer21") << s.summary;
  for (const Step& s : p.steps) EXPECT_NE(s.kind, StepKind::kImport) << s.summary;
  ASSERT_EQ(p.diff.blocked.size(), 2u);
  EXPECT_EQ(p.diff.blocked[1].reason,
            "'mail' would be copied from MailServer21, whose store could not be read completely");
}

TEST(PlanTest, ServerFilterOnlyMutatesTheNamedServers) {
  ServerState a = MailboxServer("MailServer21", "a.pocket-consultant.com");
  CertificateInfo mail = Cert("M1", "CN=mail.pocket-consultant.com",
                              {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"});
  Put(&a, mail);
  BindAll(&a, mail.thumbprint, ServiceSet{Service::kIis, Service::kImap, Service::kPop});
  ActualState actual{{"MailServer21", a},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  PlanOptions only22;
  only22.servers = {"MailServer22"};
  const Plan p =
      MakePlan(DesiredOf({WantMail({"MailServer21", "MailServer22"})}, {CorpCa()}), actual, only22);
  for (const Step& s : p.steps) {
    if (s.server == "MailServer21") {
      EXPECT_EQ(s.kind, StepKind::kExport) << s.summary;
    }
  }
  EXPECT_TRUE(StepOf(p, StepKind::kImport, "MailServer22"));
}

TEST(PlanTest, SameInputsGiveByteIdenticalPlans) {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  const Desired desired = DesiredOf({WantMail({"MailServer21", "MailServer22"})}, {CorpCa()});
  const std::string a = PlanToJsonText(MakePlan(desired, actual));
  const std::string b = PlanToJsonText(MakePlan(desired, actual));
  EXPECT_EQ(a, b);
}

TEST(PlanTest, InSyncStoreGivesAnEmptyPlan) {
  ServerState s = MailboxServer("MailServer21", "a.pocket-consultant.com");
  CertificateInfo mail = Cert("M1", "CN=mail.pocket-consultant.com",
                              {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"});
  Put(&s, mail);
  BindAll(&s, mail.thumbprint,
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  const Plan p =
      MakePlan(DesiredOf({WantMail({"MailServer21"})}, {CorpCa()}), {{"MailServer21", s}});
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(p.observed.empty());
}

TEST(PlanTest, VerifyOrderNamesAStepBeforeItsDependency) {
  Step a;
  a.id = 1;
  a.summary = "enable 'mail' for IIS";
  a.depends_on = {2};
  Step b;
  b.id = 2;
  b.summary = "create 'mail'";
  const Status s = VerifyOrder({a, b});
  EXPECT_EQ(s.message(), "step 1 (enable 'mail' for IIS) comes before step 2, which it depends on");
}

}  // namespace
}  // namespace xcert
