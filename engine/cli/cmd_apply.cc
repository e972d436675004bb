// xcert apply: perform a plan (made now, or saved by `plan -o`).
#include <cstdio>
#include <iostream>

#include "engine/apply/executor.h"
#include "engine/apply/journal.h"
#include "engine/cli/command.h"
#include "engine/cli/reload_hooks.h"
#include "engine/cli/saved_plan.h"
#include "engine/cli/session.h"
#include "engine/plan/plan_json.h"
#include "engine/plan/render.h"
#include "engine/util/file_util.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

struct ApplyFlags {
  std::string manifest;
  std::string plan_file;
  bool auto_approve = false;
  bool allow_clock_skew = false;
  int parallelism = 0;
  std::string format = "text";
};

// A saved plan applies only to the manifest and stores it was made from, and
// only when its steps are exactly what the manifest plans for those stores:
// the plan returned is the one made now (equal to the saved one), so nothing
// the file says is used.
Result<Plan> CheckSavedPlan(const Plan& saved, const Session& session, const std::string& path) {
  if (saved.manifest_digest != session.manifest_digest) {
    return Aborted("the manifest " + session.manifest.path +
                   " changed since the plan was made; run xcert plan -o again");
  }
  std::vector<std::string> changed = StaleDifferences(saved, session.actual);
  if (changed.empty()) {
    XCERT_ASSIGN_OR_RETURN(Plan fresh, MakePlan(session, saved.servers));
    XCERT_RETURN_IF_ERROR(CheckSavedSteps(saved, fresh, session.manifest, path));
    return fresh;
  }
  std::string msg = "the saved plan is stale; the stores changed since it was made:";
  for (size_t i = 0; i < changed.size() && i < 20; ++i) msg += "\n  " + changed[i];
  if (changed.size() > 20) msg += "\n  … and " + std::to_string(changed.size() - 20) + " more";
  return Aborted(msg + "\nrun xcert plan -o again and review the new plan");
}

bool Confirm(Output& out) {
  out.Print(
      "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ");
  std::string answer;
  std::getline(std::cin, answer);
  return Trim(answer) == "yes";
}

std::string ProgressLine(const Step& s, const StepOutcome& o, int finished, int total) {
  char head[64];
  const int width = int(std::to_string(total).size());
  std::snprintf(head, sizeof head, "[%*d/%d] %-12s", width, finished, total,
                std::string(StepStatusName(o.status)).c_str());
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, " (%.2fs)", o.seconds);
  std::string line = std::string(head) + " " + std::string(StepKindName(s.kind)) + " " +
                     (s.server.empty() ? "xcert" : s.server) + " " +
                     (s.certificate.empty() ? s.thumbprint : s.certificate) +
                     (s.kind == StepKind::kEnable ? " for " + s.services.ToString() : "") + elapsed;
  if (o.status == StepStatus::kFailed || o.status == StepStatus::kSkipped) line += ": " + o.detail;
  return line;
}

std::string SummaryText(const Plan& plan, const ApplyReport& r) {
  std::string out = r.ok() ? "Apply complete! " : "Apply finished with errors. ";
  out += CountNoun(plan.steps.size(), "step") + ": " + std::to_string(r.Count(StepStatus::kDone)) +
         " done, " + std::to_string(r.Count(StepStatus::kAlreadyDone)) + " already done, " +
         std::to_string(r.Count(StepStatus::kFailed)) + " failed, " +
         std::to_string(r.Count(StepStatus::kSkipped)) + " skipped.\n";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const StepOutcome& o = r.outcomes[i];
    if (o.status == StepStatus::kFailed) {
      out += "  failed:  step " + std::to_string(o.step) + " (" + plan.steps[i].summary +
             "): " + o.detail + "\n";
    }
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (r.outcomes[i].status == StepStatus::kSkipped) {
      out += "  skipped: step " + std::to_string(r.outcomes[i].step) + " (" +
             plan.steps[i].summary + ")\n";
    }
  }
  for (const std::string& w : r.warnings) out += "  warning: " + w + "\n";
  for (const Blocked& b : plan.diff.blocked)
    out += "  blocked: " + b.address + ": " + b.reason + "\n";
  return out;
}

