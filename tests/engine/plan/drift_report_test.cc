#include "engine/plan/drift_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kServer = "MailServer21";
constexpr const char* kFqdn = "mailserver21.pocket-consultant.com";

// MailServer21 holding a certificate that satisfies WantMail, bound to its services.
ActualState InSyncServer(TimePoint not_after = Day(2027, 6, 1)) {
  ServerState s = MailboxServer(kServer, kFqdn);
  CertificateInfo mail = Cert("MAIL", "CN=mail.pocket-consultant.com",
                              {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"});
  mail.not_after = not_after;
  Put(&s, mail);
  BindAll(&s, mail.thumbprint,
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  return {{kServer, s}};
}

DiffResult DiffOf(const ActualState& actual, std::vector<std::string> servers = {kServer}) {
  const Desired desired = DesiredOf({WantMail(servers)}, {CorpCa()});
  return Diff(desired, actual, Now());
}

// A request issuer and a request pending on MailServer21 that the CA has not answered.
DiffResult PendingDiff() {
  DesiredCertificate want = WantMail({kServer});
  want.issuer = "corp-req";
  want.issuer_type = IssuerType::kRequest;
  IssuerFacts req;
  req.name = "corp-req";
  req.type = IssuerType::kRequest;
  req.outbox = "/srv/outbox";
  ServerState s = MailboxServer(kServer, kFqdn);
  CertificateInfo pending = Cert("REQ", want.subject, want.dns_names);
  pending.pending_request = true;
  pending.has_private_key = true;
  pending.status = CertStatus::kPendingRequest;
  Put(&s, pending);
  return Diff(DesiredOf({want}, {req}), {{kServer, s}}, Now());
}

DiffResult BlockedDiff() {
  ActualState actual = InSyncServer();
  actual[kServer].problems.push_back("/store/MailServer21/bindings.json: damaged");
  return DiffOf(actual);
}

TEST(DriftItemsTest, OneItemPerCertificateAndServerWithItsStatus) {
  const DiffResult diff = DiffOf(InSyncServer());
  std::vector<DriftItem> items = DriftItems(diff);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].server, kServer);
  EXPECT_EQ(items[0].certificate, "mail");
  EXPECT_EQ(items[0].status, DriftStatus::kInSync);
  EXPECT_TRUE(items[0].reasons.empty());
  EXPECT_EQ(items[0].where.ToString(), "xcert.yaml:20:5");

  ActualState two = InSyncServer();
  two.emplace("MailServer22", MailboxServer("MailServer22", "ms22.pocket-consultant.com"));
  items = DriftItems(DiffOf(two, {kServer, "MailServer22"}));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].server, "MailServer22");
  EXPECT_EQ(items[1].status, DriftStatus::kDrift) << "the shared certificate's copy is missing";
  EXPECT_EQ(items[0].status, DriftStatus::kInSync)
      << "MailServer21 holds it as declared; only exporting it from there is a step";
}

TEST(DriftItemsTest, StatusNames) {
  EXPECT_EQ(DriftStatusName(DriftStatus::kInSync), "in-sync");
  EXPECT_EQ(DriftStatusName(DriftStatus::kDrift), "drift");
  EXPECT_EQ(DriftStatusName(DriftStatus::kPending), "pending");
  EXPECT_EQ(DriftStatusName(DriftStatus::kBlocked), "blocked");
}

TEST(DriftTextTest, InSync) {
  const DiffResult diff = DiffOf(InSyncServer());
  EXPECT_FALSE(diff.HasDrift());
  EXPECT_EQ(RenderDriftText(diff, false),
            "  ok      MailServer21/certificate/mail\n"
            "\n"
            "In sync: 1 certificate matches the manifest.\n");
}

