#include "engine/cli/applied_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"
#include "tests/support/test_util.h"

namespace xcert::cli {
namespace {

using namespace xcert::testing;
using ::testing::HasSubstr;

Step StepOn(StepKind kind, const std::string& server, const std::string& certificate) {
  Step s;
  s.kind = kind;
  s.server = server;
  s.certificate = certificate;
  return s;
}

Change ChangeOn(const std::string& server, const std::string& certificate) {
  Change c;
  c.server = server;
  c.certificate = certificate;
  c.action = ChangeAction::kCreate;
  return c;
}

ApplyReport Outcomes(std::vector<StepStatus> statuses) {
  ApplyReport r;
  for (size_t i = 0; i < statuses.size(); ++i) r.outcomes.push_back({int(i + 1), statuses[i], ""});
  return r;
}

class AppliedByRunTest : public ::testing::Test {
 protected:
  const Desired desired_ = DesiredOf({WantMail({"A", "B", "C"})}, {CorpCa()});
  const std::vector<std::string> servers_ = {"A", "B", "C"};
};

TEST_F(AppliedByRunTest, ServersWithoutChangesAndWithFinishedStepsAreRecorded) {
  Plan plan;
  plan.diff.changes = {ChangeOn("A", "mail")};
  plan.steps = {StepOn(StepKind::kCreate, "A", "mail"), StepOn(StepKind::kEnable, "A", "mail")};
  EXPECT_EQ(AppliedByRun(desired_, plan, Outcomes({StepStatus::kDone, StepStatus::kAlreadyDone}),
                         {}, servers_),
            (std::set<ServerArtifact>{{"A", "mail"}, {"B", "mail"}, {"C", "mail"}}));
}

TEST_F(AppliedByRunTest, WhatTheRunDidNotFinishIsNotRecorded) {
  Plan plan;
  plan.diff.changes = {ChangeOn("A", "mail"), ChangeOn("B", "mail"), ChangeOn("C", "mail")};
  plan.steps = {StepOn(StepKind::kCreate, "A", "mail"), StepOn(StepKind::kEnable, "A", "mail"),
                StepOn(StepKind::kImport, "B", "mail")};
  // A: its enable failed. B: done. C: a change no step makes (e.g. pending elsewhere).
  EXPECT_EQ(AppliedByRun(desired_, plan,
                         Outcomes({StepStatus::kDone, StepStatus::kFailed, StepStatus::kDone}), {},
                         servers_),
            (std::set<ServerArtifact>{{"B", "mail"}}));
}

TEST_F(AppliedByRunTest, PendingBlockedRolledBackAndOtherShardsAreNotRecorded) {
  Plan plan;
  plan.diff.pending = {{"A", "mail", "", "", ""}};
  plan.diff.blocked = {{"B/certificate/mail", "B", "damaged"}};
  EXPECT_TRUE(AppliedByRun(desired_, plan, {}, {"C"}, servers_).empty());
  EXPECT_EQ(AppliedByRun(desired_, Plan{}, {}, {}, {"B"}),
            (std::set<ServerArtifact>{{"B", "mail"}}));
}

TEST(AppliedRecordsFiles, WrittenReadAndForgotten) {
  TempDir dir;
  const std::string state = (dir.path() / ".xcert").string();
  Desired desired = DesiredOf({WantMail({"A", "B"})}, {CorpCa()});
  ASSERT_TRUE(WriteAppliedRecords(state, desired, {{"A", "mail"}}, "run-1", Now()).ok());
  AppliedRecords read = ReadAppliedRecords(state, {"A", "B"});
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(read.records.at("A").run, "run-1");
  EXPECT_EQ(read.records.at("A").digests.at("mail"), SpecDigest(desired.certificates[0]));
  EXPECT_EQ(AppliedAsAsked(desired, read.records), (std::set<ServerArtifact>{{"A", "mail"}}));
  // The manifest changes; a later run that could not apply it keeps the old digest.
  desired.certificates[0].dns_names.push_back("owa.pocket-consultant.com");
  ASSERT_TRUE(WriteAppliedRecords(state, desired, {{"B", "mail"}}, "run-2", Now()).ok());
  read = ReadAppliedRecords(state, {"A", "B"});
  EXPECT_EQ(read.records.at("A").run, "run-1");
  EXPECT_EQ(AppliedAsAsked(desired, read.records), (std::set<ServerArtifact>{{"B", "mail"}}));
  ASSERT_TRUE(ForgetAppliedRecords(state, {"A"}).ok());
  EXPECT_EQ(ReadAppliedRecords(state, {"A", "B"}).records.size(), 1u);
}

TEST(AppliedRecordsFiles, AnUnreadableRecordIsAWarningNotAnError) {
  TempDir dir;
  dir.Write(".xcert/.applied/A.json", "not json");
  const AppliedRecords read = ReadAppliedRecords((dir.path() / ".xcert").string(), {"A"});
  EXPECT_TRUE(read.records.empty());
  ASSERT_EQ(read.warnings.size(), 1u);
  EXPECT_THAT(read.warnings[0], HasSubstr("A.json: not a record of what xcert applied"));
  EXPECT_THAT(read.warnings[0], HasSubstr("manifest changes"));
}

}  // namespace
}  // namespace xcert::cli
