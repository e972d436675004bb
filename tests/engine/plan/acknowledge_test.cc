#include "engine/plan/acknowledge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Manifest WithAcknowledgements(std::vector<Acknowledgement> acks) {
  Manifest m;
  m.servers = {{"MailServer21"}, {"MailServer22"}, {"MailServer23"}};
  m.acknowledgements = std::move(acks);
  m.source.set_file("xcert.yaml");
  for (size_t i = 0; i < m.acknowledgements.size(); ++i) {
    m.source.Set("/acknowledgements/" + std::to_string(i) + "/address", int(40 + 4 * i), 7);
    m.source.Set("/acknowledgements/" + std::to_string(i) + "/until", int(42 + 4 * i), 12);
  }
  return m;
}

// MailServer21 without the certificate the manifest asks for, and a removal.
DriftReport Drifting() {
  DriftReport r;
  r.in_sync = false;
  DriftItem mail{
      "MailServer21", "mail", {"xcert.yaml", 20, 5}, DriftStatus::kDrift, DriftCategory::kManifest};
  DriftItem ok{"MailServer22", "mail", {"xcert.yaml", 20, 5}, DriftStatus::kInSync};
  r.items = {mail, ok};
  r.removals = {{"MailServer21", Thumb("OLD"), "CN=old"}};
  return r;
}

TEST(AddressMatches, StarMatchesWithinOnePartAndServersIgnoreCase) {
  EXPECT_TRUE(AddressMatches("MailServer21/certificate/mail", "mailserver21/certificate/mail"));
  EXPECT_TRUE(AddressMatches("*/certificate/mail", "EX01/certificate/mail"));
  EXPECT_TRUE(AddressMatches("*/certificate/smtp@*", "EX01/certificate/smtp@EX01"));
  EXPECT_FALSE(AddressMatches("*/certificate/mail", "EX01/certificate/mail2"));
  EXPECT_FALSE(AddressMatches("*", "EX01/certificate/mail")) << "'*' does not cross '/'";
}

TEST(Acknowledge, AcceptedDriftDoesNotFailUntilItsDayHasPassed) {
  const Manifest m = WithAcknowledgements(
      {{"MailServer21/certificate/mail", "vendor renews on 2026-12-10", "2026-12-15", "CHG-1"}});
  DriftReport r = Drifting();
  EXPECT_THAT(Acknowledge(&r, m, {"MailServer21", "MailServer22"}, Now()), IsEmpty());
  ASSERT_TRUE(r.items[0].acknowledged);
  EXPECT_FALSE(r.items[0].acknowledged->expired);
  EXPECT_FALSE(r.items[1].acknowledged) << "in sync: nothing to acknowledge";
  EXPECT_FALSE(HasDriftIn(r, {DriftCategory::kManifest}));
  EXPECT_TRUE(HasDriftIn(r, {DriftCategory::kUnmanaged})) << "the removal is not acknowledged";
  const std::string text = RenderDriftText(r, false);
  EXPECT_THAT(text,
              HasSubstr("acknowledged until 2026-12-15: vendor renews on 2026-12-10 (CHG-1)"));
  const nlohmann::json j = nlohmann::json::parse(RenderDriftJson(r));
  EXPECT_EQ(j["items"][0]["acknowledged"]["until"], "2026-12-15");
  EXPECT_EQ(j["items"][0]["acknowledged"]["expired"], false);
  EXPECT_THAT(RenderDriftJunit(r), HasSubstr("<skipped message=\"acknowledged until 2026-12-15"));
  // The whole last day counts; the day after, it fails with its reason and age.
  DriftReport last = Drifting();
  Acknowledge(&last, m, {"MailServer21"}, Day(2026, 12, 15) + std::chrono::hours(23));
  EXPECT_FALSE(HasDriftIn(last, {DriftCategory::kManifest}));
  DriftReport later = Drifting();
  Acknowledge(&later, m, {"MailServer21"}, Day(2026, 12, 19));
  ASSERT_TRUE(later.items[0].acknowledged);
  EXPECT_TRUE(later.items[0].acknowledged->expired);
  EXPECT_TRUE(HasDriftIn(later, {DriftCategory::kManifest}));
  EXPECT_THAT(RenderDriftText(later, false),
              HasSubstr("acknowledgement expired on 2026-12-15 (4 days ago): vendor renews on "
                        "2026-12-10 (CHG-1)"));
}

TEST(Acknowledge, RemovalsByThumbprintAndDeadAcknowledgementsAreWarned) {
  const Manifest m = WithAcknowledgements({
      {"MailServer21/certificate/" + Thumb("OLD"), "kept for the migration", "2026-12-31", ""},
      {"MailServer22/certificate/mail", "no longer needed", "2026-12-31", "CHG-2"},
      {"EX99/certificate/mail", "a server the manifest does not declare", "2026-12-31", ""},
      {"MailServer23/certificate/mail", "another shard's", "2026-12-31", ""},
  });
  DriftReport r = Drifting();
  const std::vector<std::string> warnings =
      Acknowledge(&r, m, {"MailServer21", "MailServer22"}, Now());
  ASSERT_TRUE(r.removals[0].acknowledged);
  EXPECT_THAT(warnings,
              ElementsAre("xcert.yaml:44:7: the acknowledgement of "
                          "'MailServer22/certificate/mail' (no longer needed (CHG-2)) matches no "
                          "drift; remove it from the manifest",
                          HasSubstr("'EX99/certificate/mail' (a server the manifest does not "
                                    "declare) matches no drift")));
}

TEST(CheckAcknowledgementDates, AtMostNinetyDaysAheadAndADay) {
  const Manifest m = WithAcknowledgements({
      {"A/certificate/mail", "ok", "2027-02-23", ""},       // Now() + 90 days
      {"A/certificate/mail", "too far", "2027-02-24", ""},  // + 91
      {"A/certificate/mail", "not a day", "soon", ""},
  });
  const Diagnostics d = CheckAcknowledgementDates(m, Now());
  ASSERT_EQ(d.items().size(), 2u);
  EXPECT_THAT(d.items()[0].ToString(), HasSubstr("xcert.yaml:46:12"));
  EXPECT_THAT(d.items()[0].ToString(), HasSubstr("until 2027-02-24 is more than 90 days ahead"));
  EXPECT_THAT(d.items()[1].ToString(), HasSubstr("until 'soon' is not a day"));
}

}  // namespace
}  // namespace xcert