TEST(DriftTextTest, CountsAgreeWithTheirNounsAndVerbs) {
  ActualState two = InSyncServer();
  two.emplace("MailServer22", MailboxServer("MailServer22", "ms22.pocket-consultant.com"));
  EXPECT_THAT(RenderDriftText(DiffOf(two, {kServer, "MailServer22"}), false),
              HasSubstr("Drift: 1 of 2 certificates differs from the manifest;"));
  ActualState none = {
      {kServer, MailboxServer(kServer, kFqdn)},
      {"MailServer22", MailboxServer("MailServer22", "ms22.pocket-consultant.com")}};
  EXPECT_THAT(RenderDriftText(DiffOf(none, {kServer, "MailServer22"}), false),
              HasSubstr("Drift: 2 of 2 certificates differ from the manifest;"));
  ActualState synced = InSyncServer();
  synced.emplace("MailServer22", InSyncServer().at(kServer));
  synced.at("MailServer22").identity.name = "MailServer22";
  const DiffResult in_sync = DiffOf(synced, {kServer, "MailServer22"});
  ASSERT_FALSE(in_sync.HasDrift()) << RenderDriftText(in_sync, false);
  EXPECT_THAT(RenderDriftText(in_sync, false),
              HasSubstr("In sync: 2 certificates match the manifest.\n"));
}

TEST(DriftTextTest, MissingCertificateIsDriftWithTheManifestLine) {
  const DiffResult diff = DiffOf({{kServer, MailboxServer(kServer, kFqdn)}});
  EXPECT_TRUE(diff.HasDrift());
  const std::string text = RenderDriftText(diff, false);
  EXPECT_THAT(text, HasSubstr("  drift   MailServer21/certificate/mail  [manifest changed]\n"
                              "            Missing: no certificate for 'mail' on MailServer21 "
                              "(xcert.yaml:20:5)\n"));
  EXPECT_THAT(text, HasSubstr("Drift: 1 of 1 certificate differs from the manifest; run xcert "
                              "plan to see the steps.\n"));
  EXPECT_EQ(text.find("\033["), std::string::npos);
}

TEST(DriftTextTest, RenewalDueSaysWhenAndHowManyDaysAreLeft) {
  const DiffResult diff = DiffOf(InSyncServer(Day(2026, 12, 10)));
  const std::string text = RenderDriftText(diff, false);
  EXPECT_THAT(text, HasSubstr("  drift   MailServer21/certificate/mail  [due]\n"));
  EXPECT_THAT(text, HasSubstr("RenewalDue: expires on 2026-12-10 (15 days left, renewBefore 30d)"));
}

TEST(DriftItemsTest, OneServiceThatFollowsAReplacementMovesInTheSingular) {
  const Desired desired = [] {
    DesiredCertificate want = WantMail({kServer});
    want.services = ServiceSet{Service::kSmtp};
    return DesiredOf({want}, {CorpCa()});
  }();
  const DiffResult diff = Diff(desired, InSyncServer(Day(2026, 12, 10)), Now());
  std::vector<std::string> lines;
  for (const DriftItem& item : DriftItems(diff)) {
    for (const ReasonDetail& r : item.reasons) lines.push_back(r.detail);
  }
  EXPECT_THAT(lines, ::testing::Contains("then SMTP moves to the new 'mail'"))
      << ::testing::PrintToString(lines);
}

TEST(DriftItemsTest, BindingsThatFollowAReplacementAreOneLine) {
  const std::vector<DriftItem> items = DriftItems(DiffOf(InSyncServer(Day(2026, 12, 10))));
  ASSERT_EQ(items.size(), 1u);
  std::vector<std::string> lines;
  for (const ReasonDetail& r : items[0].reasons) lines.push_back(r.detail);
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines[0], HasSubstr("expires on 2026-12-10"));
  EXPECT_EQ(lines[1], "then IMAP, POP, IIS, SMTP move to the new 'mail'");
  EXPECT_EQ(items[0].reasons[1].reason, Reason::kBindingMismatch);
}

TEST(DriftItemsTest, ABindingThatMovedAwayIsItsOwnReason) {
  ActualState actual = InSyncServer();
  ServerState& s = actual[kServer];
  CertificateInfo other =
      Cert("OTHER", "CN=other.pocket-consultant.com", {"other.pocket-consultant.com"});
  Put(&s, other);
  s.bindings.iis = other.thumbprint;
  const std::vector<DriftItem> items = DriftItems(DiffOf(actual));
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].reasons.size(), 1u);
  EXPECT_EQ(items[0].reasons[0].reason, Reason::kBindingMismatch);
  EXPECT_THAT(items[0].reasons[0].detail, HasSubstr("IIS is served by"));
}

