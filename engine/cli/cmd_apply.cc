// xcert apply: perform a plan (made now, or saved by `plan -o`).
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "engine/apply/executor.h"
#include "engine/apply/journal.h"
#include "engine/cli/applied_records.h"
#include "engine/cli/apply_run.h"
#include "engine/cli/command.h"
#include "engine/cli/reload_hooks.h"
#include "engine/cli/saved_plan.h"
#include "engine/cli/session.h"
#include "engine/cli/settle.h"
#include "engine/cli/shard_flag.h"
#include "engine/cli/verify_run.h"
#include "engine/plan/plan_json.h"
#include "engine/plan/render.h"
#include "engine/util/file_util.h"
#include "engine/util/secret.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

struct ApplyFlags {
  std::string manifest;
  std::string plan_file;
  bool auto_approve = false;
  bool allow_clock_skew = false;
  bool no_verify = false;
  bool no_rollback = false;
  int parallelism = 0;
  std::string format = "text";
  std::string shard;
};

// The shard apply runs as: a saved plan's own, which --shard (or the CI
// engine's variables) may repeat but not contradict. nullopt after
// reporting the error.
std::optional<ShardSpec> ShardToApply(const ApplyFlags& flags, const std::optional<Plan>& saved,
                                      Output& out) {
  std::optional<ShardSpec> shard = ResolveShard(flags.shard, false, out);
  if (!shard || !saved) return shard;
  if (shard->active() && !(*shard == saved->shard)) {
    out.Error(flags.plan_file + " was planned " +
              (saved->shard.active()
                   ? "as shard " + saved->shard.ToString() + ", not as shard " + shard->ToString() +
                         "; apply it without --shard, or with --shard " + saved->shard.ToString()
                   : "for every server, not as shard " + shard->ToString() +
                         "; apply it without --shard, in a job that is not one of N parallel "
                         "jobs (CI_NODE_TOTAL, JOB_COMPLETION_INDEX), or plan the shard"));
    return std::nullopt;
  }
  return saved->shard;
}

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

// The latest apply run that started from exactly what `saved` observed on
// every server it changes, with the manifest it was made from: the run that
// applied this plan (or the same plan, made afresh). The stores that run
// changed no longer match the plan's observations, so without this a second
// `apply PLAN` would list that run's own changes as stale.
std::optional<RunRecord> RunThatApplied(const Plan& saved, const fs::path& journal_dir) {
  if (saved.steps.empty()) return std::nullopt;
  Result<std::vector<fs::path>> files = JournalFiles(journal_dir);
  if (!files.ok()) return std::nullopt;
  for (auto it = files->rbegin(); it != files->rend(); ++it) {
    Result<RunRecord> run = ReadRun(*it);
    if (!run.ok() || run->steps.empty() || run->manifest_digest != saved.manifest_digest) continue;
    const bool same_start =
        std::all_of(saved.observed.begin(), saved.observed.end(), [&](const auto& o) {
          auto b = run->before.find(o.first);
          return b != run->before.end() && b->second == o.second.summary;
        });
    if (same_start) return std::move(run).value();
  }
  return std::nullopt;
}

bool Confirm(Output& out) {
  out.Print(
      "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ");
  std::string answer;
  std::getline(std::cin, answer);
  return Trim(answer) == "yes";
}

// "[3/5] done         enable MailServer21 mail for IIS (0.01s)": the number is
// the step's in the plan shown (steps finish out of order when they run in
// parallel); an issue step names its issuer, as the manifest does.
std::string ProgressLine(const Step& s, const StepOutcome& o, int /*finished*/, int total) {
  char head[64];
  const int width = int(std::to_string(total).size());
  std::snprintf(head, sizeof head, "[%*d/%d] %-12s", width, s.id, total,
                std::string(StepStatusName(o.status)).c_str());
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, " (%.2fs)", o.seconds);
  std::string line = std::string(head) + " " + std::string(StepKindName(s.kind)) + " " +
                     (s.server.empty() ? s.issuer : s.server) + " " +
                     (s.certificate.empty() ? s.thumbprint : s.certificate) +
                     (s.kind == StepKind::kEnable ? " for " + s.services.ToString() : "") + elapsed;
  if (o.status == StepStatus::kFailed || o.status == StepStatus::kSkipped) line += ": " + o.detail;
  return line;
}

