// xcert verify: what the servers really serve, against what the store binds;
// exit 0 all good, 2 a mismatch, 1 an error (docs/commands/verify.md).
#include "engine/apply/observe.h"
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/cli/shard_flag.h"
#include "engine/cli/verify_render.h"
#include "engine/cli/verify_run.h"
#include "engine/manifest/load.h"

namespace xcert::cli {

namespace {

struct VerifyFlags {
  std::string manifest = "xcert.yaml";
  std::vector<std::string> servers;
  std::string format = "text";
  int timeout_seconds = 10;
  int parallel = 64;
  std::string shard;
};

int RunVerify(const VerifyFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  LoadResult loaded = LoadManifestFile(flags.manifest);
  out.Report(loaded.diagnostics);
  if (!loaded.manifest) return kExitError;
  const Manifest& manifest = *loaded.manifest;
  if (Status s = CheckServers(manifest, flags.servers); !s.ok()) {
    out.Error(s.message());
    return kExitError;
  }
  std::optional<ShardSpec> shard = ResolveShard(flags.shard, !flags.servers.empty(), out);
  if (!shard) return kExitError;
  Result<StoreBackend> stores = OpenStores(manifest, *clock);
  if (!stores.ok()) {
    out.Error(stores.status().message());
    return kExitError;
  }
  VerifyOptions options;
  options.servers = {flags.servers.begin(), flags.servers.end()};
  if (shard->active()) {
    const std::vector<std::string> covered = ShardServers(manifest, *shard);
    options.servers = {covered.begin(), covered.end()};
    SayShard(*shard, covered.size(), manifest.servers.size(), out);
  }
  options.timeout = std::chrono::seconds(flags.timeout_seconds);
  options.concurrency = static_cast<size_t>(flags.parallel);
  std::vector<std::string> names;
  for (const ServerSpec& s : manifest.servers) {
    if (options.servers.empty() || options.servers.count(s.name)) names.push_back(s.name);
  }
  const ActualState actual = Observe(*stores->stores, names, 0);
  const TimePoint now = clock->Now();
  Result<probe::VerifyReport> report = VerifyEndpoints(manifest, actual, options, now);
  if (!report.ok()) {
    out.Error(report.status().message());
    return kExitError;
  }
  if (flags.format == "json")
    out.Print(RenderVerifyJson(*report, now));
  else if (flags.format == "markdown")
    out.Print(RenderVerifyMarkdown(*report));
  else if (flags.format == "junit")
    out.Print(RenderVerifyJunit(*report));
  else
    out.Print(RenderVerifyText(*report, out.color()));
  if (!report->errors.empty()) {
    for (const std::string& e : report->errors) out.Error(e);
    return kExitError;
  }
  return report->Failed() ? kExitChanges : kExitOk;
}

}  // namespace

void RegisterVerify(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand(
      "verify", "Probe the servers: do they serve what the store binds? (exit 2 when not)");
  auto flags = std::make_shared<VerifyFlags>();
  cmd->add_option("-f,--file", flags->manifest, "Manifest file")->capture_default_str();
  cmd->add_option("--server", flags->servers, "Only this server (repeatable)");
  cmd->add_option("--format", flags->format, "Report format")
      ->check(CLI::IsMember({"text", "json", "markdown", "junit"}))
      ->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_seconds, "Seconds per probe")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_option("--parallel", flags->parallel, "Probes in flight at once")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  AddShardOption(cmd, &flags->shard);
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunVerify(*flags, out); }; });
}

}  // namespace xcert::cli
