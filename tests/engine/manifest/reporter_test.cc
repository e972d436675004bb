#include "engine/manifest/reporter.h"

#include <gtest/gtest.h>

namespace xcert::manifest {
namespace {

class ReporterTest : public ::testing::Test {
 protected:
  ReporterTest() : r_("t.yaml", ParseYaml("a:\n  b: 1\n  c: [x, y]\nd: 2\n", "t.yaml").root) {}
  Reporter r_;
};

TEST_F(ReporterTest, LocatesValuesKeysAndMissingFields) {
  EXPECT_EQ(r_.Where("/a/b").ToString(), "t.yaml:2:6");
  EXPECT_EQ(r_.Where("/a/b", At::kKey).ToString(), "t.yaml:2:3");
  EXPECT_EQ(r_.Where("/a/c/1").ToString(), "t.yaml:3:10");
  EXPECT_EQ(r_.Where("/a/missing", At::kKey).ToString(), "t.yaml:2:3");  // the parent mapping
  EXPECT_EQ(r_.Where("").ToString(), "t.yaml:1:1");
  EXPECT_EQ(r_.NodeAt("/d")->text, "2");
  EXPECT_EQ(r_.NodeAt("/x"), nullptr);
}

TEST_F(ReporterTest, OneErrorPerValue) {
  r_.Error("/a", "first");
  r_.Error("/a/b", "consequence");  // under a bad value: dropped
  r_.Warning("/a/c", "noise");      // likewise
  r_.Error("/d", "independent", "fix it");
  EXPECT_EQ(r_.diagnostics().ToString(),
            "t.yaml:2:3: error: first\nt.yaml:4:4: error: independent; fix it\n");
}

TEST_F(ReporterTest, BadnessIsByPathNotByPrefix) {
  r_.MarkBad("/a/c/1");
  EXPECT_TRUE(r_.IsBad("/a/c/1"));
  EXPECT_TRUE(r_.IsBad("/a/c/1/z"));
  EXPECT_FALSE(r_.IsBad("/a/c/10"));
  EXPECT_FALSE(r_.IsBad("/a/c"));
  EXPECT_TRUE(r_.AnyBadAround("/a/c"));
  EXPECT_TRUE(r_.AnyBadAround("/a"));
  EXPECT_FALSE(r_.AnyBadAround("/a/b"));
  EXPECT_FALSE(r_.AnyBadAround("/a/c/10"));
  EXPECT_TRUE(r_.diagnostics().empty());
}

TEST(ReporterWithoutTreeTest, PointsAtTheFile) {
  Reporter r("t.yaml", nullptr);
  r.Error("/a", "broken", "fix");
  EXPECT_EQ(r.diagnostics().ToString(), "t.yaml: error: broken; fix\n");
  EXPECT_EQ(r.NodeAt("/a"), nullptr);
}

}  // namespace
}  // namespace xcert::manifest