TEST(DriftTextTest, ColourOnlyWhenAsked) {
  const DiffResult diff = DiffOf({{kServer, MailboxServer(kServer, kFqdn)}});
  EXPECT_THAT(RenderDriftText(diff, true), HasSubstr("\033[31mdrift  \033[0m"));
  EXPECT_THAT(RenderDriftText(DiffOf(InSyncServer()), true), HasSubstr("\033[32mok     \033[0m"));
}

TEST(DriftTextTest, PendingRequestSaysWhatToSubmit) {
  const DiffResult diff = PendingDiff();
  EXPECT_TRUE(diff.HasDrift()) << "a pending request is drift";
  const std::vector<DriftItem> items = DriftItems(diff);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].status, DriftStatus::kPending);
  EXPECT_EQ(items[0].detail, "submit /srv/outbox/mail@MailServer21.csr to the CA");
  const std::string text = RenderDriftText(diff, false);
  EXPECT_THAT(text, HasSubstr("  pending MailServer21/certificate/mail  [manifest changed]\n"));
  EXPECT_THAT(text, HasSubstr("Pending: submit /srv/outbox/mail@MailServer21.csr to the CA"));
  EXPECT_THAT(text, HasSubstr("Drift: 1 of 1 certificate differs"));
}

TEST(DriftTextTest, BlockedServerSaysWhyAndNotReasons) {
  const DiffResult diff = BlockedDiff();
  const std::vector<DriftItem> items = DriftItems(diff);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].status, DriftStatus::kBlocked);
  const std::string text = RenderDriftText(diff, false);
  EXPECT_THAT(text,
              HasSubstr("  blocked MailServer21/certificate/mail: the store of MailServer21 could "
                        "not be read completely: /store/MailServer21/bindings.json: damaged; no "
                        "step touches this server until it reads cleanly\n"));
  // Not "drift": nothing is known to differ, and plan cannot help either.
  EXPECT_THAT(text, ::testing::EndsWith("\n1 of 1 certificate could not be checked (its store "
                                        "could not be read).\n"));
  EXPECT_THAT(RenderDriftMarkdown(diff),
              HasSubstr("❌ 1 of 1 certificate could not be checked (its store could not be "
                        "read).\n"));
}

TEST(DriftJsonTest, InSyncDocument) {
  const nlohmann::json j =
      nlohmann::json::parse(RenderDriftJson(DiffOf(InSyncServer()), Day(2026, 11, 25)));
  EXPECT_EQ(j["checked_at"], "2026-11-25T00:00:00Z");
  EXPECT_EQ(j["in_sync"], true);
  EXPECT_EQ(j["total"], 1);
  EXPECT_EQ(j["differing"], 0);
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["server"], kServer);
  EXPECT_EQ(j["items"][0]["certificate"], "mail");
  EXPECT_EQ(j["items"][0]["status"], "in-sync");
  EXPECT_TRUE(j["items"][0]["reasons"].empty());
  EXPECT_TRUE(j["items"][0].contains("location"));
  EXPECT_TRUE(j["changes"].empty());
}

TEST(DriftJsonTest, DriftDocumentListsReasonsAndChanges) {
  const DiffResult diff = DiffOf({{kServer, MailboxServer(kServer, kFqdn)}});
  const nlohmann::json j = nlohmann::json::parse(RenderDriftJson(diff, Now()));
  EXPECT_EQ(j["in_sync"], false);
  EXPECT_EQ(j["differing"], 1);
  EXPECT_EQ(j["items"][0]["status"], "drift");
  ASSERT_FALSE(j["items"][0]["reasons"].empty());
  EXPECT_EQ(j["items"][0]["reasons"][0]["reason"], "Missing");
  EXPECT_EQ(j["changes"].size(), diff.changes.size());
  EXPECT_EQ(j["changes"][0]["address"], "MailServer21/certificate/mail");
}

