#include "engine/plan/applied.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::HasSubstr;

TEST(SpecDigest, SameSpecSameDigest) {
  EXPECT_EQ(SpecDigest(WantMail({"A"})), SpecDigest(WantMail({"A", "B"})))
      << "the servers are not part of a certificate's spec";
  EXPECT_EQ(SpecDigest(WantMail({"A"})).size(), 16u);
}

TEST(SpecDigest, EveryFieldTheManifestAsksChangesIt) {
  const std::string base = SpecDigest(WantMail({"A"}));
  std::vector<std::function<void(DesiredCertificate*)>> edits = {
      [](DesiredCertificate* c) { c->subject += ", O=Other"; },
      [](DesiredCertificate* c) { c->dns_names.push_back("owa.example.com"); },
      [](DesiredCertificate* c) { c->key.rsa_bits = 4096; },
      [](DesiredCertificate* c) { c->key.exportable = !c->key.exportable; },
      [](DesiredCertificate* c) { c->issuer = "other-ca"; },
      [](DesiredCertificate* c) { c->validity += Seconds(86400); },
      [](DesiredCertificate* c) { c->renew_before += Seconds(86400); },
      [](DesiredCertificate* c) { c->services = ServiceSet{Service::kIis}; },
      [](DesiredCertificate* c) { c->replace_default_smtp = !c->replace_default_smtp; },
      [](DesiredCertificate* c) { c->friendly_name = "renamed"; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    DesiredCertificate c = WantMail({"A"});
    edits[i](&c);
    EXPECT_NE(SpecDigest(c), base) << "edit " << i;
  }
}

TEST(AppliedRecordJson, RoundTrips) {
  AppliedRecord r{
      "2026-12-07T10-00-00Z-42", "2026-12-07T10:00:00Z", {{"mail", "0123456789abcdef"}}};
  Result<AppliedRecord> back = AppliedRecordFromJson(AppliedRecordToJson(r), "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
}

TEST(AppliedRecordJson, WhatIsNotARecordIsNamedWithWhatToDo) {
  Result<AppliedRecord> r = AppliedRecordFromJson("{", "/s/.xcert/.applied/A.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("/s/.xcert/.applied/A.json: not a record"));
  EXPECT_THAT(r.status().message(), HasSubstr("delete it"));
  r = AppliedRecordFromJson("{\"version\": 9}", "A.json");
  EXPECT_FALSE(r.ok());
}

TEST(AppliedAsAsked, OnlyWhereTheRecordHoldsWhatTheManifestAsksNow) {
  const Desired desired = DesiredOf({WantMail({"A", "B", "C"})}, {CorpCa()});
  const std::string digest = SpecDigest(desired.certificates[0]);
  DesiredCertificate older = desired.certificates[0];
  older.dns_names.pop_back();
  const std::map<std::string, AppliedRecord> records = {
      {"A", {"run1", "", {{"mail", digest}}}},
      {"B", {"run1", "", {{"mail", SpecDigest(older)}}}},  // applied before the manifest changed
  };
  EXPECT_EQ(AppliedAsAsked(desired, records), (std::set<ServerArtifact>{{"A", "mail"}}));
}

}  // namespace
}  // namespace xcert