std::string SummaryJson(const Plan& plan, const ApplyReport& r,
                        const std::vector<HookRun>& hooks = {}) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    const StepOutcome& o = r.outcomes[i];
    steps.push_back({{"id", s.id},
                     {"kind", StepKindName(s.kind)},
                     {"server", s.server},
                     {"certificate", s.certificate},
                     {"status", StepStatusName(o.status)},
                     {"detail", o.detail},
                     {"seconds", o.seconds}});
  }
  nlohmann::ordered_json hook_runs = nlohmann::ordered_json::array();
  bool hooks_ok = true;
  for (const HookRun& h : hooks) {
    hook_runs.push_back(
        {{"server", h.server}, {"command", h.command}, {"ok", h.ok}, {"detail", h.detail}});
    hooks_ok &= h.ok;
  }
  nlohmann::ordered_json j{{"ok", r.ok() && hooks_ok && plan.diff.blocked.empty()},
                           {"done", r.Count(StepStatus::kDone)},
                           {"already_done", r.Count(StepStatus::kAlreadyDone)},
                           {"failed", r.Count(StepStatus::kFailed)},
                           {"skipped", r.Count(StepStatus::kSkipped)},
                           {"steps", std::move(steps)},
                           {"hooks", std::move(hook_runs)},
                           {"warnings", r.warnings}};
  return j.dump(2) + "\n";
}

// Loads the plan to apply: the saved one (checked against the stores), or a
// fresh one the user confirms.
std::optional<Plan> PlanToApply(const ApplyFlags& flags, Session& session, Output& out) {
  if (!flags.plan_file.empty()) {
    Result<std::string> text = ReadFile(flags.plan_file);
    Result<Plan> saved =
        text.ok() ? ReadSavedPlan(*text, flags.plan_file) : Result<Plan>(text.status());
    if (saved.ok()) saved = CheckSavedPlan(*saved, session, flags.plan_file);
    if (!saved.ok()) {
      out.Error(saved.status().message());
      return std::nullopt;
    }
    if (!PrepareToIssue(session, *saved, out)) return std::nullopt;
    return std::move(saved).value();
  }
  Result<Plan> plan = MakePlan(session, {});
  if (!plan.ok()) {
    out.Error(plan.status().message());
    return std::nullopt;
  }
  // Before the plan is shown and confirmed: a CA key that cannot be read stops
  // apply before anything changes.
  if (!PrepareToIssue(session, *plan, out)) return std::nullopt;
  if (flags.format == "text") out.Print(RenderPlanText(*plan, out.color()));
  if (plan->steps.empty()) return plan.value();
  if (flags.auto_approve) return plan.value();
  if (!out.stdin_is_terminal()) {
    out.Error(
        "apply needs confirmation, but stdin is not a terminal; pass --auto-approve, or save a "
        "plan with xcert plan -o FILE and run xcert apply FILE");
    return std::nullopt;
  }
  if (!Confirm(out)) {
    out.Error("apply cancelled; nothing was changed");
    return std::nullopt;
  }
  return plan.value();
}

