#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/plan/render.h"
#include "tests/support/model_fixtures.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kServer = "MailServer21";

Plan PlanFor(const ActualState& actual, std::vector<DesiredCertificate> want) {
  const Desired desired = DesiredOf(std::move(want), {CorpCa()});
  Result<Plan> p = BuildPlan(desired, actual, Diff(desired, actual, Now()), {}, Now());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : Plan{};
}

// A fresh 2019 server: 'mail' is issued by the CA, imported and bound; the
// default certificate, whose key cannot be exported, is backed up first.
Plan FreshServerPlan() {
  return PlanFor({{kServer, MailboxServer(kServer, "ms21.pocket-consultant.com")}},
                 {WantMail({kServer})});
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Cells of a GFM table row: '|' separated, '\|' is an escaped pipe.
size_t Cells(const std::string& row) {
  size_t pipes = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
      continue;
    }
    pipes += row[i] == '|';
  }
  return pipes - 1;
}

// What GitHub needs to render the comment as intended: every table has a
// blank line before it, a delimiter row, and the same number of cells in every
// row; <details> are balanced and their content starts after a blank line (or
// it is shown as raw text); callouts are blockquotes followed by a blank line.
void ExpectWellFormed(const std::string& md) {
  const std::vector<std::string> lines = Lines(md);
  int open_details = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    SCOPED_TRACE("line " + std::to_string(i + 1) + ": " + l);
    if (l.starts_with("<details>")) {
      ++open_details;
      EXPECT_THAT(l, HasSubstr("<summary>"));
      EXPECT_THAT(l, ::testing::EndsWith("</summary>"));
      ASSERT_LT(i + 1, lines.size());
      EXPECT_EQ(lines[i + 1], "") << "markdown inside <details> needs a blank line first";
    }
    if (l == "</details>") {
      --open_details;
      EXPECT_GE(open_details, 0);
      EXPECT_EQ(lines[i - 1], "") << "a blank line ends the markdown before </details>";
    }
    if (l.starts_with("|") && (i == 0 || !lines[i - 1].starts_with("|"))) {
      EXPECT_TRUE(i == 0 || lines[i - 1].empty() || lines[i - 1].ends_with("</summary>"))
          << "a table starts after a blank line";
      ASSERT_LT(i + 1, lines.size());
      const size_t columns = Cells(l);
      EXPECT_EQ(lines[i + 1], [&] {
        std::string delim = "|";
        for (size_t c = 0; c < columns; ++c) delim += "---|";
        return delim;
      }());
      for (size_t j = i + 1; j < lines.size() && lines[j].starts_with("|"); ++j) {
        EXPECT_EQ(Cells(lines[j]), columns) << "row: " << lines[j];
        EXPECT_TRUE(lines[j].ends_with("|")) << "row: " << lines[j];
      }
    }
    if (l.starts_with("> [!")) {
      EXPECT_THAT(l, ::testing::MatchesRegex("> \\[!(NOTE|WARNING|CAUTION)\\]"));
      ASSERT_LT(i + 1, lines.size());
      EXPECT_TRUE(lines[i + 1].starts_with("> ")) << "a callout has a body";
      size_t end = i + 1;
      while (end < lines.size() && lines[end].starts_with("> ")) ++end;
      ASSERT_LT(end, lines.size());
      EXPECT_EQ(lines[end], "") << "a callout ends with a blank line";
    }
  }
  EXPECT_EQ(open_details, 0) << "unbalanced <details>";
}

TEST(RenderMarkdownTest, SummaryComesFirstInBold) {
  const Plan plan = FreshServerPlan();
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_TRUE(md.starts_with("### xcert plan\n\n**" + PlanSummaryLine(plan) + "**\n\n")) << md;
  EXPECT_THAT(md, HasSubstr("**Plan: 1 to create, 0 to replace, 4 to bind, 0 to remove; 6 steps "
                            "(1 backup).**"));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, ChangesTableHasOneRowPerChangeWithItsHeadlineReason) {
  const Plan plan = FreshServerPlan();
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_THAT(md, HasSubstr("| | Address | Action | Reason | Manifest |\n|---|---|---|---|---|\n"));
  EXPECT_THAT(md, HasSubstr("| ➕ | `MailServer21/certificate/mail` | create | Missing: no "
                            "certificate for 'mail' on MailServer21 | `xcert.yaml:20:5` |\n"));
  EXPECT_THAT(md, HasSubstr("| 🔁 | `MailServer21/binding/IIS` | bind |"));
  // The rows between the delimiter row and the blank line that ends the table.
  const size_t start = md.find("|---|---|---|---|---|\n") + 22;
  const std::string table = md.substr(start, md.find("\n\n", start) - start);
  EXPECT_EQ(Lines(table).size(), plan.diff.changes.size()) << table;
}

