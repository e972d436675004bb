#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "engine/plan/render.h"

namespace xcert {

namespace {

std::vector<std::string> Labels(const Plan& plan) {
  std::vector<std::string> labels;
  labels.reserve(plan.steps.size());
  for (const Step& s : plan.steps) {
    std::string label = std::to_string(s.id) + " " + std::string(StepKindName(s.kind));
    if (!s.server.empty()) label += "\\n" + s.server;
    if (!s.certificate.empty())
      label += "\\n" + s.certificate;
    else if (!s.thumbprint.empty())
      label += "\\n" + s.thumbprint.substr(0, 8);
    if (s.kind == StepKind::kEnable) label += "\\n" + s.services.ToString();
    labels.push_back(std::move(label));
  }
  return labels;
}

// Boost's graphviz writer over the step graph.
std::string BoostDot(const Plan& plan, const std::vector<std::string>& labels) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(plan.steps.size());
  for (const Step& s : plan.steps) {
    for (int d : s.depends_on) boost::add_edge(size_t(d - 1), size_t(s.id - 1), g);
  }
  std::ostringstream out;
  boost::write_graphviz(out, g, boost::make_label_writer(labels.data()));
  return out.str();
}

// The same bytes, written directly: Boost's writer checks every label with a
// regular expression, which made dot the slowest format of a large plan.
// Vertex ids are numbers (never quoted); a label always holds a space, so it
// is always quoted, with '"' escaped. Edges are listed by source vertex, in
// the order they were added. nullopt when step ids are not 1..n in order
// (never for a plan BuildPlan made): then Boost's writer is used.
std::optional<std::string> DirectDot(const Plan& plan, const std::vector<std::string>& labels) {
  const size_t n = plan.steps.size();
  std::vector<std::vector<size_t>> out_edges(n);
  for (size_t i = 0; i < n; ++i) {
    const Step& s = plan.steps[i];
    if (s.id != int(i + 1)) return std::nullopt;
    for (int d : s.depends_on) {
      if (d < 1 || size_t(d) > n) return std::nullopt;
      out_edges[size_t(d - 1)].push_back(i);
    }
  }
  std::string out = "digraph G {\n";
  out.reserve(64 * n);
  for (size_t v = 0; v < n; ++v) {
    out += std::to_string(v);
    out += "[label=\"";
    for (char c : labels[v]) {
      if (c == '"') out += '\\';
      out += c;
    }
    out += "\"];\n";
  }
  for (size_t v = 0; v < n; ++v) {
    for (size_t w : out_edges[v]) {
      out += std::to_string(v);
      out += "->";
      out += std::to_string(w);
      out += " ;\n";
    }
  }
  out += "}\n";
  return out;
}

}  // namespace

std::string RenderPlanDot(const Plan& plan) {
  const std::vector<std::string> labels = Labels(plan);
  std::optional<std::string> direct = DirectDot(plan, labels);
  if (!direct) return BoostDot(plan, labels);
#ifndef NDEBUG
  if (*direct != BoostDot(plan, labels)) {
    std::fprintf(stderr, "xcert: RenderPlanDot differs from Boost's writer; please report this\n");
    std::abort();
  }
#endif
  return *direct;
}

}  // namespace xcert
