#include "engine/plan/render.h"

namespace xcert {

namespace {

std::string Icon(ChangeAction a) {
  switch (a) {
    case ChangeAction::kCreate: return "➕";
    case ChangeAction::kReplace: return "♻️";
    case ChangeAction::kBind: return "🔁";
    case ChangeAction::kRemove: return "🗑️";
    case ChangeAction::kNone: return "⚠️";
  }
  return "";
}

// Markdown table cells cannot hold '|' or newlines.
std::string Cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string RenderPlanMarkdown(const Plan& plan) {
  std::string out = "### xcert plan\n\n**" + PlanSummaryLine(plan) + "**\n\n";
  // As in the text plan: a pending request or a blocked server is not "in sync".
  if (plan.diff.changes.empty() && plan.diff.pending.empty() && plan.diff.blocked.empty() &&
      plan.steps.empty())
    out += "No changes: the stores match the manifest.\n\n";
  if (!plan.diff.changes.empty()) {
    out += "| | Address | Action | Reason | Manifest |\n|---|---|---|---|---|\n";
    for (const Change& c : plan.diff.changes) {
      const ReasonDetail* r = c.reasons.empty() ? nullptr : &c.reasons.front();
      out += "| " + Icon(c.action) + " | `" + Cell(c.address) + "` | " +
             std::string(ChangeActionName(c.action)) + " | " +
             (r ? Cell(std::string(ReasonName(r->reason)) + ": " + r->detail) : "") + " | " +
             (r && r->where.line > 0 ? "`" + r->where.ToString() + "`" : "") + " |\n";
    }
    out += "\n";
  }
  for (const Blocked& b : plan.diff.blocked) {
    out += "> [!CAUTION]\n> **Blocked** `" + b.address + "`: " + b.reason + "\n\n";
  }
  for (const std::string& w : plan.warnings) out += "> [!WARNING]\n> " + w + "\n\n";
  for (const PendingRequest& p : plan.diff.pending) {
    out += "> [!NOTE]\n> `" + p.server + "/certificate/" + p.certificate +
           "` is pending: submit `" + p.csr_path + "` to the CA and put its answer in the inbox.\n";
    if (!p.problem.empty())
      out += "> The answer in the inbox cannot complete it: " + p.problem + "\n";
    out += "\n";
  }
  if (!plan.steps.empty()) {
    out += "<details><summary>Steps (" + std::to_string(plan.steps.size()) + ")</summary>\n\n";
    for (const Step& s : plan.steps) {
      out += std::to_string(s.id) + ". `" + std::string(StepKindName(s.kind)) + "` " + s.summary +
             "\n";
    }
    out += "\n</details>\n\n";
  }
  if (!plan.diff.unmanaged.empty()) {
    out += "<details><summary>Certificates the manifest does not describe (" +
           std::to_string(plan.diff.unmanaged.size()) + ")</summary>\n\n";
    out += "| Server | Thumbprint | Subject | Services | |\n|---|---|---|---|---|\n";
    for (const UnmanagedCertificate& u : plan.diff.unmanaged) {
      out += "| " + Cell(u.server) + " | `" + u.certificate.thumbprint + "` | " +
             Cell(u.certificate.subject) + " | `" + u.certificate.services.ToLetters() + "` | " +
             Cell(u.remove               ? "removed (prune)"
                  : u.protection.empty() ? "left alone"
                                         : "kept: " + u.protection) +
             " |\n";
    }
    out += "\n</details>\n";
  }
  return out;
}

}  // namespace xcert