TEST(RenderMarkdownTest, BackupWithoutPrivateKeyIsAWarningCallout) {
  const std::string md = RenderPlanMarkdown(FreshServerPlan());
  EXPECT_THAT(md, HasSubstr("> [!WARNING]\n> backup of 4445464D… (Microsoft Exchange) on "
                            "MailServer21"));
  EXPECT_THAT(md, HasSubstr("holds the certificate only: its private key is not exportable"));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, StepsAreNumberedInACollapsedSection) {
  const Plan plan = FreshServerPlan();
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_THAT(md, HasSubstr("<details><summary>Steps (6)</summary>\n\n"
                            "1. `backup-export` back up 4445464D… (Microsoft Exchange) from "
                            "MailServer21 before it loses IIS (certificate only)\n"
                            "2. `issue` issue 'mail' from corp-ca (RSA 2048, 1y)\n"
                            "3. `import` import 'mail' issued by corp-ca on MailServer21\n"));
  for (const Step& s : plan.steps)
    EXPECT_THAT(md, HasSubstr(std::to_string(s.id) + ". `" + std::string(StepKindName(s.kind)) +
                              "` " + s.summary + "\n"));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, UnmanagedCertificatesAreListedWithWhatHappensToThem) {
  const Plan plan = FreshServerPlan();
  ASSERT_FALSE(plan.diff.unmanaged.empty());
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_THAT(md, HasSubstr("<details><summary>Certificates the manifest does not describe (" +
                            std::to_string(plan.diff.unmanaged.size()) + ")</summary>\n\n"));
  EXPECT_THAT(md, HasSubstr("| Server | Thumbprint | Subject | Services | |\n"));
  EXPECT_THAT(md, HasSubstr("| MailServer21 | `" + Thumb("AUTHMailServer21") +
                            "` | CN=Microsoft Exchange Server Auth Certificate | `.......` | kept: "
                            "it is the current Auth (OAuth) certificate |\n"));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, NoChanges) {
  ActualState actual{{kServer, MailboxServer(kServer, "ms21.pocket-consultant.com")}};
  CertificateInfo mail = Cert("MAIL", "CN=mail.pocket-consultant.com",
                              {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com"});
  Put(&actual[kServer], mail);
  BindAll(&actual[kServer], mail.thumbprint,
          ServiceSet{Service::kIis, Service::kImap, Service::kPop, Service::kSmtp});
  const std::string md = RenderPlanMarkdown(PlanFor(actual, {WantMail({kServer})}));
  EXPECT_THAT(md, HasSubstr("No changes: the stores match the manifest.\n"));
  EXPECT_THAT(md, Not(HasSubstr("<summary>Steps")));
  EXPECT_THAT(md, Not(HasSubstr("| Address |")));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, BlockedServerIsACautionAndNeverClaimsTheStoresMatch) {
  Plan plan;
  plan.diff.blocked.push_back(
      {"MailServer22", "MailServer22", "the store of MailServer22 was not found"});
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_THAT(md, HasSubstr("> [!CAUTION]\n> **Blocked** `MailServer22`: the store of "
                            "MailServer22 was not found\n\n"));
  EXPECT_THAT(md, Not(HasSubstr("the stores match the manifest")));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, PendingRequestIsANoteSayingWhatToSubmitAndWhatWentWrong) {
  Plan plan;
  plan.diff.pending.push_back({kServer, "mail", Thumb("REQ"), "/srv/outbox/mail@MailServer21.csr",
                               "it does not cover autodiscover.pocket-consultant.com"});
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_THAT(md, HasSubstr("> [!NOTE]\n> `MailServer21/certificate/mail` is pending: submit "
                            "`/srv/outbox/mail@MailServer21.csr` to the CA"));
  EXPECT_THAT(md, HasSubstr("it does not cover autodiscover.pocket-consultant.com"));
  EXPECT_THAT(md, Not(HasSubstr("the stores match the manifest")));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, PipesInValuesDoNotBreakTables) {
  Plan plan = FreshServerPlan();
  plan.diff.changes[0].reasons[0].detail = "a | b";
  plan.diff.unmanaged[0].certificate.subject = "CN=a|b, O=x";
  const std::string md = RenderPlanMarkdown(plan);
  EXPECT_THAT(md, HasSubstr("a \\| b"));
  EXPECT_THAT(md, HasSubstr("CN=a\\|b, O=x"));
  ExpectWellFormed(md);
}

TEST(RenderMarkdownTest, SamePlanSameBytes) {
  EXPECT_EQ(RenderPlanMarkdown(FreshServerPlan()), RenderPlanMarkdown(FreshServerPlan()));
}

}  // namespace
}  // namespace xcert
