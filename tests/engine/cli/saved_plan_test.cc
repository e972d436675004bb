#include "engine/cli/saved_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/plan/plan_json.h"

namespace xcert::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Manifest OneServer() {
  Manifest m;
  m.path = "xcert.yaml";
  m.servers.push_back({});
  m.servers.back().name = "MailServer21";
  m.issuers.push_back({"self", IssuerType::kSelfSigned});
  CertificateSpec c;
  c.name = "mail";
  m.certificates.push_back(c);
  return m;
}

// A small plan as BuildPlan makes them: back up, create, remove.
Plan SmallPlan() {
  Plan p;
  p.manifest_path = "xcert.yaml";
  p.manifest_digest = std::string(64, 'a');
  Step backup;
  backup.id = 1;
  backup.kind = StepKind::kBackupExport;
  backup.server = "MailServer21";
  backup.thumbprint = std::string(40, 'A');
  backup.summary = "back up AAAA";
  Step create;
  create.id = 2;
  create.kind = StepKind::kCreate;
  create.server = "MailServer21";
  create.certificate = "mail";
  create.issuer = "self";
  create.subject = "CN=mail.example.com";
  create.validity = Seconds(365 * 86400);
  create.depends_on = {1};
  create.summary = "create mail";
  Step remove = backup;
  remove.id = 3;
  remove.kind = StepKind::kRemove;
  remove.depends_on = {1, 2};
  remove.summary = "remove AAAA";
  p.steps = {backup, create, remove};
  return p;
}

TEST(ReadSavedPlanTest, ReadsWhatPlanSaves) {
  const Plan p = SmallPlan();
  Result<Plan> back = ReadSavedPlan(PlanToJsonText(p), "plan.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->steps, p.steps);
}

TEST(ReadSavedPlanTest, NamesTheFieldThatBreaksTheSchemaButNotItsValue) {
  nlohmann::json j = nlohmann::json::parse(PlanToJsonText(SmallPlan()));
  j["steps"][0]["thumbprint"] = "../../../tmp/x";
  Result<Plan> r = ReadSavedPlan(j.dump(), "plan.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("plan.json: not a plan xcert can apply"));
  EXPECT_THAT(r.status().message(), HasSubstr("/steps/0/thumbprint"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("tmp/x")));
  EXPECT_THAT(r.status().message(), HasSubstr("make a new one with xcert plan -o"));

  EXPECT_THAT(ReadSavedPlan("not json", "plan.json").status().message(),
              HasSubstr("plan.json: not a plan xcert can apply: it is not JSON"));
  EXPECT_FALSE(ReadSavedPlan("{}", "plan.json").ok());
}

TEST(CheckSavedStepsTest, AcceptsThePlanTheManifestMakes) {
  EXPECT_TRUE(CheckSavedSteps(SmallPlan(), SmallPlan(), OneServer(), "plan.json").ok());
}

TEST(CheckSavedStepsTest, RefusesWhatTheManifestDoesNotName) {
  const Manifest m = OneServer();
  Plan p = SmallPlan();
  p.steps[1].server = "Elsewhere";
  EXPECT_THAT(CheckSavedSteps(p, SmallPlan(), m, "plan.json").message(),
              HasSubstr("step 2 (create): its server is not a server of xcert.yaml"));
  p = SmallPlan();
  p.steps[1].issuer = "other";
  EXPECT_THAT(CheckSavedSteps(p, SmallPlan(), m, "plan.json").message(),
              HasSubstr("its issuer is not an issuer of xcert.yaml"));
  p = SmallPlan();
  p.steps[1].validity = Seconds(8000LL * 365 * 86400);
  EXPECT_THAT(CheckSavedSteps(p, SmallPlan(), m, "plan.json").message(),
              HasSubstr("validity_seconds is not between 1 second and 100 years"));
  p = SmallPlan();
  p.steps[2].thumbprint = "";
  EXPECT_THAT(CheckSavedSteps(p, SmallPlan(), m, "plan.json").message(),
              HasSubstr("step 3 (remove): it has no thumbprint"));
}

TEST(CheckSavedStepsTest, NamesTheFirstStepAndFieldThatDiffer) {
  Plan p = SmallPlan();
  p.steps[0].thumbprint = std::string(40, 'B');
  p.steps[2].thumbprint = std::string(40, 'B');
  const Status s = CheckSavedSteps(p, SmallPlan(), OneServer(), "plan.json");
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("step 1 (backup-export) differs from what xcert.yaml plans "
                                     "for these stores (field thumbprint; the manifest plans: "
                                     "back up AAAA)"));
  p = SmallPlan();
  p.steps[1].subject = "CN=evil.example.com";
  EXPECT_THAT(CheckSavedSteps(p, SmallPlan(), OneServer(), "plan.json").message(),
              HasSubstr("step 2 (create) differs from what xcert.yaml plans for these stores "
                        "(field subject;"));
  p = SmallPlan();
  p.steps.pop_back();
  EXPECT_THAT(CheckSavedSteps(p, SmallPlan(), OneServer(), "plan.json").message(),
              HasSubstr("it has 2 steps, but xcert.yaml plans 3 for these stores"));
  p = SmallPlan();
  p.steps[1].where.file = "./xcert.yaml";
  EXPECT_TRUE(CheckSavedSteps(p, SmallPlan(), OneServer(), "plan.json").ok())
      << "the same manifest under another name";
}

TEST(IsSavedPlanTextTest, KnowsJsonPlansAndPlanScripts) {
  EXPECT_TRUE(IsSavedPlanText(PlanToJsonText(SmallPlan())));
  EXPECT_TRUE(IsSavedPlanText("\xEF\xBB\xBF<#\n.SYNOPSIS\n  xcert plan: 3 steps on X.\n"));
  EXPECT_FALSE(IsSavedPlanText("version: 1\nservers: []\n"));
  EXPECT_FALSE(IsSavedPlanText("{\"steps\": []}"));
  EXPECT_FALSE(IsSavedPlanText(""));
}

}  // namespace
}  // namespace xcert::cli
