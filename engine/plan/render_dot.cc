#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "engine/plan/render.h"

namespace xcert {

std::string RenderPlanDot(const Plan& plan) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(plan.steps.size());
  for (const Step& s : plan.steps) {
    for (int d : s.depends_on) boost::add_edge(size_t(d - 1), size_t(s.id - 1), g);
  }
  std::vector<std::string> labels;
  for (const Step& s : plan.steps) {
    std::string label = std::to_string(s.id) + " " + std::string(StepKindName(s.kind));
    if (!s.server.empty()) label += "\\n" + s.server;
    if (!s.certificate.empty())
      label += "\\n" + s.certificate;
    else if (!s.thumbprint.empty())
      label += "\\n" + s.thumbprint.substr(0, 8);
    if (s.kind == StepKind::kEnable) label += "\\n" + s.services.ToString();
    labels.push_back(label);
  }
  std::ostringstream out;
  boost::write_graphviz(out, g, boost::make_label_writer(labels.data()));
  return out.str();
}

}  // namespace xcert
