// xcert report merge: one drift report from the reports of a sharded run's
// jobs (docs/commands/report.md); exit 0 in sync, 2 drift, 1 an error or a
// shard without a report.
#include "engine/cli/command.h"
#include "engine/plan/drift_report.h"
#include "engine/util/file_util.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

struct MergeFlags {
  std::vector<std::string> files;
  std::string format = "text";
  std::string fail_on = DriftCategoryList(AllDriftCategories());
};

int RunMerge(const MergeFlags& flags, Output& out) {
  Result<std::set<DriftCategory>> fail_on = ParseDriftCategories(flags.fail_on);
  if (!fail_on.ok()) {
    out.Error(fail_on.status().message());
    return kExitError;
  }
  std::vector<DriftReport> parts;
  for (const std::string& file : flags.files) {
    Result<std::string> text = ReadFile(file);
    Result<DriftReport> report =
        text.ok() ? DriftReportFromJson(*text, file) : Result<DriftReport>(text.status());
    if (!report.ok()) {
      out.Error(report.status().message());
      return kExitError;
    }
    parts.push_back(std::move(report).value());
  }
  Result<DriftReport> merged = MergeDriftReports(std::move(parts), flags.files);
  if (!merged.ok()) {
    out.Error(merged.status().message());
    return kExitError;
  }
  out.Print(RenderDriftReport(*merged, flags.format, out.color()));
  int rc = HasDriftIn(*merged, *fail_on) ? kExitChanges : kExitOk;
  if (!merged->missing.empty()) {
    std::vector<std::string> names;
    for (const ShardSpec& s : merged->missing) names.push_back(s.ToString());
    const bool one = names.size() == 1;
    out.Error("no report of " + std::string(one ? "shard " : "shards ") + Join(names, ", ") +
              (one ? ", so its servers were not checked; find out why its job failed and run it"
                   : ", so their servers were not checked; find out why those jobs failed and "
                     "run them") +
              " again (xcert drift --shard K/N --format json)");
    rc = kExitError;
  }
  for (const DriftItem& i : merged->items) {
    if (i.status == DriftStatus::kBlocked) rc = kExitError;
  }
  return rc;
}

}  // namespace

void RegisterReport(CLI::App& app, CommandAction* run) {
  auto* report = app.add_subcommand("report", "Work with saved reports");
  report->require_subcommand(1);
  auto* cmd = report->add_subcommand(
      "merge", "Join the drift reports of a sharded run's jobs into one (exit 2 on drift)");
  auto flags = std::make_shared<MergeFlags>();
  cmd->add_option("files", flags->files, "The jobs' xcert drift --shard K/N --format json output")
      ->required();
  cmd->add_option("--format", flags->format, "Report format")
      ->check(CLI::IsMember({"text", "json", "markdown", "junit"}))
      ->capture_default_str();
  cmd->add_option("--fail-on", flags->fail_on,
                  "Categories of drift that exit 2: outside, manifest, due, unmanaged "
                  "(comma-separated)")
      ->capture_default_str();
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunMerge(*flags, out); }; });
}

}  // namespace xcert::cli
