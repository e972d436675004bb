#include "engine/plan/plan_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/json_schema.h"
#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;

Plan TwoServerPlan() {
  ServerState a = MailboxServer("MailServer21", "a.pocket-consultant.com");
  Put(&a, SelfSigned(Cert("OLD", "CN=localhost", {"localhost"})));
  ActualState actual{{"MailServer21", a},
                     {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  DesiredCertificate want = WantMail({"MailServer21", "MailServer22"});
  want.issuer = "self";
  want.issuer_type = IssuerType::kSelfSigned;
  IssuerFacts self;
  self.name = "self";
  Desired desired = DesiredOf({want}, {self});
  desired.prune = true;
  Plan p = *BuildPlan(desired, actual, Diff(desired, actual, Now()), {}, Now());
  p.manifest_path = "examples/pocket-consultant/xcert.yaml";
  p.manifest_digest = std::string(64, 'a');
  return p;
}

TEST(PlanJsonTest, OutputMatchesTheDocumentedSchema) {
  const Plan p = TwoServerPlan();
  ASSERT_FALSE(p.steps.empty());
  EXPECT_EQ(SchemaErrors("schemas/plan.schema.json", nlohmann::json::parse(PlanToJsonText(p))), "");
}

TEST(PlanJsonTest, SavedPlanReadsBackWithTheSameSteps) {
  const Plan p = TwoServerPlan();
  Result<Plan> back = PlanFromJsonText(PlanToJsonText(p), "plan.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->steps, p.steps);
  EXPECT_EQ(back->observed, p.observed);
  EXPECT_EQ(back->manifest_digest, p.manifest_digest);
  EXPECT_EQ(back->created_at, p.created_at);
  ASSERT_EQ(back->diff.changes.size(), p.diff.changes.size());
  EXPECT_EQ(back->diff.changes[0].reasons, p.diff.changes[0].reasons);
  EXPECT_EQ(PlanToJson(*back)["steps"], PlanToJson(p)["steps"]);
}

TEST(PlanJsonTest, RejectsNewerFormatsAndBrokenFiles) {
  EXPECT_EQ(
      PlanFromJsonText(R"({"format_version": 7})", "p.json").status().message(),
      "p.json: plan format 7 is newer than this xcert understands (1); upgrade xcert or re-plan");
  EXPECT_THAT(PlanFromJsonText("{not json", "p.json").status().message(),
              ::testing::StartsWith("p.json: not a valid xcert plan: "));
  EXPECT_EQ(
      PlanFromJsonText(R"({"format_version": 1, "steps": [{"id": 1, "kind": "launch"}]})", "p.json")
          .status()
          .message(),
      "p.json: not a valid xcert plan: step 1 has an unknown kind; make a new one with xcert plan "
      "-o");
}

TEST(PlanJsonTest, RejectsStepsOutOfDependencyOrder) {
  const std::string text = R"({"format_version": 1, "steps": [
      {"id": 1, "kind": "enable", "depends_on": [2], "summary": "enable 'mail' for IIS"},
      {"id": 2, "kind": "create", "summary": "create 'mail'"}]})";
  EXPECT_EQ(PlanFromJsonText(text, "p.json").status().message(),
            "p.json: step 1 (enable 'mail' for IIS) comes before step 2, which it depends on");
}

TEST(PlanJsonTest, StaleDifferencesNameWhatChanged) {
  const Plan p = TwoServerPlan();
  ActualState now{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")},
                  {"MailServer22", MailboxServer("MailServer22", "b.pocket-consultant.com")}};
  now["MailServer22"].bindings.iis = Thumb("NEW");
  const std::vector<std::string> diffs = StaleDifferences(p, now);
  EXPECT_THAT(diffs,
              ::testing::ElementsAre("MailServer21: certificate/" + Thumb("OLD") +
                                         " is gone (was services=....... key=exportable)",
                                     "MailServer22: binding/IIS was " + Thumb("DEFMailServer22") +
                                         ", now " + Thumb("NEW")));
}

}  // namespace
}  // namespace xcert