std::string SummaryJson(const Plan& plan, const ApplyReport& r, const SettleReport& settle = {}) {
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
  for (const HookRun& h : settle.hooks) {
    hook_runs.push_back(
        {{"server", h.server}, {"command", h.command}, {"ok", h.ok}, {"detail", h.detail}});
  }
  nlohmann::ordered_json verified = nlohmann::ordered_json::array();
  for (const ServerOutcome& s : settle.servers) {
    verified.push_back({{"server", s.server},
                        {"verified", s.verified},
                        {"why", s.why},
                        {"rolled_back", s.rolled_back},
                        {"rollback_ok", s.rollback_ok},
                        {"rollback_detail", s.rollback_detail}});
  }
  std::vector<std::string> warnings = r.warnings;
  warnings.insert(warnings.end(), settle.warnings.begin(), settle.warnings.end());
  nlohmann::ordered_json j{{"ok", r.ok() && settle.ok() && plan.diff.blocked.empty()},
                           {"done", r.Count(StepStatus::kDone)},
                           {"already_done", r.Count(StepStatus::kAlreadyDone)},
                           {"failed", r.Count(StepStatus::kFailed)},
                           {"skipped", r.Count(StepStatus::kSkipped)},
                           {"steps", std::move(steps)},
                           {"hooks", std::move(hook_runs)},
                           {"verify", std::move(verified)},
                           {"warnings", warnings}};
  return j.dump(2) + "\n";
}

// An apply killed during a rollback left it open in the latest journal: it
// is finished first, and nothing else is done (exit 1). nullopt: none open.
std::optional<int> FinishOpenRollback(const ApplyFlags& flags, Session& session,
                                      const fs::path& journal_dir, const Clock& clock,
                                      Output& out) {
  Result<std::vector<fs::path>> files = JournalFiles(journal_dir);
  if (!files.ok() || files->empty()) return std::nullopt;
  Result<RunRecord> last = ReadRun(files->back());
  if (!last.ok() || last->ended() || last->rollback_open.empty()) return std::nullopt;
  RecordedServers before;
  for (const std::string& s : last->rollback_open) {
    if (auto it = last->before.find(s); it != last->before.end()) before[s] = it->second;
  }
  if (before.empty()) return std::nullopt;
  out.Warning(
      "run " + last->id + " was stopped while it rolled back " +
      Join(std::vector<std::string>(last->rollback_open.begin(), last->rollback_open.end()), ", ") +
      "; this apply finishes that rollback and changes nothing else");
  std::optional<Run> run = StartRun(session, journal_dir, clock,
                                    "finishing the rollback of run " + last->id, before, out);
  if (!run) return kExitError;
  run->ctx.backup_password = RollbackPassword(session, "");
  SettleOptions options;
  options.verify = !flags.no_verify;
  options.run = "run " + last->id;
  const std::vector<ServerOutcome> outcomes =
      FinishRollback(session.manifest, before, run->ctx, options, out);
  bool ok = true;
  for (const ServerOutcome& o : outcomes) ok &= o.rollback_ok;
  EndRun(*run, ok ? "rolled back" : "with errors", out);
  SettleReport report;
  report.servers = outcomes;
  out.Print("Rollback of run " + last->id + (ok ? " finished.\n" : " finished with errors.\n") +
            SettleSummary(report) +
            "Nothing else was changed: run xcert apply again to retry the change.\n");
  return kExitError;
}

