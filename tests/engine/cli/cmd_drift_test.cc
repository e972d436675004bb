// `xcert drift`: formats and exit codes of docs/commands/drift.md, with the
// real binary.
#include <nlohmann/json.hpp>

#include "tests/engine/cli/cli_test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class DriftCommandTest : public XcertCommandTest {};

TEST_F(DriftCommandTest, DriftExitsTwoAndSaysWhatDiffers) {
  Init();
  const auto before = Snapshot();
  const RunResult r = X({"drift"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("  drift   MailServer21/certificate/mail  [manifest changed]\n"
                               "            Missing: no certificate for 'mail' on MailServer21 "
                               "(xcert.yaml:39:5)\n"));
  EXPECT_THAT(r.out, HasSubstr("Drift: 1 of 1 certificate differs from the manifest; run xcert "
                               "plan to see the steps.\n"));
  EXPECT_THAT(Changed(before, Snapshot()), IsEmpty()) << "read-only: no lock, no journal";
}

TEST_F(DriftCommandTest, InSyncExitsZeroInEveryFormat) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  const RunResult text = X({"drift"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("  ok      MailServer21/certificate/mail\n"));
  const RunResult json = X({"drift", "--format", "json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out)["in_sync"], true);
  const RunResult junit = X({"drift", "--format", "junit"});
  EXPECT_EQ(junit.exit_code, 0);
  EXPECT_THAT(junit.out, HasSubstr("failures=\"0\""));
  const RunResult md = X({"drift", "--format", "markdown"});
  EXPECT_EQ(md.exit_code, 0);
  EXPECT_THAT(md.out, HasSubstr("✅ In sync: 1 certificate matches the manifest."));
}

TEST_F(DriftCommandTest, JsonForScripts) {
  Init();
  const RunResult r = X({"drift", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  const nlohmann::json j = nlohmann::json::parse(r.out);  // stdout is only the document
  EXPECT_EQ(j["checked_at"], kNow) << "XCERT_NOW is the clock";
  EXPECT_EQ(j["in_sync"], false);
  EXPECT_EQ(j["total"], 1);
  EXPECT_EQ(j["differing"], 1);
  ASSERT_EQ(j["items"].size(), 1u);
  for (const char* field : {"server", "certificate", "status", "reasons", "location"})
    EXPECT_TRUE(j["items"][0].contains(field)) << field << " (documented in drift.md)";
  EXPECT_EQ(j["items"][0]["status"], "drift");
  EXPECT_FALSE(j["changes"].empty());
  EXPECT_TRUE(j["removals"].empty());
}

TEST_F(DriftCommandTest, JunitForDashboards) {
  Init();
  const RunResult r = X({"drift", "--format", "junit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
  EXPECT_THAT(r.out, HasSubstr("<testsuite name=\"MailServer21\" tests=\"1\" failures=\"1\">"));
  EXPECT_THAT(r.out, HasSubstr("<failure type=\"drift\" message=\"[manifest changed] Missing: no "
                               "certificate for "
                               "&apos;mail&apos; on MailServer21 (xcert.yaml:39:5)\">"));
}

TEST_F(DriftCommandTest, MarkdownForComments) {
  Init();
  const RunResult r = X({"drift", "--format", "markdown"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, StartsWith("### xcert drift\n\n❌ 1 of 1 certificate differs"));
  EXPECT_THAT(r.out, HasSubstr("| MailServer21 | mail | drift | manifest changed | Missing:"));
}

TEST_F(DriftCommandTest, RenewalDueIsDriftBeforeItExpires) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  const RunResult r = X({"drift"}, {{"XCERT_NOW", "2027-11-10T10:00:00Z"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("RenewalDue: expires on 2027-11-25 (15 days left"));
}

TEST_F(DriftCommandTest, AStoreThatCannotBeReadIsAnErrorNotDrift) {
  InitDamaged();  // MailServer21 cannot be read
  for (const char* format : {"text", "json", "junit", "markdown"}) {
    const RunResult r = X({"drift", "--format", format});
    EXPECT_EQ(r.exit_code, 1) << format;
    EXPECT_THAT(r.err, HasSubstr("error: the store of MailServer21")) << format;
  }
  EXPECT_EQ(ReadFileOrDie(dir_.path() / "store/MailServer21/bindings.json"), "{")
      << "drift repairs nothing";
}

TEST_F(DriftCommandTest, InvalidManifestExitsOneWithNothingOnStdout) {
  dir_.Write("xcert.yaml", "version: 1\nstore: {type: local, path: ./store}\nprune: maybe\n");
  const RunResult r = X({"drift", "--format", "junit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("xcert.yaml:3:8: error:"));
  EXPECT_EQ(r.out, "") << "no half report a dashboard would take as a result";
}

TEST_F(DriftCommandTest, ManifestFromAnotherPath) {
  Init();
  fs::rename(dir_.path() / "xcert.yaml", dir_.path() / "site.yaml");
  const RunResult r = X({"drift", "-f", "site.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("(site.yaml:39:5)"));
}

// Whose change it is: apply records what it made true; a binding moved by
// hand afterwards is a change outside xcert, an edit of the manifest is a
// manifest change, time is due; --fail-on picks what exits 2.
TEST_F(DriftCommandTest, EachDifferenceSaysWhoseChangeItIs) {
  Init();
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_EQ(X({"drift"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_.path() / "store/.applied/MailServer21.json"))
      << "apply records what it applied";

  // Someone binds IIS back to Exchange's own certificate in IIS Manager.
  const fs::path bindings = dir_.path() / "store/MailServer21/bindings.json";
  nlohmann::json b = nlohmann::json::parse(ReadFileOrDie(bindings));
  b["IIS"] = b["InternalTransport"];
  dir_.Write("store/MailServer21/bindings.json", b.dump(2));
  RunResult r = X({"drift"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out,
              HasSubstr("  drift   MailServer21/certificate/mail  [changed outside xcert]\n"));
  EXPECT_THAT(r.out, HasSubstr("By category: 1 changed outside xcert.\n"));
  EXPECT_EQ(X({"drift", "--fail-on", "manifest,due"}).exit_code, 0)
      << "a pipeline that only fails on manifest changes and renewals";
  EXPECT_EQ(X({"drift", "--fail-on", "outside"}).exit_code, 2);
  const nlohmann::json j = nlohmann::json::parse(X({"drift", "--format", "json"}).out);
  EXPECT_EQ(j["items"][0]["category"], "outside");
  EXPECT_EQ(j["categories"]["outside"], 1);

  // apply puts it back; then the manifest asks for one more name.
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);
  EditFileOrDie(dir_.path() / "xcert.yaml", "      - autodiscover.pocket-consultant.com\n",
                "      - autodiscover.pocket-consultant.com\n"
                "      - owa.pocket-consultant.com\n");
  r = X({"drift"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("  drift   MailServer21/certificate/mail  [manifest changed]\n"));
  EXPECT_EQ(X({"drift", "--fail-on", "outside,due"}).exit_code, 0);
  ASSERT_EQ(X({"apply", "--auto-approve"}).exit_code, 0);

  // Eleven months later, the certificate is due for renewal.
  r = X({"drift"}, {{"XCERT_NOW", "2027-11-10T10:00:00Z"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("  drift   MailServer21/certificate/mail  [due]\n"));

  const RunResult bad = X({"drift", "--fail-on", "renewal"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--fail-on renewal: 'renewal' is not a category"));
}

}  // namespace
}  // namespace xcert::testing