TEST(DriftJsonTest, PendingAndBlockedStatuses) {
  nlohmann::json j = nlohmann::json::parse(RenderDriftJson(PendingDiff(), Now()));
  EXPECT_EQ(j["in_sync"], false);
  EXPECT_EQ(j["items"][0]["status"], "pending");
  EXPECT_EQ(j["items"][0]["detail"], "submit /srv/outbox/mail@MailServer21.csr to the CA");
  j = nlohmann::json::parse(RenderDriftJson(BlockedDiff(), Now()));
  EXPECT_EQ(j["in_sync"], false);
  EXPECT_EQ(j["items"][0]["status"], "blocked");
  EXPECT_THAT(j["items"][0]["detail"].get<std::string>(), HasSubstr("bindings.json: damaged"));
}

TEST(DriftMarkdownTest, InSyncIsOneLine) {
  EXPECT_EQ(RenderDriftMarkdown(DiffOf(InSyncServer())),
            "### xcert drift\n\n✅ In sync: 1 certificate matches the manifest.\n");
}

TEST(DriftMarkdownTest, DriftIsATableOfWhatDiffers) {
  const std::string md = RenderDriftMarkdown(DiffOf({{kServer, MailboxServer(kServer, kFqdn)}}));
  EXPECT_THAT(md, HasSubstr("❌ 1 of 1 certificate differs from the manifest.\n"));
  EXPECT_THAT(
      md,
      HasSubstr("| Server | Certificate | Status | Category | Reasons |\n|---|---|---|---|---|\n"));
  EXPECT_THAT(
      md,
      HasSubstr(
          "| MailServer21 | mail | drift | manifest changed | Missing: no certificate for 'mail' "
          "on MailServer21 (xcert.yaml:20:5)"));
}

// Each reason once: the pending request's instruction is not repeated.
TEST(DriftMarkdownTest, PendingInstructionAppearsOnce) {
  const std::string md = RenderDriftMarkdown(PendingDiff());
  const std::string submit = "submit /srv/outbox/mail@MailServer21.csr to the CA";
  const size_t first = md.find(submit);
  ASSERT_NE(first, std::string::npos) << md;
  EXPECT_EQ(md.find(submit, first + 1), std::string::npos) << md;
}

TEST(DriftMarkdownTest, TableCellsCannotBreakTheTable) {
  DiffResult diff;
  diff.checked.push_back({kServer, "mail", {"xcert.yaml", 3, 1}});
  Change c;
  c.server = kServer;
  c.certificate = "mail";
  c.action = ChangeAction::kReplace;
  c.reasons = {{Reason::kNamesMismatch, "missing a|b.example.com", {}}};
  diff.changes.push_back(c);
  const std::string md = RenderDriftMarkdown(diff);
  const std::string row = md.substr(md.rfind("\n| MailServer21"));
  EXPECT_EQ(std::count(row.begin(), row.end(), '|'), 6) << row;
}

// Every <testcase> element is closed and every count adds up.
TEST(DriftJunitTest, InSyncIsAPassingSuitePerServer) {
  const std::string xml = RenderDriftJunit(DiffOf(InSyncServer()));
  EXPECT_EQ(
      xml,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"xcert drift\" tests=\"1\" failures=\"0\">\n"
      "  <testsuite name=\"MailServer21\" tests=\"1\" failures=\"0\">\n"
      "    <testcase classname=\"MailServer21\" name=\"certificate/mail\" file=\"xcert.yaml\" "
      "line=\"20\"/>\n"
      "  </testsuite>\n"
      "</testsuites>\n");
}

TEST(DriftJunitTest, DriftIsAFailureWithTheHeadlineAsMessage) {
  const std::string xml = RenderDriftJunit(DiffOf({{kServer, MailboxServer(kServer, kFqdn)}}));
  EXPECT_THAT(xml, HasSubstr("tests=\"1\" failures=\"1\""));
  EXPECT_THAT(
      xml,
      HasSubstr("<failure type=\"drift\" message=\"[manifest changed] Missing: no certificate for "
                "&apos;mail&apos; on MailServer21 (xcert.yaml:20:5)\">"));
  EXPECT_THAT(xml, HasSubstr("</failure>\n    </testcase>\n"));
}

