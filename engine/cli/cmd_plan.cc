// xcert plan: what apply would do, and why.
#include "engine/cli/command.h"
#include "engine/cli/saved_plan.h"
#include "engine/cli/session.h"
#include "engine/cli/shard_flag.h"
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
  bool force = false;
  std::vector<std::string> servers;
  std::string shard;
};

bool IsScriptFile(const std::string& path) { return path.size() > 4 && path.ends_with(".ps1"); }

// `path` made absolute and free of "." / ".." and of symbolic links in its
// folders, but not in its last component (which -o would replace, not follow).
fs::path WithoutFolderLinks(const fs::path& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  const fs::path parent = fs::weakly_canonical(absolute.parent_path(), ec);
  return (ec ? absolute.parent_path() : parent) / absolute.filename();
}

bool IsWithin(const fs::path& path, const fs::path& folder) {
  const fs::path rel = path.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != "..";
}

// What -o may not overwrite, whatever --force says: the manifest, and
// anything in a store folder or the backup folder (the real paths, so that
// no symbolic link can lead -o there). Without --force, also an existing file
// that is not a plan xcert saved, and a symbolic link.
Status CheckPlanOut(const std::string& out, const Manifest& manifest, const std::string& state_dir,
                    bool force) {
  const fs::path target = WithoutFolderLinks(out);
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(target, ec);
  std::vector<fs::path> candidates = {target};
  if (fs::is_symlink(st)) candidates.push_back(fs::weakly_canonical(target, ec));
  struct Protected {
    fs::path path;
    std::string what;
    bool folder;
  };
  std::vector<Protected> protect = {{manifest.path, "the manifest", false}};
  if (manifest.store.type != StoreType::kExchange && !manifest.store.path.empty()) {
    protect.push_back({manifest.Resolve(manifest.store.path), "the store folder", true});
  }
  if (!state_dir.empty()) protect.push_back({state_dir, "xcert's state folder", true});
  if (!manifest.backup.path.empty()) {
    protect.push_back({manifest.Resolve(manifest.backup.path), "the backup folder", true});
  }
  for (const fs::path& c : candidates) {
    for (const Protected& p : protect) {
      const fs::path real = fs::weakly_canonical(fs::absolute(p.path, ec), ec);
      const bool hit = p.folder ? c == real || IsWithin(c, real) : c == real;
      if (hit) {
        return InvalidArgument(
            "plan -o " + out + ": " +
            (c == target ? std::string("that is ") : "that symbolic link leads to ") +
            (p.folder ? "inside " : "") + p.what + " (" + real.string() +
            "); save the plan elsewhere, e.g. plan -o plan.json");
      }
    }
  }
  if (force || !fs::exists(st)) return Status::Ok();
  if (fs::is_symlink(st)) {
    return InvalidArgument("plan -o " + out +
                           ": that is a symbolic link; -o never writes through one. Save the "
                           "plan elsewhere, or pass --force to replace the link itself");
  }
  Result<std::string> existing =
      fs::is_regular_file(st) ? ReadFile(target) : Result<std::string>(InvalidArgument(""));
  if (!existing.ok() || !IsSavedPlanText(*existing)) {
    return InvalidArgument("plan -o " + out +
                           ": that file exists and is not a plan xcert saved; nothing was "
                           "written. Save the plan elsewhere, or pass --force to replace it");
  }
  return Status::Ok();
}

// -o PLAN is a script when PLAN ends in .ps1, JSON otherwise (what
// `xcert apply PLAN` reads), whatever --format prints on stdout.
Status SavePlan(const std::string& path, const Plan& plan, const Manifest& manifest) {
  if (IsScriptFile(path)) {
    XCERT_ASSIGN_OR_RETURN(std::string script, RenderPlanPs1(plan, manifest));
    return WriteFileAtomic(path, script);
  }
  Plan saved = plan;
  saved.manifest_path = ManifestPathForPlanFile(path, plan.manifest_path);
  return WriteFileAtomic(path, PlanToJsonText(saved));
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
                                  " (it names its manifest, so apply can run from any folder); "
                                  "apply exactly these steps with: xcert apply " +
                                  path;
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
  std::optional<ShardSpec> shard = ResolveShard(flags.shard, !flags.servers.empty(), out);
  if (!shard) return kExitError;
  std::optional<Session> session =
      OpenSession({flags.manifest, 0, /*lock=*/false, *shard}, *clock, out);
  if (!session) return kExitError;
  if (Status s = CheckServers(session->manifest, flags.servers); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
  if (!flags.out.empty()) {
    if (Status s =
            CheckPlanOut(flags.out, session->manifest, session->stores.state_dir, flags.force);
        !s.ok()) {
      out.Error(s.message());
      return kExitError;
    }
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
  cmd->add_flag("--force", flags->force,
                "With -o: replace an existing file that is not a saved plan, or a symbolic link");
  cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                "Exit 2 when the plan has steps, 0 when it has none, 1 on errors");
  cmd->add_option("--server", flags->servers, "Only change this server (repeatable)");
  AddShardOption(cmd, &flags->shard);
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunPlan(*flags, out); }; });
}

}  // namespace xcert::cli
