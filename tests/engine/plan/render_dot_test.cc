#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/plan/render.h"
#include "tests/support/model_fixtures.h"
#include "tests/support/test_util.h"

namespace xcert {
namespace {

using namespace xcert::testing;
using ::testing::HasSubstr;

// Two servers sharing 'mail' and a CA: backups, issue, imports, export,
// enables; enough dependencies to make the graph interesting.
Plan TwoServerPlan() {
  ActualState actual{{"MailServer21", MailboxServer("MailServer21", "ms21.pocket-consultant.com")},
                     {"MailServer22", MailboxServer("MailServer22", "ms22.pocket-consultant.com")}};
  const Desired desired = DesiredOf({WantMail({"MailServer21", "MailServer22"})}, {CorpCa()});
  Result<Plan> p = BuildPlan(desired, actual, Diff(desired, actual, Now()), {}, Now());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : Plan{};
}

// The graph as Graphviz reads it: node id -> label, and edges. Only the
// subset of the dot language the renderer may use is accepted; anything else
// fails the parse.
struct DotGraph {
  std::map<int, std::string> labels;
  std::set<std::pair<int, int>> edges;
  bool ok = false;
  std::string error;
};

DotGraph ParseDot(const std::string& dot) {
  DotGraph g;
  std::istringstream in(dot);
  std::string line;
  if (!std::getline(in, line) || line != "digraph G {") {
    g.error = "does not start with 'digraph G {': " + line;
    return g;
  }
  // A quoted dot string: any character but an unescaped quote.
  static const std::regex node(R"re(^(\d+)\[label="((?:[^"\\]|\\.)*)"\];$)re");
  static const std::regex edge(R"re(^(\d+)->(\d+) ;$)re");
  bool closed = false;
  while (std::getline(in, line)) {
    std::smatch m;
    if (closed) {
      g.error = "text after the closing brace: " + line;
      return g;
    }
    if (line == "}") {
      closed = true;
    } else if (std::regex_match(line, m, node)) {
      if (!g.labels.emplace(std::stoi(m[1]), m[2]).second) {
        g.error = "node declared twice: " + line;
        return g;
      }
    } else if (std::regex_match(line, m, edge)) {
      g.edges.insert({std::stoi(m[1]), std::stoi(m[2])});
    } else {
      g.error = "not a node or an edge: " + line;
      return g;
    }
  }
  g.ok = closed;
  if (!closed) g.error = "no closing brace";
  return g;
}

TEST(RenderDotTest, EveryStepIsANodeAndEveryDependencyAnEdge) {
  const Plan plan = TwoServerPlan();
  ASSERT_GT(plan.steps.size(), 8u);
  const DotGraph g = ParseDot(RenderPlanDot(plan));
  ASSERT_TRUE(g.ok) << g.error;
  ASSERT_EQ(g.labels.size(), plan.steps.size());
  std::set<std::pair<int, int>> want;
  for (const Step& s : plan.steps) {
    ASSERT_TRUE(g.labels.count(s.id - 1)) << "step " << s.id;
    // The label starts with the step's number and kind, as in the text plan.
    EXPECT_TRUE(g.labels.at(s.id - 1).starts_with(std::to_string(s.id) + " " +
                                                  std::string(StepKindName(s.kind))))
        << g.labels.at(s.id - 1);
    for (int d : s.depends_on) want.insert({d - 1, s.id - 1});
  }
  EXPECT_EQ(g.edges, want);
}

TEST(RenderDotTest, LabelsNameServerCertificateAndServices) {
  const Plan plan = TwoServerPlan();
  const DotGraph g = ParseDot(RenderPlanDot(plan));
  ASSERT_TRUE(g.ok) << g.error;
  for (const Step& s : plan.steps) {
    const std::string& label = g.labels.at(s.id - 1);
    SCOPED_TRACE(label);
    if (!s.server.empty()) {
      EXPECT_THAT(label, HasSubstr("\\n" + s.server));
    }
    if (!s.certificate.empty()) {
      EXPECT_THAT(label, HasSubstr("\\n" + s.certificate));
    } else {
      EXPECT_THAT(label, HasSubstr("\\n" + s.thumbprint.substr(0, 8)));
    }
    if (s.kind == StepKind::kEnable) {
      EXPECT_THAT(label, HasSubstr(s.services.ToString()));
    }
  }
  EXPECT_EQ(g.labels.at(0), "1 backup-export\\nMailServer21\\n4445464D");
}

TEST(RenderDotTest, AnEmptyPlanIsAnEmptyGraph) {
  const DotGraph g = ParseDot(RenderPlanDot(Plan{}));
  ASSERT_TRUE(g.ok) << g.error;
  EXPECT_TRUE(g.labels.empty());
  EXPECT_TRUE(g.edges.empty());
}

TEST(RenderDotTest, QuotesInNamesStayInsideTheLabel) {
  Plan plan;
  Step s;
  s.id = 1;
  s.kind = StepKind::kCreate;
  s.server = "MailServer21";
  s.certificate = "odd\"name";
  plan.steps.push_back(s);
  const DotGraph g = ParseDot(RenderPlanDot(plan));
  ASSERT_TRUE(g.ok) << g.error;
  EXPECT_EQ(g.labels.at(0), "1 create\\nMailServer21\\nodd\\\"name");
}

TEST(RenderDotTest, SamePlanSameBytes) {
  EXPECT_EQ(RenderPlanDot(TwoServerPlan()), RenderPlanDot(TwoServerPlan()));
}

// Graphviz itself, when installed (apt-get install graphviz): the output
// renders, with one node and one edge per step and dependency.
TEST(RenderDotTest, GraphvizRendersIt) {
  std::string dot_binary;
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    if (fs::exists(fs::path(dir) / "dot")) dot_binary = (fs::path(dir) / "dot").string();
  }
  if (dot_binary.empty()) GTEST_SKIP() << "skipped: Graphviz (dot) is not installed";
  const Plan plan = TwoServerPlan();
  const RunResult r = xcert::testing::Run({dot_binary, "-Tsvg"}, {}, {}, RenderPlanDot(plan));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "Graphviz warns about nothing";
  size_t nodes = 0, edges = 0;
  for (size_t at = 0; (at = r.out.find("class=\"node\"", at)) != std::string::npos; ++at) ++nodes;
  for (size_t at = 0; (at = r.out.find("class=\"edge\"", at)) != std::string::npos; ++at) ++edges;
  size_t dependencies = 0;
  for (const Step& s : plan.steps) dependencies += s.depends_on.size();
  EXPECT_EQ(nodes, plan.steps.size());
  EXPECT_EQ(edges, dependencies);
}

}  // namespace
}  // namespace xcert