TEST(DriftJunitTest, PendingAndBlockedAreFailuresThatSayWhy) {
  std::string xml = RenderDriftJunit(PendingDiff());
  EXPECT_THAT(xml, HasSubstr("<failure type=\"pending\""));
  const std::string submit = "submit /srv/outbox/mail@MailServer21.csr to the CA";
  const size_t first = xml.find(submit);
  ASSERT_NE(first, std::string::npos) << xml;
  // Once in the message attribute, once in the body: not twice in the body.
  const size_t body = xml.find("\">", xml.find("<failure"));
  EXPECT_EQ(xml.find(submit, xml.find(submit, body) + 1), std::string::npos) << xml;

  xml = RenderDriftJunit(BlockedDiff());
  EXPECT_THAT(xml, HasSubstr("<failure type=\"blocked\" message=\"the store of MailServer21 could "
                             "not be read completely"));
}

TEST(DriftJunitTest, SpecialCharactersAreEscaped) {
  DiffResult diff;
  diff.checked.push_back({"S&<1>", "mail", {"x\"y.yaml", 3, 1}});
  diff.blocked.push_back({"S&<1>", "S&<1>", "can't read \"store\""});
  const std::string xml = RenderDriftJunit(diff);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"S&amp;&lt;1&gt;\""));
  EXPECT_THAT(xml, HasSubstr("file=\"x&quot;y.yaml\""));
  EXPECT_THAT(xml, HasSubstr("message=\"can&apos;t read &quot;store&quot;\""));
  EXPECT_THAT(xml, Not(HasSubstr("S&<1>")));
}

// In sync, but prune: true would remove a certificate the manifest does not
// describe: that is drift (exit 2), and every format must say why.
DiffResult PruneDiff() {
  DiffResult diff = DiffOf(InSyncServer());
  UnmanagedCertificate old;
  old.server = kServer;
  old.certificate = Cert("OLD", "CN=old.pocket-consultant.com", {});
  old.remove = true;
  diff.unmanaged.push_back(old);
  return diff;
}

TEST(DriftPruneTest, EveryFormatExplainsTheDrift) {
  const DiffResult diff = PruneDiff();
  ASSERT_TRUE(diff.HasDrift());
  const std::string text = RenderDriftText(diff, false);
  EXPECT_THAT(text, HasSubstr("  prune   MailServer21/certificate/" + Thumb("OLD") +
                              " would be removed  [unmanaged]\n"));
  EXPECT_THAT(text, HasSubstr("Drift: 0 of 1 certificate differ from the manifest, and 1 "
                              "certificate it does not describe would be removed (prune: true); "
                              "run xcert plan to see the steps.\n"));

  const std::string md = RenderDriftMarkdown(diff);
  EXPECT_THAT(md, HasSubstr("❌ 0 of 1 certificate differ from the manifest, and 1 certificate "
                            "it does not describe would be removed (prune: true).\n"));
  EXPECT_THAT(
      md, HasSubstr("| MailServer21 | `" + Thumb("OLD") +
                    "` CN=old.pocket-consultant.com | prune | unmanaged | the manifest does not "
                    "describe it; apply removes it (prune: true) |\n"));

  const nlohmann::json j = nlohmann::json::parse(RenderDriftJson(diff, Now()));
  EXPECT_EQ(j["in_sync"], false);
  EXPECT_EQ(j["differing"], 0);
  ASSERT_EQ(j["removals"].size(), 1u);
  EXPECT_EQ(j["removals"][0]["server"], kServer);
  EXPECT_EQ(j["removals"][0]["thumbprint"], Thumb("OLD"));

  // A dashboard must not be all green when the job fails with exit 2.
  const std::string xml = RenderDriftJunit(diff);
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"xcert drift\" tests=\"2\" failures=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"MailServer21\" tests=\"2\" failures=\"1\">"));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"MailServer21\" name=\"unmanaged/" +
                             Thumb("OLD") + "\">\n      <failure type=\"prune\""));
}

TEST(DriftPruneTest, UnmanagedCertificatesThatStayAreNotDrift) {
  DiffResult diff = PruneDiff();
  diff.unmanaged.back().remove = false;
  EXPECT_FALSE(diff.HasDrift());
  EXPECT_THAT(RenderDriftText(diff, false), HasSubstr("In sync: 1 certificate matches"));
  EXPECT_THAT(RenderDriftJunit(diff), HasSubstr("tests=\"1\" failures=\"0\""));
  EXPECT_THAT(RenderDriftMarkdown(diff), HasSubstr("✅ In sync"));
}

