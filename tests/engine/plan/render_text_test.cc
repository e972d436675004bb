#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/plan/render.h"
#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::HasSubstr;

Plan FreshServerPlan() {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "a.pocket-consultant.com")}};
  const Desired desired = DesiredOf({WantMail({"MailServer21"})}, {CorpCa()});
  return *BuildPlan(desired, actual, Diff(desired, actual, Now()), {}, Now());
}

TEST(RenderTextTest, ShowsChangesReasonsStepsAndSummary) {
  const std::string text = RenderPlanText(FreshServerPlan(), false);
  EXPECT_THAT(
      text,
      HasSubstr("  # MailServer21/certificate/mail will be created\n"
                "  + certificate \"mail\" on MailServer21 (issued by corp-ca)\n"
                "      Missing: no certificate for 'mail' on MailServer21  (xcert.yaml:20:5)\n"));
  EXPECT_THAT(text, HasSubstr("  # MailServer21/binding/IIS will be bound\n"
                              "  ~ IIS on MailServer21: 4445464D… -> new 'mail'\n"));
  EXPECT_THAT(
      text,
      HasSubstr("Steps, in order:\n"
                "  1. back up 4445464D… (Microsoft Exchange) from MailServer21 before it loses "
                "IIS (certificate only)\n"
                "  2. issue 'mail' from corp-ca (RSA 2048, 1y)\n"
                "  3. import 'mail' issued by corp-ca on MailServer21  [after 1, 2]\n"));
  EXPECT_THAT(text, HasSubstr("Warning: backup of 4445464D… (Microsoft Exchange) on MailServer21"));
  EXPECT_THAT(
      text,
      HasSubstr("Plan: 1 to create, 0 to replace, 4 to bind, 0 to remove; 6 steps (1 backup).\n"));
  EXPECT_EQ(text.find("\033["), std::string::npos);
}

TEST(RenderTextTest, ColourOnlyWhenAsked) {
  EXPECT_NE(RenderPlanText(FreshServerPlan(), true).find("\033[32m+\033[0m"), std::string::npos);
}

TEST(RenderTextTest, EmptyPlanSaysNoChanges) {
  Plan p;
  const std::string text = RenderPlanText(p, false);
  EXPECT_THAT(text, HasSubstr("No changes. The certificate stores match the manifest."));
  EXPECT_THAT(
      text,
      HasSubstr("Plan: 0 to create, 0 to replace, 0 to bind, 0 to remove; 0 steps (0 backups)."));
}

}  // namespace
}  // namespace xcert