int RunApply(ApplyFlags flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out, ClockNote::kAnnounce);
  if (!clock) return kExitError;
  if (!flags.plan_file.empty()) {
    // A saved plan that cannot be read is the error to report, not the
    // manifest it would have named.
    Result<std::string> text = ReadFile(flags.plan_file);
    Result<Plan> saved =
        text.ok() ? ReadSavedPlan(*text, flags.plan_file) : Result<Plan>(text.status());
    if (!saved.ok()) {
      out.Error(saved.status().message());
      return kExitError;
    }
    if (flags.manifest.empty()) flags.manifest = saved->manifest_path;
  }
  if (flags.manifest.empty()) flags.manifest = "xcert.yaml";
  // Locked before the stores are read: the plan applied is made, or the saved
  // one checked, from what no other writer changes until apply ends.
  std::optional<Session> session =
      OpenSession({flags.manifest, flags.parallelism, /*lock=*/true}, *clock, out);
  if (!session) return kExitError;
  std::optional<Plan> plan = PlanToApply(flags, *session, out);
  if (!plan) return kExitError;
  if (plan->steps.empty()) {
    if (flags.format == "json")
      out.Print(SummaryJson(*plan, ApplyReport{}));
    else
      out.Print("Nothing to do.\n");
    return plan->diff.blocked.empty() ? kExitOk : kExitError;
  }
  std::optional<std::string> password = ReadBackupPassword(*session, *plan, out);
  if (!password) {
    out.Error("the backup password is needed first (see above); nothing was changed");
    return kExitError;
  }
  const fs::path journal_dir = fs::path(session->stores.state_dir) / "journal";
  if (auto interrupted = FindInterruptedRun(journal_dir)) {
    out.Warning("the previous apply did not finish (" + *interrupted +
                "); this run re-read the stores and "
                "plans from what is there now");
  }
  Result<std::unique_ptr<FileJournal>> journal = FileJournal::Open(journal_dir, *clock);
  if (!journal.ok()) {
    out.Error(journal.status().message());
    return kExitError;
  }
  std::unique_ptr<BackupSink> backups = OpenBackups(session->manifest);
  ApplyContext ctx;
  ctx.stores = session->stores.stores.get();
  ctx.issuers = session->issuers.issuers.get();
  ctx.backups = backups.get();
  ctx.backup_password = *password;
  ctx.journal = journal->get();
  ctx.clock = clock.get();
  if (ClockIsFixed() && !flags.allow_clock_skew) ctx.real_now = SystemClock().Now();
  ctx.progress = [&out](const Step& s, const StepOutcome& o, int finished, int total) {
    out.Progress(ProgressLine(s, o, finished, total));
  };
  (void)(*journal)->Record("begin", nullptr,
                           CountNoun(plan->steps.size(), "step") + " from " +
                               (flags.plan_file.empty() ? "a fresh plan" : flags.plan_file));
  const ApplyReport report = Apply(*plan, ctx, ApplyOptions{flags.parallelism});
  // Still under the lock: the servers whose bindings changed reload.
  bool hooks_ok = true;
  std::string hook_lines;
  const std::vector<HookRun> hooks =
      RunReloadHooks(session->manifest, session->actual, *ctx.stores);
  for (const HookRun& h : hooks) {
    const std::string line = "reload " + h.server + ": " + Join(h.command, " ") + ": " + h.detail;
    (void)(*journal)->Record(h.ok ? "hook" : "hook-failed", nullptr, line);
    out.Progress((h.ok ? "hook         " : "hook failed  ") + line);
    if (!h.ok) {
      hooks_ok = false;
      hook_lines += "  failed:  " + line +
                    "; the new certificate may not be served: fix the hook, run it by hand, "
                    "then xcert verify\n";
    }
  }
  (void)(*journal)->Record("end", nullptr, report.ok() && hooks_ok ? "ok" : "with errors");
  if (Status synced = (*journal)->Sync(); !synced.ok()) {
    out.Warning("the journal " + (*journal)->path().string() +
                " may be incomplete after a power cut: " + synced.message());
  }
  if (flags.format == "json") {
    out.Print(SummaryJson(*plan, report, hooks));
  } else {
    std::string summary = SummaryText(*plan, report);
    if (!hooks_ok && report.ok()) {
      summary.replace(0, std::string("Apply complete!").size(), "Apply finished with errors.");
    }
    out.Print(summary + hook_lines);
  }
  return report.ok() && hooks_ok && plan->diff.blocked.empty() ? kExitOk : kExitError;
}

}  // namespace

void RegisterApply(CLI::App& app, CommandAction* run) {
  auto* cmd =
      app.add_subcommand("apply", "Perform the plan: back up, create, import, enable, remove");
  auto flags = std::make_shared<ApplyFlags>();
  cmd->add_option("plan", flags->plan_file,
                  "A plan saved with xcert plan -o (applied exactly, if still fresh)");
  cmd->add_option("-f,--file", flags->manifest,
                  "Manifest file (default: xcert.yaml, or the saved plan's)");
  cmd->add_flag("--auto-approve", flags->auto_approve, "Do not ask for confirmation");
  cmd->add_flag("--allow-clock-skew", flags->allow_clock_skew,
                "With XCERT_NOW set: also write and bind certificates not valid at the real time");
  cmd->add_option("--parallelism", flags->parallelism, "Steps run at once (default: four per core)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--format", flags->format, "Summary on stdout")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunApply(*flags, out); }; });
}

}  // namespace xcert::cli
