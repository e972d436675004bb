#include "engine/util/diagnostics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace xcert {
namespace {

using ::testing::ElementsAre;

TEST(LocationTest, PrintsFileLineAndColumnAsCompilersDo) {
  EXPECT_EQ((Location{"xcert.yaml", 12, 5}).ToString(), "xcert.yaml:12:5");
  EXPECT_EQ((Location{"xcert.yaml", 12, 0}).ToString(), "xcert.yaml:12");
  // Line 0 is the file as a whole: no ":0" that an editor would jump to.
  EXPECT_EQ((Location{"xcert.yaml", 0, 7}).ToString(), "xcert.yaml");
}

TEST(DiagnosticTest, ErrorWithHintIsOneCompilerStyleLine) {
  const Diagnostic d{
      Severity::kError, {"m.yaml", 3, 9}, "unknown issuer 'corp'", "did you mean corp-ca?"};
  EXPECT_EQ(d.ToString(), "m.yaml:3:9: error: unknown issuer 'corp'; did you mean corp-ca?");
}

TEST(DiagnosticTest, WarningWithoutHintHasNoTrailingSeparator) {
  const Diagnostic d{Severity::kWarning, {"m.yaml", 0, 0}, "clients will not trust it", ""};
  EXPECT_EQ(d.ToString(), "m.yaml: warning: clients will not trust it");
}

TEST(DiagnosticsTest, CountsErrorsAndWarningsSeparately) {
  Diagnostics ds;
  EXPECT_TRUE(ds.empty());
  EXPECT_FALSE(ds.has_errors());
  ds.Warning({"m.yaml", 1, 1}, "w1");
  EXPECT_FALSE(ds.has_errors()) << "warnings alone never fail a manifest";
  ds.Error({"m.yaml", 2, 1}, "e1", "fix it");
  ds.Warning({"m.yaml", 3, 1}, "w2");
  EXPECT_TRUE(ds.has_errors());
  EXPECT_EQ(ds.error_count(), 1u);
  EXPECT_EQ(ds.warning_count(), 2u);
  EXPECT_FALSE(ds.empty());
}

TEST(DiagnosticsTest, ToStringIsOneLinePerDiagnosticInOrder) {
  Diagnostics ds;
  ds.Error({"m.yaml", 2, 1}, "second", "hint");
  ds.Warning({"m.yaml", 1, 1}, "first");
  EXPECT_EQ(ds.ToString(),
            "m.yaml:2:1: error: second; hint\n"
            "m.yaml:1:1: warning: first\n");
  EXPECT_EQ(Diagnostics().ToString(), "");
}

TEST(DiagnosticsTest, SortsByPositionNumericallyWithErrorsFirstAndDropsDuplicates) {
  Diagnostics ds;
  ds.Warning({"m.yaml", 10, 3}, "late warning");
  ds.Error({"m.yaml", 9, 1}, "line nine");
  ds.Error({"m.yaml", 10, 3}, "late error");
  ds.Error({"m.yaml", 2, 5}, "early");
  ds.Error({"m.yaml", 2, 5}, "early");  // reported twice by two checks
  ds.Error({"m.yaml", 2, 5}, "early", "with a hint: not a duplicate");
  ds.Warning({"m.yaml", 0, 0}, "about the whole file");
  ds.SortAndUnique();
  std::vector<std::string> lines;
  for (const Diagnostic& d : ds.items()) lines.push_back(d.ToString());
  EXPECT_THAT(lines,
              ElementsAre("m.yaml: warning: about the whole file", "m.yaml:2:5: error: early",
                          "m.yaml:2:5: error: early; with a hint: not a duplicate",
                          "m.yaml:9:1: error: line nine",  // 9 before 10, not text order
                          "m.yaml:10:3: error: late error", "m.yaml:10:3: warning: late warning"));
  EXPECT_EQ(ds.error_count(), 4u);
}

TEST(DiagnosticsTest, AppendKeepsBothInOrder) {
  Diagnostics a, b;
  a.Error({"a.yaml", 1, 1}, "from a");
  b.Warning({"b.yaml", 1, 1}, "from b");
  b.Add({Severity::kError, {"b.yaml", 2, 1}, "added", ""});
  a.Append(b);
  ASSERT_EQ(a.items().size(), 3u);
  EXPECT_EQ(a.items()[0].message, "from a");
  EXPECT_EQ(a.items()[1].message, "from b");
  EXPECT_EQ(a.items()[2].message, "added");
  EXPECT_EQ(b.items().size(), 2u) << "the appended collection is unchanged";
}

TEST(DiagnosticsTest, CappedKeepsTheFirstOfEachFileAndCountsTheRest) {
  Diagnostics ds;
  for (int i = 1; i <= 7; ++i) ds.Error({"a.yaml", i, 1}, "e" + std::to_string(i));
  ds.Warning({"a.yaml", 8, 1}, "w8");
  ds.Error({"b.yaml", 1, 1}, "only one");
  const std::vector<Diagnostic> shown = ds.Capped(5);
  std::vector<std::string> lines;
  for (const Diagnostic& d : shown) lines.push_back(d.ToString());
  EXPECT_THAT(lines, ElementsAre("a.yaml:1:1: error: e1", "a.yaml:2:1: error: e2",
                                 "a.yaml:3:1: error: e3", "a.yaml:4:1: error: e4",
                                 "a.yaml:5:1: error: e5", "b.yaml:1:1: error: only one",
                                 "a.yaml: error: \u2026 and 2 more errors and 1 more warning not "
                                 "shown; fix the first ones and run again"));
}

TEST(DiagnosticsTest, CappedChangesNothingUnderTheLimit) {
  Diagnostics ds;
  ds.Warning({"a.yaml", 1, 1}, "w");
  ds.Error({"a.yaml", 2, 1}, "e");
  EXPECT_EQ(ds.Capped(2), ds.items());
  const std::vector<Diagnostic> over = ds.Capped(1);
  ASSERT_EQ(over.size(), 2u);
  EXPECT_EQ(over[1].ToString(),
            "a.yaml: error: \u2026 and 1 more error not shown; fix the first ones and run again");
}

}  // namespace
}  // namespace xcert
