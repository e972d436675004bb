// xcert history: the runs the journal recorded (docs/commands/history.md).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "engine/apply/journal.h"
#include "engine/cli/command.h"
#include "engine/cli/session.h"
#include "engine/manifest/load.h"
#include "engine/util/strings.h"

namespace xcert::cli {

namespace {

struct HistoryFlags {
  std::string manifest = "xcert.yaml";
  std::string format = "text";
};

// "ok", "with errors", "rolled back", or "interrupted" (the run did not end).
std::string ResultOf(const RunRecord& r) {
  if (r.ended()) return r.result;
  return r.rollback_open.empty() ? "interrupted" : "interrupted during rollback";
}

int RunHistory(const HistoryFlags& flags, Output& out) {
  std::unique_ptr<Clock> clock = MakeClock(out);
  LoadResult loaded = LoadManifestFile(flags.manifest);
  out.Report(loaded.diagnostics);
  if (!loaded.manifest) return kExitError;
  Result<StoreBackend> stores = OpenStores(*loaded.manifest, *clock);
  if (!stores.ok()) {
    out.Error(stores.status().message());
    return kExitError;
  }
  const fs::path dir = fs::path(stores->state_dir) / "journal";
  Result<std::vector<fs::path>> files = JournalFiles(dir);
  if (!files.ok()) {
    out.Error(files.status().message());
    return kExitError;
  }
  std::vector<RunRecord> runs;
  for (const fs::path& f : *files) {
    Result<RunRecord> r = ReadRun(f);
    if (!r.ok()) {
      out.Warning(f.string() + ": cannot be read (" + r.status().message() + ")");
      continue;
    }
    runs.push_back(std::move(r).value());
  }
  if (flags.format == "json") {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const RunRecord& r : runs) {
      list.push_back({{"id", r.id},
                      {"time", r.began},
                      {"what", r.what},
                      {"servers", r.servers},
                      {"steps", r.steps.size()},
                      {"result", ResultOf(r)},
                      {"rolled_back", r.rolled_back},
                      {"restorable", r.before.size()}});
    }
    out.Print(list.dump(2) + "\n");
    return kExitOk;
  }
  if (runs.empty()) {
    out.Print("No runs recorded in " + dir.string() + " yet: apply records each run there.\n");
    return kExitOk;
  }
  std::string text;
  for (const RunRecord& r : runs) {
    char steps[32];
    std::snprintf(steps, sizeof steps, "%zu", r.steps.size());
    std::vector<std::string> servers(r.servers.begin(), r.servers.end());
    text += r.id + "  " + r.began + "  " + ResultOf(r) + "\n";
    text += "    " + r.what + "; " + steps + " started; servers changed: " +
            (servers.empty() ? std::string("none") : Join(servers, ", ")) + "\n";
    if (!r.rolled_back.empty()) {
      text += "    rolled back: " +
              Join(std::vector<std::string>(r.rolled_back.begin(), r.rolled_back.end()), ", ") +
              "\n";
    }
  }
  text += "\nxcert restore ID puts the servers back as they were before run ID.\n";
  out.Print(text);
  return kExitOk;
}

}  // namespace

void RegisterHistory(CLI::App& app, CommandAction* run) {
  auto* cmd = app.add_subcommand("history", "List the runs the journal recorded, oldest first");
  auto flags = std::make_shared<HistoryFlags>();
  cmd->add_option("-f,--file", flags->manifest, "Manifest file")->capture_default_str();
  cmd->add_option("--format", flags->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([run, flags] { *run = [flags](Output& out) { return RunHistory(*flags, out); }; });
}

}  // namespace xcert::cli
