#include <algorithm>

#include "engine/plan/render.h"
#include "engine/util/strings.h"

namespace xcert {

namespace {

struct Style {
  bool color;
  std::string Wrap(const char* code, const std::string& s) const {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
  std::string Green(const std::string& s) const { return Wrap("32", s); }
  std::string Yellow(const std::string& s) const { return Wrap("33", s); }
  std::string Red(const std::string& s) const { return Wrap("31", s); }
  std::string Bold(const std::string& s) const { return Wrap("1", s); }
};

std::string Symbol(const Change& c, const Style& st) {
  switch (c.action) {
    case ChangeAction::kCreate: return st.Green("+");
    case ChangeAction::kReplace: return st.Red("-/+");
    case ChangeAction::kBind: return st.Yellow("~");
    case ChangeAction::kRemove: return st.Red("-");
    case ChangeAction::kNone: return st.Yellow("!");
  }
  return "?";
}

std::string Verb(const Change& c) {
  switch (c.action) {
    case ChangeAction::kCreate: return "will be created";
    case ChangeAction::kReplace: return "will be replaced";
    case ChangeAction::kBind: return "will be bound";
    case ChangeAction::kRemove: return "will be removed";
    case ChangeAction::kNone: return "differs, and no step can fix it yet";
  }
  return "";
}

// The manifest's issuer of the certificate a step issues, "" if none does.
std::string IssuerOf(const Plan& plan, const std::string& certificate) {
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kIssue && s.certificate == certificate) return s.issuer;
  }
  return "";
}

std::string Headline(const Change& c, const Plan& plan) {
  if (c.action == ChangeAction::kBind) {
    const std::string from = c.current.empty() ? "(none)" : ShortThumb(c.current);
    const std::string to = c.target.empty() ? "new " + Quote(c.certificate) : ShortThumb(c.target);
    return c.services.ToString() + " on " + c.server + ": " + from + " -> " + to;
  }
  std::string s = "certificate \"" + c.certificate + "\" on " + c.server;
  switch (c.provision) {
    case Provision::kImportFromServer: s += " (copied from " + c.source_server + ")"; break;
    case Provision::kImportFile: s += " (from " + c.source_path + ")"; break;
    case Provision::kCompleteRequest:
      s += " (completing its request with " + c.source_path + ")";
      break;
    case Provision::kImportIssued: {
      const std::string issuer = IssuerOf(plan, c.certificate);
      s += " (issued by " + (issuer.empty() ? "its CA" : issuer) + ")";
      break;
    }
    case Provision::kCreateRequest: s += " (as a certificate request)"; break;
    default: break;
  }
  if (c.action == ChangeAction::kReplace) s += ", replacing " + ShortThumb(c.current);
  return s;
}

void RenderChange(const Change& c, const Plan& plan, const Style& st, std::string* out) {
  *out += "  # " + st.Bold(c.address) + " " + Verb(c) + "\n";
  *out += "  " + Symbol(c, st) + " " + Headline(c, plan) + "\n";
  for (const ReasonDetail& r : c.reasons) {
    *out += "      " + std::string(ReasonName(r.reason));
    if (!r.detail.empty()) *out += ": " + r.detail;
    if (r.where.line > 0) *out += "  (" + r.where.ToString() + ")";
    *out += "\n";
  }
  *out += "\n";
}

void RenderSteps(const Plan& plan, std::string* out) {
  *out += "Steps, in order:\n";
  const int width = int(std::to_string(plan.steps.size()).size());
  for (const Step& s : plan.steps) {
    std::string id = std::to_string(s.id);
    id.insert(0, size_t(std::max(0, width - int(id.size()))), ' ');
    *out += "  " + id + ". " + s.summary;
    if (!s.depends_on.empty()) {
      *out += "  [after ";
      for (size_t i = 0; i < s.depends_on.size(); ++i) {
        *out += (i ? ", " : "") + std::to_string(s.depends_on[i]);
      }
      *out += "]";
    }
    *out += "\n";
  }
  *out += "\n";
}

void RenderUnmanaged(const Plan& plan, std::string* out) {
  if (plan.diff.unmanaged.empty()) return;
  *out += "Certificates the manifest does not describe:\n";
  for (const UnmanagedCertificate& u : plan.diff.unmanaged) {
    const CertificateInfo& c = u.certificate;
    *out +=
        "  " + u.server + "  " + c.thumbprint + "  " + c.services.ToLetters() + "  " + c.subject;
    if (!u.superseded.empty()) *out += "  (older version of " + Quote(u.superseded) + ")";
    if (u.remove)
      *out += "  -> removed (prune)";
    else if (!u.protection.empty())
      *out += "  -> kept: " + u.protection;
    else
      *out += "  -> left alone (prune is off)";
    *out += "\n";
  }
  *out += "\n";
}

}  // namespace

std::string PlanSummaryLine(const Plan& p) {
  std::string s = "Plan: " + std::to_string(p.diff.CountOf(ChangeAction::kCreate)) +
                  " to create, " + std::to_string(p.diff.CountOf(ChangeAction::kReplace)) +
                  " to replace, " + std::to_string(p.diff.CountOf(ChangeAction::kBind)) +
                  " to bind, " + std::to_string(p.CountOf(StepKind::kRemove)) + " to remove; " +
                  CountNoun(p.steps.size(), "step") + " (" +
                  CountNoun(p.CountOf(StepKind::kBackupExport), "backup") + ").";
  if (!p.diff.pending.empty()) s += " " + std::to_string(p.diff.pending.size()) + " pending.";
  if (!p.diff.blocked.empty()) s += " " + std::to_string(p.diff.blocked.size()) + " blocked.";
  return s;
}

std::string RenderPlanText(const Plan& plan, bool color) {
  const Style st{color};
  std::string out;
  if (plan.diff.changes.empty() && plan.diff.pending.empty() && plan.diff.blocked.empty() &&
      plan.steps.empty()) {
    out += st.Green("No changes.") + " The certificate stores match the manifest.\n\n";
  } else {
    out += "xcert will perform the following actions:\n\n";
    for (const Change& c : plan.diff.changes) RenderChange(c, plan, st, &out);
  }
  for (const PendingRequest& p : plan.diff.pending) {
    out += "  " + st.Yellow("…") + " " + p.server + "/certificate/" + p.certificate +
           " is pending: submit " + p.csr_path + " to the CA and put its answer in the inbox\n";
    if (!p.problem.empty())
      out += "      the answer in the inbox cannot complete it: " + p.problem + "\n";
  }
  if (!plan.diff.pending.empty()) out += "\n";
  for (const Blocked& b : plan.diff.blocked) {
    out += "  " + st.Red("blocked") + " " + b.address + ": " + b.reason + "\n";
  }
  if (!plan.diff.blocked.empty()) out += "\n";
  if (!plan.steps.empty()) RenderSteps(plan, &out);
  for (const std::string& w : plan.warnings) out += st.Yellow("Warning:") + " " + w + "\n";
  if (!plan.warnings.empty()) out += "\n";
  RenderUnmanaged(plan, &out);
  out += st.Bold(PlanSummaryLine(plan)) + "\n";
  return out;
}

}  // namespace xcert