// A report read back from its JSON renders as the report it was made from.
TEST(DriftReportJson, ReadsBackWhatItWrote) {
  for (const DiffResult& diff :
       {DiffOf(InSyncServer()), DiffOf({{kServer, MailboxServer(kServer, kFqdn)}}), PendingDiff(),
        BlockedDiff()}) {
    const DriftReport made = MakeDriftReport(diff, Now(), ShardSpec{2, 3});
    Result<DriftReport> read = DriftReportFromJson(RenderDriftJson(made), "d.json");
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(read->shard, (ShardSpec{2, 3}));
    EXPECT_EQ(RenderDriftJson(*read), RenderDriftJson(made));
    EXPECT_EQ(RenderDriftText(*read, false), RenderDriftText(made, false));
    EXPECT_EQ(RenderDriftJunit(*read), RenderDriftJunit(made));
  }
}

TEST(DriftReportJson, WhatIsNotAReportIsNamed) {
  Result<DriftReport> r = DriftReportFromJson("{\"steps\": []}", "plan.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("plan.json: not a drift report of xcert drift --format json"));
  r = DriftReportFromJson(
      "{\"checked_at\": \"2026-11-25T00:00:00Z\", \"in_sync\": true, \"items\": [{\"status\": "
      "\"fine\"}]}",
      "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("an item's status is 'fine'"));
  r = DriftReportFromJson("not json", "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("x.json: not a drift report"));
}

DriftReport ShardReport(const DiffResult& diff, int k, int n) {
  return MakeDriftReport(diff, Now() + std::chrono::minutes(k), ShardSpec{k, n});
}

TEST(MergeDriftReports, JoinsShardsAndNamesTheMissingOnes) {
  Result<DriftReport> m = MergeDriftReports(
      {ShardReport(DiffOf(InSyncServer()), 3, 4), ShardReport(PendingDiff(), 1, 4)},
      {"c.json", "a.json"});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->in_sync);
  EXPECT_EQ(m->items.size(), 2u);
  EXPECT_EQ(m->checked_at, Now() + std::chrono::minutes(1)) << "the earliest check";
  EXPECT_EQ(m->merged, (std::vector<ShardSpec>{{1, 4}, {3, 4}}));
  EXPECT_EQ(m->missing, (std::vector<ShardSpec>{{2, 4}, {4, 4}}));
  EXPECT_THAT(RenderDriftText(*m, false),
              HasSubstr("missing shards 2/4, 4/4 sent no report: their servers were not checked"));
  EXPECT_THAT(RenderDriftJunit(*m), HasSubstr("failures=\"3\""));  // pending + 2 missing
  // A merge read back merges again with the shards it lacked.
  Result<DriftReport> again = DriftReportFromJson(RenderDriftJson(*m), "m.json");
  ASSERT_TRUE(again.ok()) << again.status().message();
  Result<DriftReport> whole = MergeDriftReports({*again, ShardReport(DiffOf(InSyncServer()), 2, 4),
                                                 ShardReport(DiffOf(InSyncServer()), 4, 4)},
                                                {"m.json", "b.json", "d.json"});
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  EXPECT_TRUE(whole->missing.empty());
  EXPECT_EQ(whole->items.size(), 4u);
}

TEST(MergeDriftReports, RefusesReportsThatDoNotBelongTogether) {
  const DiffResult d = DiffOf(InSyncServer());
  Result<DriftReport> r =
      MergeDriftReports({ShardReport(d, 1, 2), ShardReport(d, 1, 2)}, {"a.json", "b.json"});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("b.json: shard 1/2 is already in a.json"));
  r = MergeDriftReports({ShardReport(d, 1, 2), ShardReport(d, 2, 3)}, {"a.json", "b.json"});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("b.json: shard 2/3 is one of 3 shards"));
  r = MergeDriftReports({ShardReport(d, 1, 2), MakeDriftReport(d, Now())}, {"a.json", "all.json"});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("all.json: that report covers every server"));
  r = MergeDriftReports({MakeDriftReport(d, Now())}, {"all.json"});
  ASSERT_TRUE(r.ok()) << "one report of every server is already whole";
}