// The backup password `plan` needs, read before anything is confirmed or
// changed; false after saying what is missing.
bool ReadPassword(const Session& session, const Plan& plan, std::string* password, Output& out) {
  if (plan.steps.empty()) return true;
  std::optional<std::string> p = ReadBackupPassword(session, plan, out);
  if (!p) {
    out.Error("the backup password is needed first (see above); nothing was changed");
    return false;
  }
  *password = std::move(*p);
  return true;
}

// The trust anchors apply's verification will need, loaded before anything
// changes: a missing `trust:` bundle must not pass for a server that serves
// badly and be rolled back. false after saying so.
bool CheckTrustAnchors(const Session& session, const Plan& plan, Output& out) {
  const bool verifies = std::any_of(plan.observed.begin(), plan.observed.end(), [&](const auto& o) {
    const ServerSpec* s = session.manifest.FindServer(o.first);
    return s && s->VerifiedAfterApply();
  });
  if (!verifies) return true;
  Result<std::vector<std::string>> anchors = ManifestTrustAnchors(session.manifest);
  if (anchors.ok()) return true;
  out.Error(anchors.status().message() +
            "; apply verifies the servers it changes against them (or pass --no-verify); nothing "
            "was changed");
  return false;
}

// Loads the plan to apply: the saved one (checked against the stores), or a
// fresh one the user confirms; and the backup password it needs.
std::optional<Plan> PlanToApply(const ApplyFlags& flags, Session& session, std::string* password,
                                Output& out) {
  if (!flags.plan_file.empty()) {
    Result<std::string> text = ReadFile(flags.plan_file);
    Result<Plan> saved =
        text.ok() ? ReadSavedPlan(*text, flags.plan_file) : Result<Plan>(text.status());
    if (saved.ok() && saved->manifest_digest == session.manifest_digest &&
        !StaleDifferences(*saved, session.actual).empty()) {
      const fs::path journal_dir = fs::path(session.stores.state_dir) / "journal";
      if (std::optional<RunRecord> run = RunThatApplied(*saved, journal_dir)) {
        const std::string applied = "the plan " + flags.plan_file + " was already applied (run " +
                                    run->id + " at " + run->began + ")";
        if (run->result == "ok") {
          out.Progress(applied + "; nothing was changed");
          return Plan{};
        }
        out.Error(applied + ", and that run " +
                  (run->ended() ? "ended " + run->result : std::string("did not finish")) +
                  " (xcert history " + run->id + "); nothing was changed. Run xcert plan -o " +
                  flags.plan_file + " again to plan from what the servers hold now");
        return std::nullopt;
      }
    }
    if (saved.ok()) saved = CheckSavedPlan(*saved, session, flags.plan_file);
    if (!saved.ok()) {
      out.Error(saved.status().message());
      return std::nullopt;
    }
    if (!PrepareToIssue(session, *saved, out)) return std::nullopt;
    if (!ReadPassword(session, *saved, password, out)) return std::nullopt;
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
  if (!ReadPassword(session, *plan, password, out)) return std::nullopt;
  if (plan->steps.empty()) return plan.value();
  if (!ConfirmChanges(out, flags.auto_approve, "apply",
                      ", or save a plan with xcert plan -o FILE and run xcert apply FILE")) {
    return std::nullopt;
  }
  return plan.value();
}

// Records what this run left as the manifest asks (engine/cli/applied_records.h),
// so that drift can tell later changes outside xcert from manifest changes.
void Record(const Session& session, const Plan& plan, const ApplyReport& report,
            const std::set<std::string>& rolled_back, const std::string& run, const Clock& clock,
            Output& out) {
  const std::set<ServerArtifact> applied =
      AppliedByRun(session.desired, plan, report, rolled_back, session.servers);
  if (Status s = WriteAppliedRecords(session.stores.state_dir, session.desired, applied,
                                     run.empty() ? "(nothing to do)" : run, clock.Now());
      !s.ok()) {
    out.Warning("the record of what this run applied could not be written (" + s.message() +
                "); drift will count later differences as manifest changes");
  }
}

int RunApply(ApplyFlags flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out, ClockNote::kAnnounce);
  if (!clock) return kExitError;
  std::optional<Plan> saved_plan;
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
    if (flags.manifest.empty()) {
      flags.manifest = ManifestOfPlanFile(flags.plan_file, saved->manifest_path);
    }
    out.Progress("Applying the saved plan " + flags.plan_file + " of " + flags.manifest +
                 ", made at " + FormatIso8601(saved->created_at));
    saved_plan = std::move(saved).value();
  }
  std::optional<ShardSpec> shard = ShardToApply(flags, saved_plan, out);
  if (!shard) return kExitError;
  if (flags.manifest.empty()) flags.manifest = "xcert.yaml";
  // Locked before the stores are read: the plan applied is made, or the saved
  // one checked, from what no other writer changes until apply ends.
  std::optional<Session> session =
      OpenSession({flags.manifest, flags.parallelism, /*lock=*/true, *shard}, *clock, out);
  if (!session) return kExitError;
  const fs::path journal_dir = fs::path(session->stores.state_dir) / "journal";
  if (std::optional<int> rc = FinishOpenRollback(flags, *session, journal_dir, *clock, out)) {
    return *rc;
  }
  std::string password;
  std::optional<Plan> plan = PlanToApply(flags, *session, &password, out);
  if (!plan) return kExitError;
  if (!plan->steps.empty() && !flags.no_verify && !CheckTrustAnchors(*session, *plan, out)) {
    return kExitError;
  }
  if (plan->steps.empty()) {
    Record(*session, *plan, ApplyReport{}, {}, "", *clock, out);
    if (flags.format == "json")
      out.Print(SummaryJson(*plan, ApplyReport{}));
    else
      out.Print("Nothing to do.\n");
    return plan->diff.blocked.empty() ? kExitOk : kExitError;
  }
  if (auto interrupted = FindInterruptedRun(journal_dir)) {
    out.Warning("the previous apply did not finish (" + *interrupted +
                "); this run re-read the stores and "
                "plans from what is there now");
  }
  // Locks across machines can be lost while the plan was made and confirmed
  // (the database restarted): then another runner may already be changing
  // these servers.
  if (session->run_locks) {
    if (Status held = session->run_locks->Check(); !held.ok()) {
      out.Error(held.message() + "; nothing was changed");
      return kExitError;
    }
  }
  // What each server the plan changes held before: rollback and restore put it back.
  std::optional<Run> run =
      StartRun(*session, journal_dir, *clock,
               CountNoun(plan->steps.size(), "step") + " from " +
                   (flags.plan_file.empty() ? "a fresh plan" : flags.plan_file),
               BeforeOf(*session, *plan), out);
  if (!run) return kExitError;
  (void)run->journal->Record("manifest", nullptr, session->manifest_digest);
  ApplyContext& ctx = run->ctx;
  ctx.backup_password = password;
  if (ClockIsFixed() && !flags.allow_clock_skew) ctx.real_now = SystemClock().Now();
  const ApplyReport report = Apply(*plan, ctx, ApplyOptions{flags.parallelism});
  // Still under the lock: reload, verify, roll back what fails.
  ctx.backup_password = RollbackPassword(*session, ctx.backup_password);
  SettleOptions settle_options;
  settle_options.verify = !flags.no_verify;
  settle_options.rollback = !flags.no_rollback;
  settle_options.run = "run " + run->journal->run();
  for (const auto& [server, _] : plan->observed) settle_options.servers.insert(server);
  const SettleReport settled = Settle(session->manifest, session->actual, ctx, settle_options, out);
  const bool rolled_back = std::any_of(settled.servers.begin(), settled.servers.end(),
                                       [](const ServerOutcome& s) { return s.rolled_back; });
  std::set<std::string> rolled_back_servers;
  for (const ServerOutcome& s : settled.servers) {
    if (s.rolled_back) rolled_back_servers.insert(s.server);
  }
  Record(*session, *plan, report, rolled_back_servers, run->journal->run(), *clock, out);
  const bool ok = report.ok() && settled.ok() && plan->diff.blocked.empty();
  EndRun(*run, rolled_back ? "rolled back" : ok ? "ok" : "with errors", out);
  if (flags.format == "json") {
    out.Print(SummaryJson(*plan, report, settled));
  } else {
    out.Print(StepsSummary("Apply", *plan, report, report.ok() && settled.ok()) +
              SettleSummary(settled));
  }
  return ok ? kExitOk : kExitError;
}

}  // namespace

