// xcert plan: what apply would do, and why.
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/plan/plan_json.h"
#include "engine/plan/render.h"
#include "engine/util/file_util.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

struct PlanFlags {
  std::string manifest = "xcert.yaml";
  std::string out;
  std::string format = "text";
  bool detailed_exitcode = false;
  std::vector<std::string> servers;
};

bool IsScriptFile(const std::string& path) { return path.size() > 4 && path.ends_with(".ps1"); }

// -o PLAN is a script when PLAN ends in .ps1, JSON otherwise (what
// `xcert apply PLAN` reads), whatever --format prints on stdout.
Status SavePlan(const std::string& path, const Plan& plan, const Manifest& manifest) {
  XCERT_ASSIGN_OR_RETURN(std::string text,
                         IsScriptFile(path) ? RenderPlanPs1(plan, manifest) : PlanToJsonText(plan));
  return WriteFileAtomic(path, text);
}

Result<std::string> RenderPlan(const std::string& format, const Plan& plan,
                               const Manifest& manifest, bool color) {
  if (format == "json") return PlanToJsonText(plan);
  if (format == "markdown") return RenderPlanMarkdown(plan);
  if (format == "dot") return RenderPlanDot(plan);
  if (format == "ps1") return RenderPlanPs1(plan, manifest);
  return RenderPlanText(plan, color);
}

std::string SavedMessage(const std::string& path) {
  return IsScriptFile(path) ? "Saved the plan as a PowerShell script: " + path +
                                  " (review it, then run it in the Exchange Management Shell)"
                            : "Saved the plan to " + path +
                                  "; apply exactly these steps with: xcert apply " + path;
}

// A blocked plan is not saved: part of what the manifest asks could not be
// planned, so the file would not be the change to review and apply.
std::string NotSavedMessage(const std::string& path) {
  return "the plan is blocked (see above), so " + path +
         " was not written; fix what blocks it and run xcert plan -o " + path + " again";
}

// Saves the plan (-o) unless it is blocked, prints it; the exit code.
int SaveAndPrint(const PlanFlags& flags, const Plan& plan, const Manifest& manifest, Output& out) {
  const bool blocked = !plan.diff.blocked.empty();
  const bool save = !flags.out.empty() && !blocked;
  if (Status s = save ? SavePlan(flags.out, plan, manifest) : Status::Ok(); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
  Result<std::string> text = RenderPlan(flags.format, plan, manifest, out.color());
  if (!text.ok()) {
    out.Error(text.status().message());
    return kExitError;
  }
  out.Print(*text);
  if (save) out.Progress(SavedMessage(flags.out));
  if (blocked && !flags.out.empty()) out.Error(NotSavedMessage(flags.out));
  if (blocked) return kExitError;
  return flags.detailed_exitcode && !plan.steps.empty() ? kExitChanges : kExitOk;
}

int RunPlan(const PlanFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out, ClockNote::kAnnounce);
  if (!clock) return kExitError;
  std::optional<Session> session = OpenSession({flags.manifest, 0}, *clock, out);
  if (!session) return kExitError;
  if (Status s = CheckServers(session->manifest, flags.servers); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
  Result<Plan> plan = MakePlan(*session, {flags.servers.begin(), flags.servers.end()});
  if (!plan.ok()) {
    out.Error(plan.status().message());
    return kExitError;
  }
  if (!PrepareToIssue(*session, *plan, out)) return kExitError;
  if (!ReadBackupPassword(*session, *plan, out)) return kExitError;
  return SaveAndPrint(flags, *plan, session->manifest, out);
}

}  // namespace

void RegisterPlan(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand("plan", "Show the steps that make the stores match the manifest");
  auto flags = std::make_shared<PlanFlags>();
  cmd->add_option("-f,--file", flags->manifest, "Manifest file")->capture_default_str();
  cmd->add_option(
      "-o,--out", flags->out,
      "Save the plan: JSON for `xcert apply FILE`, or a PowerShell script if FILE ends in .ps1");
  cmd->add_option("--format", flags->format, "Output on stdout")
      ->check(CLI::IsMember({"text", "json", "markdown", "dot", "ps1"}))
      ->capture_default_str();
  cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                "Exit 2 when the plan has steps, 0 when it has none, 1 on errors");
  cmd->add_option("--server", flags->servers, "Only change this server (repeatable)");
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunPlan(*flags, out); }; });
}

}  // namespace xcert::cli