// Whose change a difference is: time alone (due), the manifest (never
// applied, or applied before it changed), or the store (xcert applied exactly
// this and it is gone), and what prune would remove (unmanaged).
TEST(DriftCategories, EachDifferenceSaysWhoseChangeItIs) {
  const DiffResult missing = DiffOf({{kServer, MailboxServer(kServer, kFqdn)}});
  DriftReport manifest = MakeDriftReport(missing, Now());
  ASSERT_EQ(manifest.items.size(), 1u);
  EXPECT_EQ(manifest.items[0].category, DriftCategory::kManifest);
  DriftReport outside = MakeDriftReport(missing, Now(), {}, {{kServer, "mail"}});
  EXPECT_EQ(outside.items[0].category, DriftCategory::kOutside);
  EXPECT_THAT(RenderDriftText(outside, false),
              HasSubstr("  drift   MailServer21/certificate/mail  [changed outside xcert]\n"));
  EXPECT_THAT(RenderDriftText(outside, false),
              HasSubstr("By category: 1 changed outside xcert.\n"));
  EXPECT_THAT(RenderDriftJunit(outside), HasSubstr("message=\"[changed outside xcert] Missing"));
  // Due stays due even where xcert applied exactly this: time changed it.
  const DriftReport due =
      MakeDriftReport(DiffOf(InSyncServer(Day(2026, 12, 10))), Now(), {}, {{kServer, "mail"}});
  EXPECT_EQ(due.items[0].category, DriftCategory::kDue);
  const DriftReport pruned = MakeDriftReport(PruneDiff(), Now());
  const nlohmann::json j = nlohmann::json::parse(RenderDriftJson(pruned));
  EXPECT_EQ(j["categories"]["unmanaged"], 1);
  EXPECT_EQ(j["categories"]["manifest"], 0);
  EXPECT_EQ(j["removals"][0]["category"], "unmanaged");
  EXPECT_FALSE(j["items"][0].contains("category")) << "in sync: no category";
  const nlohmann::json m = nlohmann::json::parse(RenderDriftJson(manifest));
  EXPECT_EQ(m["items"][0]["category"], "manifest");
  EXPECT_THAT(RenderDriftMarkdown(outside), HasSubstr("| drift | changed outside xcert | "));
  // Read back for a merge, the categories stay.
  Result<DriftReport> back = DriftReportFromJson(RenderDriftJson(outside), "d.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->items[0].category, DriftCategory::kOutside);
}

TEST(DriftCategories, FailOnChoosesWhatFails) {
  const DriftReport outside = MakeDriftReport(DiffOf({{kServer, MailboxServer(kServer, kFqdn)}}),
                                              Now(), {}, {{kServer, "mail"}});
  EXPECT_TRUE(HasDriftIn(outside, AllDriftCategories()));
  EXPECT_TRUE(HasDriftIn(outside, {DriftCategory::kOutside}));
  EXPECT_FALSE(HasDriftIn(outside, {DriftCategory::kManifest, DriftCategory::kDue}));
  const DriftReport pruned = MakeDriftReport(PruneDiff(), Now());
  EXPECT_TRUE(HasDriftIn(pruned, {DriftCategory::kUnmanaged}));
  EXPECT_FALSE(HasDriftIn(pruned, {DriftCategory::kOutside}));
  EXPECT_FALSE(HasDriftIn(MakeDriftReport(DiffOf(InSyncServer()), Now()), AllDriftCategories()));
  // A pending request counts by its category.
  EXPECT_TRUE(HasDriftIn(MakeDriftReport(PendingDiff(), Now()), {DriftCategory::kManifest}));
}

TEST(DriftCategories, ParseNamesWhatIsNotACategory) {
  EXPECT_EQ(*ParseDriftCategories("outside, due"),
            (std::set<DriftCategory>{DriftCategory::kOutside, DriftCategory::kDue}));
  Result<std::set<DriftCategory>> bad = ParseDriftCategories("outside,renewal");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("'renewal' is not a category"));
}

}  // namespace
}  // namespace xcert
