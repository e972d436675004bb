// xcert restore RUN: puts the servers' bindings (and removed certificates,
// from the backups) back as they were before run RUN
// (docs/commands/restore.md). Same guarantees as apply: the writer lock, a
// journal, idempotent steps, backups of what it displaces.
#include "engine/apply/executor.h"
#include "engine/apply/journal.h"
#include "engine/cli/applied_records.h"
#include "engine/cli/apply_run.h"
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/cli/settle.h"
#include "engine/plan/render.h"
#include "engine/plan/restore.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

// The servers a restore plan changes.
std::set<std::string> RestoredServers(const Plan& plan) {
  std::set<std::string> out;
  for (const Step& s : plan.steps) {
    if (!s.server.empty()) out.insert(s.server);
  }
  return out;
}

struct RestoreFlags {
  std::string manifest = "xcert.yaml";
  std::string run;
  std::vector<std::string> servers;
  bool auto_approve = false;
  bool no_verify = false;
};

int RunRestore(const RestoreFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  std::optional<Session> session = OpenSession({flags.manifest, 0, /*lock=*/true}, *clock, out);
  if (!session) return kExitError;
  if (Status s = CheckServers(session->manifest, flags.servers); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
  const fs::path journal_dir = fs::path(session->stores.state_dir) / "journal";
  Result<fs::path> file = FindRun(journal_dir, flags.run);
  Result<RunRecord> run = file.ok() ? ReadRun(*file) : Result<RunRecord>(file.status());
  if (!run.ok()) {
    out.Error(run.status().message());
    return kExitError;
  }
  if (run->before.empty()) {
    out.Error("run " + run->id +
              " recorded nothing to go back to: it changed no server, or it was made by an "
              "xcert that did not record what the servers held (see xcert history)");
    return kExitError;
  }
  const std::string name = "run " + run->id;
  Result<Plan> plan =
      BuildRestorePlan(run->before, session->actual, {flags.servers.begin(), flags.servers.end()},
                       name, clock->Now());
  if (!plan.ok()) {
    out.Error(plan.status().message());
    return kExitError;
  }
  plan->manifest_path = session->manifest.path;
  out.Print("Restore the servers as they were before " + name + " (" + run->began + ").\n");
  if (plan->steps.empty()) {
    std::string text =
        plan->diff.blocked.empty()
            ? "Nothing to do: the servers' bindings are as they were before " + name + ".\n"
            : std::string();
    for (const Blocked& b : plan->diff.blocked) text += "  blocked: " + b.reason + "\n";
    for (const std::string& w : plan->warnings) text += "  warning: " + w + "\n";
    out.Print(text);
    return plan->diff.blocked.empty() ? kExitOk : kExitError;
  }
  out.Print(RenderPlanText(*plan, out.color()));
  std::optional<std::string> password = ReadBackupPassword(*session, *plan, out);
  if (!password) {
    out.Error("the backup password is needed first (see above); nothing was changed");
    return kExitError;
  }
  if (!ConfirmChanges(out, flags.auto_approve, "restore")) return kExitError;
  std::optional<Run> journaled =
      StartRun(*session, journal_dir, *clock,
               "restore of " + name + ": " + CountNoun(plan->steps.size(), "step"),
               BeforeOf(*session, *plan), out);
  if (!journaled) return kExitError;
  ApplyContext& ctx = journaled->ctx;
  ctx.backup_password = RollbackPassword(*session, *password);
  const ApplyReport report = Apply(*plan, ctx, ApplyOptions{});
  // What xcert last applied on these servers is what the restore undid.
  if (Status s = ForgetAppliedRecords(session->stores.state_dir, RestoredServers(*plan)); !s.ok()) {
    out.Warning(s.message());
  }
  SettleOptions options;
  options.verify = !flags.no_verify;
  options.rollback = false;  // a restore is the way back; what fails is reported
  options.run = "restore of " + name;
  for (const auto& [server, _] : plan->observed) options.servers.insert(server);
  const SettleReport settled = Settle(session->manifest, session->actual, ctx, options, out);
  const bool ok = report.ok() && settled.ok() && plan->diff.blocked.empty();
  EndRun(*journaled, ok ? "ok" : "with errors", out);
  std::string summary = StepsSummary("Restore", *plan, report, ok);
  for (const std::string& w : plan->warnings) summary += "  warning: " + w + "\n";
  out.Print(summary + SettleSummary(settled));
  return ok ? kExitOk : kExitError;
}

}  // namespace

void RegisterRestore(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand(
      "restore", "Put the servers back as they were before an earlier run (see xcert history)");
  auto flags = std::make_shared<RestoreFlags>();
  cmd->add_option("run", flags->run, "The run's id, or a prefix naming one run (xcert history)")
      ->required();
  cmd->add_option("-f,--file", flags->manifest, "Manifest file")->capture_default_str();
  cmd->add_option("--server", flags->servers, "Only this server (repeatable)");
  cmd->add_flag("--auto-approve", flags->auto_approve, "Do not ask for confirmation");
  cmd->add_flag("--no-verify", flags->no_verify, "Do not probe the servers afterwards");
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunRestore(*flags, out); }; });
}

}  // namespace xcert::cli
