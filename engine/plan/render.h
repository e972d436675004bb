// Plan renderers. Every renderer is a pure function of the plan; the same
// plan always renders to the same bytes.
#pragma once

#include <string>

#include "engine/plan/plan.h"

namespace xcert {

// Terraform-like text: one block per change ("+" create, "-/+" replace, "~"
// bind, "-" remove, "!" drift xcert cannot fix), the numbered steps with
// their dependencies, warnings, unmanaged certificates, and a summary line.
// `color` adds ANSI colours (callers decide: terminal and no NO_COLOR).
std::string RenderPlanText(const Plan& plan, bool color);

// For a pull-request comment: summary table, warnings as callouts, the steps
// and unmanaged certificates in collapsible details.
std::string RenderPlanMarkdown(const Plan& plan);

// The step graph in Graphviz dot (in the format of Boost's graphviz writer),
// one cluster-free node per step labelled "id kind server certificate".
std::string RenderPlanDot(const Plan& plan);

// "Plan: 1 to create, 0 to replace, 4 to bind, 0 to remove; 7 steps (1 backup)."
std::string PlanSummaryLine(const Plan& plan);

}  // namespace xcert
