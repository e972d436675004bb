// xcert drift: read-only check for pipelines; exit 0 in sync, 2 drift, 1 error.
#include "engine/cli/applied_records.h"
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/cli/shard_flag.h"
#include "engine/cli/verify_run.h"
#include "engine/plan/acknowledge.h"
#include "engine/plan/drift_report.h"

namespace xcert::cli {

namespace {

struct DriftFlags {
  std::string manifest = "xcert.yaml";
  std::string format = "text";
  bool probe = false;  // also served-vs-bound (ServedMismatch), as xcert verify probes
  std::string shard;
  std::string fail_on = DriftCategoryList(AllDriftCategories());
};

int RunDrift(const DriftFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out, ClockNote::kAnnounce);
  if (!clock) return kExitError;
  Result<std::set<DriftCategory>> fail_on = ParseDriftCategories(flags.fail_on);
  if (!fail_on.ok()) {
    out.Error(fail_on.status().message());
    return kExitError;
  }
  std::optional<ShardSpec> shard = ResolveShard(flags.shard, false, out);
  if (!shard) return kExitError;
  std::optional<Session> session =
      OpenSession({flags.manifest, 0, /*lock=*/false, *shard}, *clock, out);
  if (!session) return kExitError;
  DiffResult diff = Diff(session->desired, session->actual, session->now);
  if (flags.probe) {
    VerifyOptions options;
    options.servers = {session->servers.begin(), session->servers.end()};
    Result<probe::VerifyReport> report =
        VerifyEndpoints(session->manifest, session->actual, options, session->now);
    if (!report.ok()) {
      out.Error(report.status().message());
      return kExitError;
    }
    for (const std::string& w : AddServedMismatches(*report, session->desired, &diff)) {
      out.Warning(w);
    }
  }
  for (const std::string& w : diff.warnings) out.Warning(w);
  const AppliedRecords applied = ReadAppliedRecords(session->stores.state_dir, session->servers);
  for (const std::string& w : applied.warnings) out.Warning(w);
  DriftReport report = MakeDriftReport(diff, session->now, session->shard,
                                       AppliedAsAsked(session->desired, applied.records));
  for (const std::string& w :
       Acknowledge(&report, session->manifest, session->servers, session->now))
    out.Warning(w);
  out.Print(RenderDriftReport(report, flags.format, out.color()));
  if (!diff.blocked.empty()) {
    for (const Blocked& b : diff.blocked) out.Error(b.reason);
    return kExitError;
  }
  return HasDriftIn(report, *fail_on) ? kExitChanges : kExitOk;
}

}  // namespace

void RegisterDrift(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand(
      "drift", "Check the stores against the manifest (read-only; exit 2 on drift)");
  auto flags = std::make_shared<DriftFlags>();
  cmd->add_option("-f,--file", flags->manifest, "Manifest file")->capture_default_str();
  cmd->add_option("--format", flags->format, "Report format")
      ->check(CLI::IsMember({"text", "json", "markdown", "junit"}))
      ->capture_default_str();
  cmd->add_flag("--probe", flags->probe,
                "Also probe the servers: a service serving another certificate than the store "
                "binds is drift (ServedMismatch)");
  cmd->add_option("--fail-on", flags->fail_on,
                  "Categories of drift that exit 2: outside, manifest, due, unmanaged "
                  "(comma-separated)")
      ->capture_default_str();
  AddShardOption(cmd, &flags->shard);
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunDrift(*flags, out); }; });
}

}  // namespace xcert::cli