std::string StepsSummary(std::string_view what, const Plan& plan, const ApplyReport& r, bool ok) {
  std::string out = std::string(what) + (ok ? " complete! " : " finished with errors. ");
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

// The backup password a rollback may need (to import a removed certificate
// from its backup, to back up what it displaces), even when the plan itself
// backed up nothing with a key: "" when the manifest sets none or it is unset.
std::string RollbackPassword(const Session& session, const std::string& plan_password) {
  const BackupSpec& b = session.manifest.backup;
  if (!plan_password.empty() || b.password.empty()) return plan_password;
  Result<std::string> p =
      ReadSecret(b.password.env, b.password.file, session.manifest.base_dir, "backup password");
  return p.ok() ? *p : std::string();
}

std::optional<Run> StartRun(Session& session, const fs::path& journal_dir, const Clock& clock,
                            const std::string& what, const RecordedServers& before, Output& out) {
  Result<std::unique_ptr<FileJournal>> journal = FileJournal::Open(journal_dir, clock);
  if (!journal.ok()) {
    out.Error(journal.status().message());
    return std::nullopt;
  }
  Run run;
  run.journal = std::move(journal).value();
  run.backups = OpenBackups(session.manifest);
  run.ctx.stores = session.stores.stores.get();
  run.ctx.issuers = session.issuers.issuers.get();
  run.ctx.backups = run.backups.get();
  run.ctx.journal = run.journal.get();
  run.ctx.clock = &clock;
  run.ctx.progress = [&out](const Step& s, const StepOutcome& o, int finished, int total) {
    out.Progress(ProgressLine(s, o, finished, total));
  };
  (void)run.journal->Record("begin", nullptr, what);
  for (const auto& [server, summary] : before) {
    (void)run.journal->RecordServer("before", server, "", summary);
  }
  return run;
}

void EndRun(Run& run, const std::string& result, Output& out) {
  (void)run.journal->Record("end", nullptr, result);
  if (Status synced = run.journal->Sync(); !synced.ok()) {
    out.Warning("the journal " + run.journal->path().string() +
                " may be incomplete after a power cut: " + synced.message());
  }
}

RecordedServers BeforeOf(const Session& session, const Plan& plan) {
  RecordedServers before;
  for (const auto& [server, _] : plan.observed) {
    if (auto it = session.actual.find(server); it != session.actual.end()) {
      before[server] = ObservedSummary(it->second);
    }
  }
  return before;
}

bool ConfirmChanges(Output& out, bool auto_approve, const std::string& what,
                    const std::string& other_way) {
  if (auto_approve) return true;
  if (!out.stdin_is_terminal()) {
    out.Error(what + " needs confirmation, but stdin is not a terminal; pass --auto-approve" +
              other_way);
    return false;
  }
  if (!Confirm(out)) {
    out.Error(what + " cancelled; nothing was changed");
    return false;
  }
  return true;
}

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
  cmd->add_flag("--no-verify", flags->no_verify,
                "Do not probe the changed servers afterwards (nor roll them back)");
  cmd->add_flag("--no-rollback", flags->no_rollback,
                "Probe the changed servers, but keep a change that fails verification");
  cmd->add_option("--parallelism", flags->parallelism, "Steps run at once (default: four per core)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--format", flags->format, "Summary on stdout")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddShardOption(cmd, &flags->shard);
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunApply(*flags, out); }; });
}

}  // namespace xcert::cli
