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

Status CheckServers(const Manifest& m, const std::vector<std::string>& servers) {
  std::vector<std::string> known;
  for (const ServerSpec& s : m.servers) known.push_back(s.name);
  for (const std::string& name : servers) {
    if (!m.FindServer(name)) {
      std::string hint = ClosestMatch(name, known);
      return InvalidArgument(
          "--server " + name + ": " + m.path + " has no such server" +
          (hint.empty() ? "; known servers: " : "; did you mean " + hint + "? Known servers: ") +
          Join(known, ", "));
    }
  }
  return Status::Ok();
}

int RunPlan(const PlanFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
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
  // -o PLAN is a script when PLAN ends in .ps1, JSON otherwise (what
  // `xcert apply PLAN` reads), whatever --format prints on stdout.
  const bool ps1_file = flags.out.size() > 4 && flags.out.ends_with(".ps1");
  if (!flags.out.empty()) {
    Result<std::string> saved =
        ps1_file ? RenderPlanPs1(*plan, session->manifest) : PlanToJsonText(*plan);
    if (!saved.ok()) {
      out.Error(saved.status().message());
      return kExitError;
    }
    if (Status s = WriteFileAtomic(flags.out, *saved); !s.ok()) {
      out.Error(s.message());
      return kExitError;
    }
  }
  if (flags.format == "json") {
    out.Print(PlanToJsonText(*plan));
  } else if (flags.format == "markdown") {
    out.Print(RenderPlanMarkdown(*plan));
  } else if (flags.format == "dot") {
    out.Print(RenderPlanDot(*plan));
  } else if (flags.format == "ps1") {
    Result<std::string> script = RenderPlanPs1(*plan, session->manifest);
    if (!script.ok()) {
      out.Error(script.status().message());
      return kExitError;
    }
    out.Print(*script);
  } else {
    out.Print(RenderPlanText(*plan, out.color()));
  }
  if (!flags.out.empty()) {
    out.Progress(ps1_file ? "Saved the plan as a PowerShell script: " + flags.out +
                                " (review it, then run it in the Exchange Management Shell)"
                          : "Saved the plan to " + flags.out +
                                "; apply exactly these steps with: xcert apply " + flags.out);
  }
  if (!plan->diff.blocked.empty()) return kExitError;
  if (flags.detailed_exitcode && !plan->steps.empty()) return kExitChanges;
  return kExitOk;
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
